/**
 * Clients that speak the agent's protocols badly on purpose: a raw WebUI socket (any bytes, one answer at a
 * time), the peer handshake (with any key, then raw frames under the derived session key), and a raw NBD
 * connection to a mirror disk's export. Every wait is bounded; a close is an answer too.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import WebSocket from 'ws';
import { PEER_PROTOCOL } from '@kumo/shared';
import type { ClusterKey } from '@kumo/agent/crypto';
import { hmacHex } from '@kumo/agent/crypto';

/** Resolves after `ms`, or earlier when the callback handed to `arm` is called (a message, a close). */
function wakeOrTimeout(arm: (wake: (() => void) | undefined) => void, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      arm(undefined);
      resolve();
    }, ms);
    arm(() => {
      clearTimeout(t);
      arm(undefined);
      resolve();
    });
  });
}

export type Answer = { kind: 'message'; value: unknown; text: string } | { kind: 'closed'; code: number; reason: string } | { kind: 'timeout' };

/** A WebSocket whose messages are queued and read one at a time. */
export class RawSocket {
  private readonly queue: { text: string; value: unknown }[] = [];
  private waiter: (() => void) | undefined;
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: Buffer) => {
      const text = d.toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      this.queue.push({ text, value });
      this.waiter?.();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString('utf8') };
      this.waiter?.();
    });
    ws.on('error', () => undefined);
  }

  static open(url: string, opts: { origin?: string; headers?: Record<string, string> } = {}): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { handshakeTimeout: 5000, perMessageDeflate: false, ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.headers ? { headers: opts.headers } : {}) });
      ws.once('open', () => resolve(new RawSocket(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  get open(): boolean {
    return this.closed === null && this.ws.readyState === WebSocket.OPEN;
  }

  send(data: Buffer | string, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next message that passes `filter` (others are dropped), a close, or a timeout. */
  async next(timeoutMs: number, filter: (v: unknown) => boolean = () => true): Promise<Answer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.queue.length > 0) {
        const m = this.queue.shift()!;
        if (filter(m.value)) return { kind: 'message', ...m };
      }
      if (this.closed) return { kind: 'closed', ...this.closed };
      const left = deadline - Date.now();
      if (left <= 0) return { kind: 'timeout' };
      await wakeOrTimeout((w) => (this.waiter = w), left);
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

export const isResponse = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'response';

/** An authenticated peer session as a client: the handshake done with `key`, frames signed with the session key. */
export class PeerSession {
  private seq = 0;
  private constructor(
    readonly sock: RawSocket,
    private readonly sessionKey: Buffer,
  ) {}

  /** Connects to /api/peer and runs the handshake; `hello` may be replaced to send a malformed one. */
  static async start(url: string, key: ClusterKey, name: string, hello?: (valid: Record<string, unknown>) => Buffer): Promise<{ session: PeerSession | null; answer: Answer }> {
    const sock = await RawSocket.open(`${url.replace(/^http/, 'ws')}/api/peer`);
    const challenge = await sock.next(5000);
    if (challenge.kind !== 'message') return { session: null, answer: challenge };
    const serverNonce = String((challenge.value as { nonce?: unknown }).nonce);
    const clientNonce = randomBytes(32).toString('hex');
    const valid = { type: 'hello', nonce: clientNonce, server: name, address: '127.0.0.1', proof: key.hmac(`${PEER_PROTOCOL}|client|${serverNonce}|${clientNonce}|${name}`) };
    sock.send(hello ? hello(valid) : JSON.stringify(valid));
    const answer = await sock.next(5000);
    if (answer.kind !== 'message' || (answer.value as { type?: unknown }).type !== 'welcome') {
      sock.close();
      return { session: null, answer };
    }
    const sessionKey = Buffer.from(key.hmac(`${PEER_PROTOCOL}|session|${serverNonce}|${clientNonce}`), 'hex');
    return { session: new PeerSession(sock, sessionKey), answer };
  }

  /** A frame as the peer link expects it, for `body` (already JSON), with the next sequence number. */
  frame(bodyJson: string): string {
    this.seq += 1;
    return `{"seq":${this.seq},"mac":"${hmacHex(this.sessionKey, `c2s|${this.seq}|${bodyJson}`)}","body":${bodyJson}}`;
  }

  close(): void {
    this.sock.close();
  }
}

/** A raw byte connection (the NBD export's Unix socket): write anything, read what comes, see it close. */
export class RawConn {
  private buf = Buffer.alloc(0);
  private waiter: (() => void) | undefined;
  ended = false;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.waiter?.();
    });
    const end = () => {
      this.ended = true;
      this.waiter?.();
    };
    sock.on('close', end);
    sock.on('end', end);
    sock.on('error', end);
  }

  static open(path: string): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(path);
      s.once('connect', () => resolve(new RawConn(s)));
      s.once('error', reject);
    });
  }

  write(b: Buffer): void {
    if (!this.sock.destroyed) this.sock.write(b);
  }

  /** Exactly `n` bytes, or null when the connection ended or `timeoutMs` passed first. */
  async read(n: number, timeoutMs: number): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.ended) return null;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await wakeOrTimeout((w) => (this.waiter = w), left);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Waits until the peer closed (true) or `timeoutMs` passed (false); drops what arrives meanwhile. */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < deadline) {
      this.buf = Buffer.alloc(0);
      await wakeOrTimeout((w) => (this.waiter = w), Math.max(1, deadline - Date.now()));
    }
    return this.ended;
  }

  close(): void {
    this.sock.destroy();
  }
}

// NBD wire constants (NetworkBlockDevice proto.md).
export const NBD = {
  IHAVEOPT: Buffer.from('IHAVEOPT', 'ascii'),
  OPT_REPLY_MAGIC: Buffer.from([0x00, 0x03, 0xe8, 0x89, 0x04, 0x55, 0x65, 0xa9]),
  REQUEST_MAGIC: 0x25609513,
  SIMPLE_REPLY_MAGIC: 0x67446698,
  OPT_GO: 7,
  REP_ACK: 1,
} as const;

export function nbdOption(option: number, data: Buffer, magic: Buffer = NBD.IHAVEOPT, declaredLength = data.length): Buffer {
  const h = Buffer.alloc(16);
  magic.copy(h, 0, 0, 8);
  h.writeUInt32BE(option >>> 0, 8);
  h.writeUInt32BE(declaredLength >>> 0, 12);
  return Buffer.concat([h, data]);
}

export function nbdGoData(name: string, infos: number[] = []): Buffer {
  const n = Buffer.from(name, 'utf8');
  const b = Buffer.alloc(4 + n.length + 2 + 2 * infos.length);
  b.writeUInt32BE(n.length, 0);
  n.copy(b, 4);
  b.writeUInt16BE(infos.length, 4 + n.length);
  infos.forEach((x, i) => b.writeUInt16BE(x, 4 + n.length + 2 + 2 * i));
  return b;
}

export function nbdRequest(r: { magic?: number; flags: number; type: number; cookie: number; offset: number; length: number }): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE((r.magic ?? NBD.REQUEST_MAGIC) >>> 0, 0);
  b.writeUInt16BE(r.flags & 0xffff, 4);
  b.writeUInt16BE(r.type & 0xffff, 6);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(r.cookie >>> 0, 12);
  b.writeUInt32BE(Math.floor(r.offset / 0x100000000) >>> 0, 16);
  b.writeUInt32BE(r.offset >>> 0, 20);
  b.writeUInt32BE(r.length >>> 0, 24);
  return b;
}

/** Opens the export and negotiates with OPT_GO; the connection in transmission phase, or null when refused. */
export async function nbdConnect(path: string, exportName = 'md'): Promise<RawConn | null> {
  const c = await RawConn.open(path);
  const hello = await c.read(18, 3000);
  if (!hello) return null;
  const flags = Buffer.alloc(4);
  flags.writeUInt32BE(3, 0); // fixed newstyle, no zeroes
  c.write(Buffer.concat([flags, nbdOption(NBD.OPT_GO, nbdGoData(exportName))]));
  for (;;) {
    const h = await c.read(20, 3000);
    if (!h) return null;
    const type = h.readUInt32BE(12);
    const len = h.readUInt32BE(16);
    if (len > 0 && !(await c.read(len, 3000))) return null;
    if (type === NBD.REP_ACK) return c;
    if (type >= 0x80000000) {
      c.close();
      return null;
    }
  }
}
