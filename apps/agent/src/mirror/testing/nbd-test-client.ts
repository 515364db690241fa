/**
 * A minimal pipelined NBD client for tests: fixed newstyle, OPT_GO, simple replies. It lets a test keep
 * many writes in flight, know exactly which ones were acknowledged (to check that none is lost after a
 * crash), and vanish abruptly.
 */
import net from 'node:net';
import { ChunkQueue } from '../chunk-queue.js';

const REQUEST_MAGIC = 0x25609513;
const REPLY_MAGIC = 0x67446698;

interface Waiter {
  resolve: (data: Buffer | null) => void;
  reject: (err: Error) => void;
  readLength: number;
}

export class NbdTestClient {
  readonly size: number;
  private readonly socket: net.Socket;
  private readonly queue: ChunkQueue;
  private readonly waiters = new Map<number, Waiter>();
  private nextCookie = 1;
  private pendingReply: { cookie: number; error: number } | null = null;
  private closedError: Error | null = null;

  private constructor(socket: net.Socket, queue: ChunkQueue, size: number) {
    this.socket = socket;
    this.queue = queue;
    this.size = size;
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      this.drain();
    });
    const fail = (err: Error): void => {
      this.closedError ??= err;
      for (const w of this.waiters.values()) w.reject(this.closedError);
      this.waiters.clear();
    };
    socket.on('error', fail);
    socket.on('close', () => {
      fail(new Error('NBD connection closed'));
    });
  }

  static async connect(path: string, exportName = ''): Promise<NbdTestClient> {
    const socket = net.connect(path);
    const queue = new ChunkQueue();
    let wake: (() => void) | null = null;
    let failure: Error | null = null;
    const onData = (c: Buffer): void => {
      queue.push(c);
      wake?.();
    };
    const onError = (err: Error): void => {
      failure = err;
      wake?.();
    };
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', () => {
      failure ??= new Error('closed during handshake');
      wake?.();
    });
    const need = async (n: number): Promise<Buffer> => {
      while (queue.length < n) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
      return queue.take(n);
    };
    const hello = await need(18);
    if (hello.toString('ascii', 0, 16) !== 'NBDMAGICIHAVEOPT') throw new Error('not an NBD server');
    const cflags = Buffer.alloc(4);
    cflags.writeUInt32BE(3, 0);
    const name = Buffer.from(exportName, 'utf8');
    const opt = Buffer.alloc(16 + 4 + name.length + 2);
    opt.write('IHAVEOPT', 0, 'ascii');
    opt.writeUInt32BE(7, 8); // GO
    opt.writeUInt32BE(4 + name.length + 2, 12);
    opt.writeUInt32BE(name.length, 16);
    name.copy(opt, 20);
    opt.writeUInt16BE(0, 20 + name.length);
    socket.write(Buffer.concat([cflags, opt]));
    let size = -1;
    for (;;) {
      const h = await need(20);
      const type = h.readUInt32BE(12);
      const len = h.readUInt32BE(16);
      const data = await need(len);
      if (type === 1) break; // ACK
      if (type >= 0x80000000) {
        socket.destroy();
        throw new Error(`NBD GO refused (${type - 0x80000000}): ${data.toString('utf8')}`);
      }
      if (type === 3 && data.readUInt16BE(0) === 0) size = data.readUInt32BE(2) * 0x100000000 + data.readUInt32BE(6);
    }
    socket.off('data', onData);
    socket.off('error', onError);
    socket.removeAllListeners('close');
    return new NbdTestClient(socket, queue, size);
  }

  write(offset: number, data: Buffer, fua = false): Promise<void> {
    return this.request(1, fua ? 1 : 0, offset, data.length, data).then(() => undefined);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return this.request(0, 0, offset, length, null).then((b) => b ?? Buffer.alloc(0));
  }

  flush(): Promise<void> {
    return this.request(3, 0, 0, 0, null).then(() => undefined);
  }

  writeZeroes(offset: number, length: number): Promise<void> {
    return this.request(6, 0, offset, length, null).then(() => undefined);
  }

  /** Polite close: DISC, then end. */
  async disconnect(): Promise<void> {
    const h = this.header(2, 0, 0, 0, 0);
    this.socket.end(h);
    await new Promise<void>((resolve) => {
      if (this.socket.closed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  /** Writes raw bytes on the connection (to send a malformed request). */
  rawWrite(buf: Buffer): void {
    this.socket.write(buf);
  }

  /** Vanishes without a word (as a crashed client does). */
  destroy(): void {
    this.socket.destroy();
  }

  private request(type: number, flags: number, offset: number, length: number, data: Buffer | null): Promise<Buffer | null> {
    if (this.closedError) return Promise.reject(this.closedError);
    const cookie = this.nextCookie++;
    return new Promise((resolve, reject) => {
      this.waiters.set(cookie, { resolve, reject, readLength: type === 0 ? length : 0 });
      this.socket.write(this.header(type, flags, cookie, offset, length));
      if (data) this.socket.write(data);
    });
  }

  private header(type: number, flags: number, cookie: number, offset: number, length: number): Buffer {
    const h = Buffer.alloc(28);
    h.writeUInt32BE(REQUEST_MAGIC, 0);
    h.writeUInt16BE(flags, 4);
    h.writeUInt16BE(type, 6);
    h.writeUInt32BE(0, 8);
    h.writeUInt32BE(cookie, 12);
    h.writeUInt32BE(Math.floor(offset / 0x100000000), 16);
    h.writeUInt32BE(offset >>> 0, 20);
    h.writeUInt32BE(length, 24);
    return h;
  }

  private drain(): void {
    for (;;) {
      if (!this.pendingReply) {
        if (this.queue.length < 16) return;
        const h = this.queue.take(16);
        if (h.readUInt32BE(0) !== REPLY_MAGIC) {
          this.socket.destroy(new Error('bad reply magic'));
          return;
        }
        this.pendingReply = { cookie: h.readUInt32BE(12), error: h.readUInt32BE(4) };
      }
      const { cookie, error } = this.pendingReply;
      const w = this.waiters.get(cookie);
      const len = error === 0 && w ? w.readLength : 0;
      if (this.queue.length < len) return;
      this.pendingReply = null;
      const data = len > 0 ? Buffer.from(this.queue.take(len)) : null;
      if (!w) continue;
      this.waiters.delete(cookie);
      if (error !== 0) w.reject(Object.assign(new Error(`NBD error ${error}`), { errno: error }));
      else w.resolve(data);
    }
  }
}
