/**
 * An NBD server (fixed newstyle, simple replies) in front of a block backend; the active mirror disk exports
 * its device through it on a Unix socket. Works with libnbd's tools (nbdinfo, nbdcopy, nbdsh, fio's nbd
 * engine), qemu-io/qemu-img and nbd-client. Protocol: NetworkBlockDevice/nbd doc/proto.md.
 *
 * Handshake: OPT_GO, OPT_INFO, OPT_EXPORT_NAME, OPT_LIST, OPT_ABORT; every other option gets ERR_UNSUP and
 * the server keeps parsing. A backend that refuses to export (the standby) answers GO/INFO with ERR_POLICY and
 * a message, and closes on EXPORT_NAME, which has no error reply.
 * Transmission: READ, WRITE, FLUSH, TRIM, WRITE_ZEROES (with FUA) and DISC; requests run concurrently and
 * replies go out as they complete, matched by cookie.
 *
 * A client that vanishes, sends garbage or stops reading never throws out of here: every socket has an
 * 'error' listener and every reply checks that its socket is still writable.
 */
import fsp from 'node:fs/promises';
import net from 'node:net';
import { ChunkQueue } from './chunk-queue.js';
import { BlockIoError, ERRNO, errorMessage } from './errors.js';
import { TickBatcher } from './socket-batch.js';

export interface NbdBackend {
  readonly size: number;
  /** null when the export may be opened; otherwise the message sent with ERR_POLICY. */
  exportRefusal(): string | null;
  read(offset: number, into: Buffer, intoOffset: number, length: number): Promise<void>;
  /** `data` is a scatter list (zero-copy views of the received chunks) of `length` bytes in total. */
  write(offset: number, data: readonly Buffer[], length: number, fua: boolean): Promise<void>;
  writeZeroes(offset: number, length: number, fua: boolean): Promise<void>;
  trim(offset: number, length: number, fua: boolean): Promise<void>;
  flush(): Promise<void>;
}

export interface NbdServerOptions {
  exportName: string;
  description?: string;
  backend: NbdBackend;
  /** Largest READ/WRITE accepted (advertised as the maximum block size). Default 32 MiB. */
  maxRequestBytes?: number;
  /** Called with a line for the log when a client misbehaves or an operation fails. */
  onProblem?: (message: string) => void;
}

const NBDMAGIC = Buffer.from('NBDMAGIC', 'ascii');
const IHAVEOPT = Buffer.from('IHAVEOPT', 'ascii');
const REPLY_MAGIC_HI = 0x0003e889;
const REPLY_MAGIC_LO = 0x045565a9;
const REQUEST_MAGIC = 0x25609513;
const SIMPLE_REPLY_MAGIC = 0x67446698;

const FLAG_FIXED_NEWSTYLE = 1;
const FLAG_NO_ZEROES = 2;

export const NbdOpt = {
  EXPORT_NAME: 1,
  ABORT: 2,
  LIST: 3,
  STARTTLS: 5,
  INFO: 6,
  GO: 7,
  STRUCTURED_REPLY: 8,
  LIST_META_CONTEXT: 9,
  SET_META_CONTEXT: 10,
} as const;

const REP_ACK = 1;
const REP_SERVER = 2;
const REP_INFO = 3;
const ERR_BIT = 0x80000000;
const REP_ERR_UNSUP = ERR_BIT + 1;
const REP_ERR_POLICY = ERR_BIT + 2;
const REP_ERR_INVALID = ERR_BIT + 3;
const REP_ERR_UNKNOWN = ERR_BIT + 6;

const INFO_EXPORT = 0;
const INFO_NAME = 1;
const INFO_DESCRIPTION = 2;
const INFO_BLOCK_SIZE = 3;

export const NbdTxFlag = {
  HAS_FLAGS: 1 << 0,
  READ_ONLY: 1 << 1,
  SEND_FLUSH: 1 << 2,
  SEND_FUA: 1 << 3,
  ROTATIONAL: 1 << 4,
  SEND_TRIM: 1 << 5,
  SEND_WRITE_ZEROES: 1 << 6,
  SEND_DF: 1 << 7,
  CAN_MULTI_CONN: 1 << 8,
  SEND_CACHE: 1 << 10,
  SEND_FAST_ZERO: 1 << 11,
} as const;

export const NbdCmd = { READ: 0, WRITE: 1, DISC: 2, FLUSH: 3, TRIM: 4, CACHE: 5, WRITE_ZEROES: 6, BLOCK_STATUS: 7 } as const;
const CMD_FLAG_FUA = 1;
const CMD_FLAG_FAST_ZERO = 16;

/** FLUSH and FUA go through one backend shared by every connection, so they are visible across them. */
const TX_FLAGS =
  NbdTxFlag.HAS_FLAGS |
  NbdTxFlag.SEND_FLUSH |
  NbdTxFlag.SEND_FUA |
  NbdTxFlag.SEND_TRIM |
  NbdTxFlag.SEND_WRITE_ZEROES |
  NbdTxFlag.CAN_MULTI_CONN;

const MAX_OPTION_BYTES = 64 * 1024;
const MAX_INFLIGHT_REQUESTS = 128;
const MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;
const MAX_QUEUED_REPLY_BYTES = 64 * 1024 * 1024;

export type NbdListenTarget = { path: string } | { host: string; port: number };

export class NbdServer {
  private readonly opts: Required<Omit<NbdServerOptions, 'description' | 'onProblem'>> &
    Pick<NbdServerOptions, 'description' | 'onProblem'>;
  private server: net.Server | null = null;
  private socketPath: string | null = null;
  private readonly conns = new Set<NbdConnection>();
  private stopping: Promise<void> | null = null;

  constructor(opts: NbdServerOptions) {
    this.opts = { maxRequestBytes: 32 * 1024 * 1024, ...opts };
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  /** The TCP port when listening on TCP (useful with port 0). */
  get port(): number | null {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : null;
  }

  async listen(target: NbdListenTarget): Promise<void> {
    if (this.server) throw new Error('NBD server already listening');
    if ('path' in target) await removeStaleSocket(target.path);
    const server = net.createServer((socket) => {
      this.accept(socket);
    });
    server.on('error', (err) => {
      this.opts.onProblem?.(`NBD listener: ${errorMessage(err)}`);
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        reject(err);
      };
      server.once('error', onError);
      const done = (): void => {
        server.off('error', onError);
        resolve();
      };
      if ('path' in target) server.listen(target.path, done);
      else server.listen(target.port, target.host, done);
    });
    this.server = server;
    this.socketPath = 'path' in target ? target.path : null;
  }

  /** Serves an already-connected socket (tests, or a listener owned by someone else). */
  accept(socket: net.Socket): void {
    if (this.stopping) {
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    const conn = new NbdConnection(socket, this.opts, () => {
      this.conns.delete(conn);
    });
    this.conns.add(conn);
  }

  /**
   * Stops accepting, lets every request already received complete and be answered, then closes each
   * connection and removes the socket file. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const server = this.server;
      this.server = null;
      const closed = server
        ? new Promise<void>((resolve) => {
            server.close(() => {
              resolve();
            });
          })
        : Promise.resolve();
      await Promise.all([...this.conns].map((c) => c.drainAndClose()));
      await closed;
      if (this.socketPath) await fsp.rm(this.socketPath, { force: true }).catch(() => undefined);
    })();
    return this.stopping;
  }
}

type ConnState = 'client-flags' | 'options' | 'transmission' | 'closed';

interface PendingRequest {
  flags: number;
  type: number;
  cookieHi: number;
  cookieLo: number;
  offset: number;
  length: number;
}

class NbdConnection {
  private readonly socket: net.Socket;
  private readonly opts: NbdServer['opts'];
  private readonly onGone: () => void;
  private readonly queue = new ChunkQueue();
  private state: ConnState = 'client-flags';
  private noZeroes = false;
  private pendingWrite: PendingRequest | null = null;
  private skipBytes = 0;
  private inflight = 0;
  private inflightBytes = 0;
  private readPaused = false;
  private draining = false;
  private disconnectRequested = false;
  private readonly out: TickBatcher;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly closedPromise: Promise<void>;

  constructor(socket: net.Socket, opts: NbdServer['opts'], onGone: () => void) {
    this.socket = socket;
    this.out = new TickBatcher(socket);
    this.opts = opts;
    this.onGone = onGone;
    socket.setNoDelay?.(true);
    this.closedPromise = new Promise((resolve) => {
      socket.once('close', () => {
        this.state = 'closed';
        this.queue.clear();
        this.onGone();
        resolve();
        this.notifyIdle();
      });
    });
    socket.on('error', (err) => {
      // ECONNRESET/EPIPE from a client that went away: nothing to do but let 'close' clean up.
      if (!isDisconnect(err)) this.opts.onProblem?.(`NBD client: ${errorMessage(err)}`);
    });
    socket.on('data', (chunk: Buffer) => {
      this.queue.push(chunk);
      this.process();
    });
    socket.on('end', () => {
      // The client half-closed: answer what is in flight, then finish our side.
      this.disconnectRequested = true;
      this.maybeFinishDisconnect();
    });
    socket.on('drain', () => {
      this.updateFlowControl();
    });
    const hello = Buffer.alloc(18);
    NBDMAGIC.copy(hello, 0);
    IHAVEOPT.copy(hello, 8);
    hello.writeUInt16BE(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES, 16);
    this.send(hello);
  }

  async drainAndClose(): Promise<void> {
    this.draining = true;
    if (this.state !== 'transmission') {
      this.socket.destroy();
    } else {
      this.socket.pause();
      await this.waitIdle();
      this.socket.end();
      // A client that never closes its side must not hold the stop up forever.
      const timer = setTimeout(() => this.socket.destroy(), 2000);
      timer.unref();
    }
    await this.closedPromise;
  }

  private waitIdle(): Promise<void> {
    if (this.inflight === 0 || this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.inflight !== 0 && this.state !== 'closed') return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private process(): void {
    try {
      while (this.state !== 'closed' && !this.draining && !this.disconnectRequested) {
        if (this.state === 'client-flags') {
          if (this.queue.length < 4) return;
          const flags = this.queue.take(4).readUInt32BE(0);
          if ((flags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)) !== 0 || (flags & FLAG_FIXED_NEWSTYLE) === 0) {
            this.abort('client flags not supported');
            return;
          }
          this.noZeroes = (flags & FLAG_NO_ZEROES) !== 0;
          this.state = 'options';
        } else if (this.state === 'options') {
          if (!this.processOption()) return;
        } else if (this.state === 'transmission') {
          if (!this.processRequest()) return;
        } else {
          return;
        }
      }
    } catch (err) {
      this.opts.onProblem?.(`NBD protocol error: ${errorMessage(err)}`);
      this.abort('protocol error');
    }
  }

  // ---- handshake ----------------------------------------------------------------------------------------

  private processOption(): boolean {
    if (this.queue.length < 16) return false;
    // Peek first: the option data may not have arrived yet.
    const header = this.queue.peek(16);
    const length = header.readUInt32BE(12);
    if (!header.subarray(0, 8).equals(IHAVEOPT) || length > MAX_OPTION_BYTES) {
      this.abort('bad option header');
      return false;
    }
    if (this.queue.length < 16 + length) return false;
    const option = header.readUInt32BE(8);
    this.queue.skip(16);
    const data = this.queue.take(length);
    switch (option) {
      case NbdOpt.EXPORT_NAME:
        this.optExportName(data);
        return true;
      case NbdOpt.ABORT:
        this.optReply(option, REP_ACK);
        this.state = 'closed';
        this.socket.end();
        return false;
      case NbdOpt.LIST:
        this.optList(option, data);
        return true;
      case NbdOpt.INFO:
      case NbdOpt.GO:
        this.optInfoGo(option, data);
        return true;
      default:
        // STARTTLS, STRUCTURED_REPLY, META_CONTEXT and anything newer: libnbd and qemu fall back cleanly.
        this.optReply(option, REP_ERR_UNSUP);
        return true;
    }
  }

  private optExportName(data: Buffer): void {
    const name = data.toString('utf8');
    const refusal = this.opts.backend.exportRefusal();
    if (refusal !== null || !this.nameMatches(name)) {
      // EXPORT_NAME has no error reply: the protocol's only answer is to close.
      this.opts.onProblem?.(`NBD EXPORT_NAME "${name}" refused: ${refusal ?? 'unknown export'}`);
      this.abort('export refused');
      return;
    }
    const reply = Buffer.alloc(this.noZeroes ? 10 : 134);
    writeU64(reply, 0, this.opts.backend.size);
    reply.writeUInt16BE(TX_FLAGS, 8);
    this.send(reply);
    this.state = 'transmission';
  }

  private optList(option: number, data: Buffer): void {
    if (data.length !== 0) {
      this.optReply(option, REP_ERR_INVALID, Buffer.from('NBD_OPT_LIST takes no data', 'utf8'));
      return;
    }
    const name = Buffer.from(this.opts.exportName, 'utf8');
    const desc = Buffer.from(this.opts.description ?? '', 'utf8');
    const entry = Buffer.alloc(4 + name.length + desc.length);
    entry.writeUInt32BE(name.length, 0);
    name.copy(entry, 4);
    desc.copy(entry, 4 + name.length);
    this.optReply(option, REP_SERVER, entry);
    this.optReply(option, REP_ACK);
  }

  private optInfoGo(option: number, data: Buffer): void {
    if (data.length < 6) {
      this.optReply(option, REP_ERR_INVALID, Buffer.from('option data too short', 'utf8'));
      return;
    }
    const nameLen = data.readUInt32BE(0);
    if (4 + nameLen + 2 > data.length) {
      this.optReply(option, REP_ERR_INVALID, Buffer.from('bad export name length', 'utf8'));
      return;
    }
    const name = data.subarray(4, 4 + nameLen).toString('utf8');
    const nInfo = data.readUInt16BE(4 + nameLen);
    if (4 + nameLen + 2 + 2 * nInfo !== data.length) {
      this.optReply(option, REP_ERR_INVALID, Buffer.from('bad information request count', 'utf8'));
      return;
    }
    const requested = new Set<number>();
    for (let i = 0; i < nInfo; i += 1) requested.add(data.readUInt16BE(4 + nameLen + 2 + 2 * i));

    const refusal = this.opts.backend.exportRefusal();
    if (refusal !== null) {
      this.optReply(option, REP_ERR_POLICY, Buffer.from(refusal, 'utf8'));
      return;
    }
    if (!this.nameMatches(name)) {
      this.optReply(option, REP_ERR_UNKNOWN, Buffer.from(`no export named "${name}" (this server exports "${this.opts.exportName}")`, 'utf8'));
      return;
    }
    const exp = Buffer.alloc(12);
    exp.writeUInt16BE(INFO_EXPORT, 0);
    writeU64(exp, 2, this.opts.backend.size);
    exp.writeUInt16BE(TX_FLAGS, 10);
    this.optReply(option, REP_INFO, exp);
    if (requested.has(INFO_NAME)) {
      const n = Buffer.from(this.opts.exportName, 'utf8');
      const b = Buffer.alloc(2 + n.length);
      b.writeUInt16BE(INFO_NAME, 0);
      n.copy(b, 2);
      this.optReply(option, REP_INFO, b);
    }
    if (requested.has(INFO_DESCRIPTION) && this.opts.description) {
      const d = Buffer.from(this.opts.description, 'utf8');
      const b = Buffer.alloc(2 + d.length);
      b.writeUInt16BE(INFO_DESCRIPTION, 0);
      d.copy(b, 2);
      this.optReply(option, REP_INFO, b);
    }
    if (requested.has(INFO_BLOCK_SIZE)) {
      const b = Buffer.alloc(14);
      b.writeUInt16BE(INFO_BLOCK_SIZE, 0);
      b.writeUInt32BE(1, 2);
      b.writeUInt32BE(4096, 6);
      b.writeUInt32BE(this.opts.maxRequestBytes, 10);
      this.optReply(option, REP_INFO, b);
    }
    this.optReply(option, REP_ACK);
    if (option === NbdOpt.GO) this.state = 'transmission';
  }

  private nameMatches(name: string): boolean {
    return name === '' || name === this.opts.exportName;
  }

  private optReply(option: number, type: number, data?: Buffer): void {
    const h = Buffer.alloc(20);
    h.writeUInt32BE(REPLY_MAGIC_HI, 0);
    h.writeUInt32BE(REPLY_MAGIC_LO, 4);
    h.writeUInt32BE(option, 8);
    h.writeUInt32BE(type >>> 0, 12);
    h.writeUInt32BE(data?.length ?? 0, 16);
    this.send(h);
    if (data && data.length > 0) this.send(data);
  }

  // ---- transmission -------------------------------------------------------------------------------------

  /** Returns false when it needs more bytes or must stop parsing for now. */
  private processRequest(): boolean {
    if (this.skipBytes > 0) {
      this.skipBytes -= this.queue.skip(this.skipBytes);
      if (this.skipBytes > 0) return false;
    }
    if (this.readPaused) return false;
    let req = this.pendingWrite;
    if (!req) {
      if (this.queue.length < 28) return false;
      const h = this.queue.take(28);
      if (h.readUInt32BE(0) !== REQUEST_MAGIC) {
        this.abort('bad request magic');
        return false;
      }
      req = {
        flags: h.readUInt16BE(4),
        type: h.readUInt16BE(6),
        cookieHi: h.readUInt32BE(8),
        cookieLo: h.readUInt32BE(12),
        offset: readU64(h, 16),
        length: h.readUInt32BE(24),
      };
    }
    if (req.type === NbdCmd.WRITE) {
      if (req.length > this.opts.maxRequestBytes) {
        this.skipBytes = req.length;
        this.pendingWrite = null;
        this.reply(req, ERRNO.EINVAL);
        return true;
      }
      if (this.queue.length < req.length) {
        this.pendingWrite = req;
        return false;
      }
      this.pendingWrite = null;
      this.dispatch(req, this.queue.takeList(req.length));
    } else if (req.type === NbdCmd.DISC) {
      this.disconnectRequested = true;
      this.maybeFinishDisconnect();
      return false;
    } else {
      this.dispatch(req, null);
    }
    this.updateFlowControl();
    return true;
  }

  private dispatch(req: PendingRequest, data: Buffer[] | null): void {
    const backend = this.opts.backend;
    const { offset, length } = req;
    const fua = (req.flags & CMD_FLAG_FUA) !== 0;
    const inBounds = offset + length <= backend.size;
    let op: Promise<Buffer | null>;
    switch (req.type) {
      case NbdCmd.READ: {
        if (!inBounds || length > this.opts.maxRequestBytes) {
          this.reply(req, ERRNO.EINVAL);
          return;
        }
        // The reply header and the data share one buffer: one socket write, no concat.
        const buf = Buffer.allocUnsafe(16 + length);
        op = backend.read(offset, buf, 16, length).then(() => buf);
        break;
      }
      case NbdCmd.WRITE:
        if (!inBounds) {
          this.reply(req, ERRNO.ENOSPC);
          return;
        }
        op = backend.write(offset, data ?? [], length, fua).then(() => null);
        break;
      case NbdCmd.FLUSH:
        op = backend.flush().then(() => null);
        break;
      case NbdCmd.TRIM:
        if (!inBounds) {
          this.reply(req, ERRNO.ENOSPC);
          return;
        }
        op = backend.trim(offset, length, fua).then(() => null);
        break;
      case NbdCmd.WRITE_ZEROES:
        if (!inBounds) {
          this.reply(req, ERRNO.ENOSPC);
          return;
        }
        if ((req.flags & CMD_FLAG_FAST_ZERO) !== 0) {
          this.reply(req, ERRNO.ENOTSUP);
          return;
        }
        op = backend.writeZeroes(offset, length, fua).then(() => null);
        break;
      default:
        // CACHE and BLOCK_STATUS are not advertised; unknown commands get EINVAL as the protocol asks.
        this.reply(req, ERRNO.EINVAL);
        return;
    }
    const bytes = req.type === NbdCmd.READ || req.type === NbdCmd.WRITE ? length : 0;
    this.inflight += 1;
    this.inflightBytes += bytes;
    op.then(
      (buf) => {
        this.complete(req, bytes, 0, buf);
      },
      (err: unknown) => {
        const errno = err instanceof BlockIoError ? err.errno : ERRNO.EIO;
        if (errno !== ERRNO.ESHUTDOWN) this.opts.onProblem?.(`NBD request type ${req.type} at ${offset}+${length}: ${errorMessage(err)}`);
        this.complete(req, bytes, errno, null);
      },
    );
  }

  private complete(req: PendingRequest, bytes: number, errno: number, buf: Buffer | null): void {
    this.inflight -= 1;
    this.inflightBytes -= bytes;
    this.reply(req, errno, buf);
    this.updateFlowControl();
    this.notifyIdle();
    this.maybeFinishDisconnect();
  }

  private reply(req: PendingRequest, errno: number, withData: Buffer | null = null): void {
    const buf = errno === 0 && withData ? withData : Buffer.allocUnsafe(16);
    buf.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
    buf.writeUInt32BE(errno, 4);
    buf.writeUInt32BE(req.cookieHi, 8);
    buf.writeUInt32BE(req.cookieLo, 12);
    this.send(buf);
  }

  private send(buf: Buffer): void {
    const s = this.socket;
    if (this.state === 'closed' || s.destroyed || !s.writable) return;
    this.out.write(buf);
  }

  /** Stops reading while too much is in flight or queued for the client; resumes when it drains. */
  private updateFlowControl(): void {
    if (this.state === 'closed') return;
    const overloaded =
      this.inflight >= MAX_INFLIGHT_REQUESTS ||
      this.inflightBytes >= MAX_INFLIGHT_BYTES ||
      this.socket.writableLength >= MAX_QUEUED_REPLY_BYTES;
    if (overloaded && !this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    } else if (!overloaded && this.readPaused) {
      this.readPaused = false;
      if (!this.draining) {
        this.socket.resume();
        // Requests may already be queued in memory.
        setImmediate(() => {
          this.process();
        });
      }
    }
  }

  private maybeFinishDisconnect(): void {
    if (!this.disconnectRequested || this.inflight > 0 || this.state === 'closed') return;
    this.state = 'closed';
    this.socket.end();
  }

  private abort(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.opts.onProblem?.(`NBD connection closed: ${reason}`);
    this.socket.destroy();
  }
}

function readU64(b: Buffer, off: number): number {
  return b.readUInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}

function writeU64(b: Buffer, off: number, v: number): void {
  b.writeUInt32BE(Math.floor(v / 0x100000000), off);
  b.writeUInt32BE(v >>> 0, off + 4);
}

function isDisconnect(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNRESET' || err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
}

async function removeStaleSocket(path: string): Promise<void> {
  try {
    const st = await fsp.lstat(path);
    if (!st.isSocket()) throw new Error(`${path} exists and is not a socket`);
    await fsp.rm(path, { force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
