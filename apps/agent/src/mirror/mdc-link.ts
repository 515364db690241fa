/**
 * One mirror-disk-connect TCP connection: framing, request/reply matching, liveness and write batching.
 *
 * - `request()` sends a frame and resolves with the peer's reply (same seq, FLAG_REPLY), or with null when the
 *   link dies first. A reply that does not come within `ackTimeoutMs` kills the link, so a write never waits
 *   longer than that for the standby.
 * - A PING goes out every `pingIntervalMs`; no PONG within `pingTimeoutMs` kills the link.
 * - Writes made in the same tick leave in one writev (cork until nextTick): header + payload, no concat.
 * - Frames that arrive while no handler is installed are kept and delivered when one is, so nothing is lost
 *   between authentication and the mirror taking the link over.
 */
import type net from 'node:net';
import { errorMessage } from './errors.js';
import { TickBatcher } from './socket-batch.js';
import { type Frame, FrameDecoder, FrameError, FrameFlag, FrameType, type Payload, encodeHeader, jsonPayload } from './mdc-protocol.js';

export interface LinkTimings {
  ackTimeoutMs: number;
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

interface Pending {
  resolve: (f: Frame | null) => void;
  sentAt: number;
}

export type LinkCloseKind = 'local' | 'remote' | 'error' | 'timeout' | 'corrupt';

export class MdcLink {
  readonly remote: string;
  private readonly socket: net.Socket;
  private readonly timings: LinkTimings;
  private readonly decoder = new FrameDecoder();
  private handler: ((f: Frame) => void) | null = null;
  private readonly buffered: Frame[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  private readonly out: TickBatcher;
  private pingSeq = 0;
  private pingSentAt = 0;
  private lastPingAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private closeInfo: { kind: LinkCloseKind; reason: string } | null = null;
  private readonly closeListeners: ((kind: LinkCloseKind, reason: string) => void)[] = [];
  readonly closed: Promise<{ kind: LinkCloseKind; reason: string }>;
  private resolveClosed!: (v: { kind: LinkCloseKind; reason: string }) => void;

  constructor(socket: net.Socket, timings: LinkTimings) {
    this.socket = socket;
    this.out = new TickBatcher(socket);
    this.timings = timings;
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.closeInfo) return;
      try {
        this.decoder.push(chunk, (f) => {
          this.onFrame(f);
        });
      } catch (err) {
        this.close(err instanceof FrameError ? 'corrupt' : 'error', errorMessage(err));
      }
    });
    socket.on('error', (err) => {
      this.close('error', errorMessage(err));
    });
    socket.on('end', () => {
      this.close('remote', 'peer closed the connection');
    });
    socket.on('close', () => {
      this.close('remote', 'connection closed');
    });
    const tick = Math.max(10, Math.min(timings.pingIntervalMs, timings.pingTimeoutMs, timings.ackTimeoutMs) / 4);
    this.timer = setInterval(() => {
      this.checkLiveness();
    }, tick);
    this.timer.unref();
  }

  get isClosed(): boolean {
    return this.closeInfo !== null;
  }

  get closeReason(): string | null {
    return this.closeInfo?.reason ?? null;
  }

  /** Bytes queued in the socket but not yet sent: the resync window uses it as back-pressure. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  setHandler(handler: ((f: Frame) => void) | null): void {
    this.handler = handler;
    while (handler && this.buffered.length > 0 && this.handler === handler && !this.closeInfo) {
      const f = this.buffered.shift();
      if (f) handler(f);
    }
  }

  /** Puts frames taken by an earlier handler back in front of the queue, in order. */
  requeue(frames: readonly Frame[]): void {
    this.buffered.unshift(...frames);
  }

  onClose(listener: (kind: LinkCloseKind, reason: string) => void): void {
    if (this.closeInfo) listener(this.closeInfo.kind, this.closeInfo.reason);
    else this.closeListeners.push(listener);
  }

  /** Sends a frame; returns its seq, or -1 when the link is closed. */
  send(type: number, flags = 0, offset = 0, arg = 0, payload: Payload = null, seq = this.nextSeq++): number {
    if (this.closeInfo || this.socket.destroyed) return -1;
    this.out.write(encodeHeader(type, flags, seq, offset, arg, payload));
    if (payload instanceof Uint8Array) {
      if (payload.length > 0) this.out.write(payload);
    } else if (payload) {
      for (const p of payload) if (p.length > 0) this.out.write(p);
    }
    return seq;
  }

  sendJson(type: number, value: unknown, flags = 0, arg = 0): number {
    return this.send(type, flags, 0, arg, jsonPayload(value));
  }

  /** Sends a request frame and waits for the reply with the same seq (null if the link dies first). */
  request(type: number, flags = 0, offset = 0, arg = 0, payload: Payload = null): Promise<Frame | null> {
    if (this.closeInfo) return Promise.resolve(null);
    const seq = this.nextSeq++;
    return new Promise((resolve) => {
      this.pending.set(seq, { resolve, sentAt: performance.now() });
      if (this.send(type, flags, offset, arg, payload, seq) < 0) {
        this.pending.delete(seq);
        resolve(null);
      }
    });
  }

  requestJson(type: number, value: unknown, flags = 0, arg = 0): Promise<Frame | null> {
    return this.request(type, flags, 0, arg, jsonPayload(value));
  }

  reply(to: Frame, arg = 0, payload: Payload = null): void {
    this.send(to.type, FrameFlag.REPLY, to.offset, arg, payload, to.seq);
  }

  close(kind: LinkCloseKind = 'local', reason = 'closed locally'): void {
    if (this.closeInfo) return;
    this.closeInfo = { kind, reason };
    clearInterval(this.timer);
    if (kind === 'local' || kind === 'error') {
      // Let frames already written (an AUTH_FAIL, a GOODBYE) reach the peer; end() also uncorks.
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.resolve(null);
    this.buffered.length = 0;
    for (const l of this.closeListeners.splice(0)) l(kind, reason);
    this.resolveClosed(this.closeInfo);
  }

  private onFrame(f: Frame): void {
    if ((f.flags & FrameFlag.REPLY) !== 0) {
      if (f.type === FrameType.PONG) {
        if (f.seq === this.pingSeq) this.pingSentAt = 0;
        return;
      }
      const p = this.pending.get(f.seq);
      if (p) {
        this.pending.delete(f.seq);
        p.resolve(f);
      }
      return;
    }
    if (f.type === FrameType.PING) {
      this.send(FrameType.PONG, FrameFlag.REPLY, 0, 0, null, f.seq);
      return;
    }
    if (this.handler) this.handler(f);
    else this.buffered.push(f);
  }

  private checkLiveness(): void {
    if (this.closeInfo) return;
    const now = performance.now();
    const oldest = this.pending.values().next();
    if (!oldest.done && now - oldest.value.sentAt > this.timings.ackTimeoutMs) {
      this.close('timeout', `no reply from the peer within ${this.timings.ackTimeoutMs} ms (ack timeout)`);
      return;
    }
    if (this.pingSentAt !== 0) {
      if (now - this.pingSentAt > this.timings.pingTimeoutMs) {
        this.close('timeout', `no answer to ping within ${this.timings.pingTimeoutMs} ms`);
      }
      return;
    }
    if (now - this.lastPingAt >= this.timings.pingIntervalMs) {
      this.lastPingAt = now;
      this.pingSentAt = now;
      this.pingSeq = this.send(FrameType.PING, 0, 0, 0, null);
    }
  }
}
