/**
 * One authenticated connection between two agents over a WebSocket (`/api/peer`).
 *
 * Handshake: the accepting side sends a random challenge; the dialling side answers with its own nonce and an
 * HMAC proof over both nonces and its name; the acceptor answers with its proof. Each side thereby proves it
 * holds the cluster key without sending it. Both then derive a session key from the two nonces. Every frame
 * after that carries a per-direction sequence number and an HMAC under the session key: a frame replayed on the
 * same connection fails the sequence check, one replayed on another connection fails the MAC. Any failure
 * closes the connection and is reported to the caller (who logs it and raises an alert).
 */
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import {
  PEER_PROTOCOL,
  peerBodySchema,
  peerChallengeSchema,
  peerFrameSchema,
  peerHelloSchema,
  peerWelcomeSchema,
} from '@kumo/shared';
import type { PeerBody } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import { hmacHex, nonce, safeEqualHex } from '../crypto/cluster-key.js';

export class PeerAuthError extends Error {
  override readonly name = 'PeerAuthError';

  constructor(
    message: string,
    /**
     * The handshake was cut short (the other side closed, errored or went silent) without anything proving a
     * wrong key: an overloaded or restarting peer looks like this, so it is not an authentication failure.
     */
    readonly aborted = false,
  ) {
    super(message);
  }
}

const HANDSHAKE_TIMEOUT_MS = 5000;
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * A link pings its peer every `intervalMs` and is dead when nothing (frame or pong) came for `timeoutMs`. TCP does
 * not notice a path that silently drops packets (a security group or firewall changed under a running cluster):
 * without this, such a link would look open for good while every request on it timed out and every report was lost.
 */
export interface Liveness {
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_LIVENESS: Liveness = { intervalMs: 5000, timeoutMs: 20_000 };

function proof(key: ClusterKey, role: 'client' | 'server', first: string, second: string, name: string): string {
  return key.hmac(`${PEER_PROTOCOL}|${role}|${first}|${second}|${name}`);
}

function parseJson(data: RawData): unknown {
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  return JSON.parse(text) as unknown;
}

/**
 * Buffers a socket's messages during the handshake. Several frames can arrive in one TCP read (the peer may
 * send its first frames right behind the welcome), and ws emits them synchronously, so a per-message promise
 * would lose them; the queue hands the leftovers to the PeerLink.
 */
class HandshakeQueue {
  private readonly queued: RawData[] = [];
  private waiter: ((d: RawData | Error) => void) | undefined;
  private readonly onMessage = (data: RawData) => {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(data);
    } else this.queued.push(data);
  };
  private readonly onClose = () => this.waiter?.(new PeerAuthError('the connection closed during the handshake', true));
  private readonly onError = (e: Error) => this.waiter?.(new PeerAuthError(`connection error during the handshake: ${e.message}`, true));

  constructor(private readonly ws: WebSocket) {
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('error', this.onError);
  }

  next(timeoutMs: number): Promise<unknown> {
    const first = this.queued.shift();
    const parse = (data: RawData) => {
      try {
        return parseJson(data);
      } catch {
        throw new PeerAuthError('the peer sent a malformed handshake message');
      }
    };
    if (first) return Promise.resolve().then(() => parse(first));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new PeerAuthError('the peer did not complete the handshake in time', true));
      }, timeoutMs);
      this.waiter = (d) => {
        clearTimeout(timer);
        if (d instanceof Error) reject(d);
        else {
          try {
            resolve(parse(d));
          } catch (e) {
            reject(e instanceof Error ? e : new PeerAuthError(String(e)));
          }
        }
      };
    });
  }

  /** Stops buffering; returns what arrived after the last handshake message. */
  detach(): RawData[] {
    this.ws.off('message', this.onMessage);
    this.ws.off('close', this.onClose);
    this.ws.off('error', this.onError);
    return this.queued.splice(0);
  }
}

export interface PeerLinkEvents {
  body: [PeerBody];
  close: [string];
}

export class PeerLink extends EventEmitter<PeerLinkEvents> {
  private sendSeq = 0;
  private recvSeq = 0;
  private closed = false;
  private heardAt = Date.now();
  /** The first ping sent after the last thing heard (null: none unanswered). Silence counts from it. */
  private pingedAt: number | null = null;
  private pinger: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly sessionKey: Buffer,
    /** The peer's server name, proven by the handshake. */
    readonly server: string,
    /** The address the peer connects from (acceptor side) or was dialled at. */
    readonly address: string,
    private readonly direction: 'c2s' | 's2c',
    /** Frames that arrived together with the end of the handshake. */
    initial: RawData[] = [],
    /** Read at every ping: a link made before the cluster's config keeps up with it. */
    liveness: () => Liveness = () => DEFAULT_LIVENESS,
  ) {
    super();
    ws.on('pong', () => {
      this.heardAt = Date.now();
    });
    // Silence counts from the first unanswered ping, not from the last thing heard: a link pinged at a longer
    // interval before (made before the cluster's config) is not dead by a shorter timeout that came since.
    const unanswered = () => this.pingedAt !== null && this.heardAt < this.pingedAt;
    const ping = () => {
      const { intervalMs, timeoutMs } = liveness();
      const now = Date.now();
      if (unanswered() && now - this.pingedAt! > timeoutMs) {
        // After a stalled event loop the answer may be waiting in the socket: read what arrived first.
        setImmediate(() => {
          if (this.closed) return;
          if (unanswered()) this.shutdown(`nothing heard from ${server} for ${Math.round((Date.now() - this.heardAt) / 1000)} s: the connection is dead`, true);
          else this.pinger = setTimeout(ping, intervalMs).unref();
        });
        return;
      }
      if (!unanswered()) this.pingedAt = now;
      if (ws.readyState === WebSocket.OPEN) ws.ping();
      this.pinger = setTimeout(ping, intervalMs).unref();
    };
    this.pinger = setTimeout(ping, liveness().intervalMs).unref();
    // Frames that arrived with the end of the handshake are delivered after the caller has attached its
    // listeners; frames arriving meanwhile queue behind them, so that the sequence stays in order (handing a
    // later frame over first would be refused as out of sequence and close a healthy link).
    let held: RawData[] | null = initial.length > 0 ? [...initial] : null;
    ws.on('message', (data) => {
      if (held) held.push(data);
      else this.onFrame(data);
    });
    ws.on('close', () => this.shutdown('connection closed'));
    ws.on('error', (e) => this.shutdown(`connection error: ${e.message}`));
    if (held) {
      setImmediate(() => {
        const frames = held ?? [];
        held = null;
        for (const d of frames) this.onFrame(d);
      });
    }
  }

  get open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN;
  }

  private get recvDirection(): string {
    return this.direction === 'c2s' ? 's2c' : 'c2s';
  }

  send(body: PeerBody): boolean {
    if (!this.open) return false;
    this.sendSeq += 1;
    const json = JSON.stringify(body);
    const mac = hmacHex(this.sessionKey, `${this.direction}|${this.sendSeq}|${json}`);
    this.ws.send(`{"seq":${this.sendSeq},"mac":"${mac}","body":${json}}`);
    return true;
  }

  /** Sends a raw frame as received elsewhere (tests use it to prove that replays are refused). */
  sendRawForTest(frame: string): void {
    this.ws.send(frame);
  }

  close(reason = 'closed'): void {
    this.shutdown(reason);
  }

  private onFrame(data: RawData): void {
    if (this.closed) return;
    this.heardAt = Date.now();
    // Everything a peer sends is untrusted until its MAC checks out; a frame that cannot even be parsed or
    // serialised (a body nested deeper than the stack, say) is refused like any other malformed one.
    try {
      this.acceptFrame(data);
    } catch {
      this.shutdown('refused a malformed frame');
    }
  }

  private acceptFrame(data: RawData): void {
    const frame = peerFrameSchema.parse(parseJson(data));
    const json = JSON.stringify(frame.body);
    if (frame.seq !== this.recvSeq + 1) {
      this.shutdown(`refused a frame out of sequence (got ${frame.seq}, expected ${this.recvSeq + 1}): a replayed or lost message`);
      return;
    }
    if (!safeEqualHex(hmacHex(this.sessionKey, `${this.recvDirection}|${frame.seq}|${json}`), frame.mac)) {
      this.shutdown('refused a frame with a bad MAC: a replayed or forged message');
      return;
    }
    this.recvSeq = frame.seq;
    const body = peerBodySchema.safeParse(frame.body);
    if (!body.success) {
      this.shutdown('refused a frame whose body is not a known message');
      return;
    }
    this.emit('body', body.data);
  }

  private shutdown(reason: string, dead = false): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.pinger);
    try {
      // A dead connection would not complete a closing handshake: drop it.
      if (dead) this.ws.terminate();
      else this.ws.close(reason.startsWith('refused') ? 4001 : 1000, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    this.emit('close', reason);
  }
}

export interface HandshakeOptions {
  key: ClusterKey;
  self: string;
  selfAddress: string;
  /** How the link checks that its peer is still there, read at every ping (default DEFAULT_LIVENESS). */
  liveness?: () => Liveness;
}

/** Acceptor side: run the handshake on a fresh socket. Rejects with PeerAuthError (the socket is closed). */
export async function acceptPeer(ws: WebSocket, remoteAddress: string, opts: HandshakeOptions): Promise<PeerLink> {
  const serverNonce = nonce();
  const queue = new HandshakeQueue(ws);
  const pending = queue.next(HANDSHAKE_TIMEOUT_MS);
  pending.catch(() => undefined);
  ws.send(JSON.stringify({ type: 'challenge', nonce: serverNonce, server: opts.self }));
  try {
    const hello = peerHelloSchema.safeParse(await pending);
    if (!hello.success) throw new PeerAuthError('the peer did not answer the challenge with a valid hello');
    const { nonce: clientNonce, server, proof: given } = hello.data;
    if (!safeEqualHex(proof(opts.key, 'client', serverNonce, clientNonce, server), given)) {
      throw new PeerAuthError(`the peer calling itself ${server} does not hold the cluster key`);
    }
    ws.send(JSON.stringify({ type: 'welcome', server: opts.self, proof: proof(opts.key, 'server', clientNonce, serverNonce, opts.self) }));
    const sessionKey = Buffer.from(opts.key.hmac(`${PEER_PROTOCOL}|session|${serverNonce}|${clientNonce}`), 'hex');
    return new PeerLink(ws, sessionKey, server, remoteAddress, 's2c', queue.detach(), opts.liveness);
  } catch (e) {
    queue.detach();
    const err = e instanceof PeerAuthError ? e : new PeerAuthError(String(e), true);
    try {
      ws.send(JSON.stringify({ type: 'refused', reason: err.message }));
      ws.close(4001, 'authentication failed');
    } catch {
      ws.terminate();
    }
    throw err;
  }
}

/**
 * Dialling side: connect to `ws://host:port/api/peer` (`wss://` when the cluster's WebUI uses HTTPS) and
 * authenticate both ways. Over TLS the certificate is not what proves the peer — the cluster key does — so a
 * self-signed certificate is accepted; TLS there adds confidentiality.
 */
export async function dialPeer(host: string, port: number, opts: HandshakeOptions & { timeoutMs?: number; tls?: boolean }): Promise<PeerLink> {
  // On loopback, where each emulated server has an address of its own, the kernel would send from 127.0.0.1: the
  // link leaves from this server's address instead, so that the peer sees who it is and a firewall rule for that
  // address applies to it. On a real network the route picks the source (an address bound here might belong to
  // another interface, or another family), so nothing is bound there.
  const loopback = (a: string) => isIP(a) === 4 && a.startsWith('127.');
  const bindable = loopback(opts.selfAddress) && loopback(host);
  const ws = new WebSocket(`${opts.tls ? 'wss' : 'ws'}://${host}:${port}/api/peer`, {
    ...(opts.tls ? { rejectUnauthorized: false } : {}),
    ...(bindable ? { localAddress: opts.selfAddress } : {}),
    handshakeTimeout: opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
  });
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (e) => reject(e));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} from ${host}:${port}`)));
  });
  const queue = new HandshakeQueue(ws);
  try {
    await opened;
    const challenge = peerChallengeSchema.safeParse(await queue.next(opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS));
    if (!challenge.success) throw new PeerAuthError(`${host}:${port} is not a Kumo agent (no valid challenge)`);
    const clientNonce = nonce();
    const answer = queue.next(opts.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    answer.catch(() => undefined);
    ws.send(
      JSON.stringify({
        type: 'hello',
        nonce: clientNonce,
        server: opts.self,
        address: opts.selfAddress,
        proof: proof(opts.key, 'client', challenge.data.nonce, clientNonce, opts.self),
      }),
    );
    const reply = await answer;
    const welcome = peerWelcomeSchema.safeParse(reply);
    if (!welcome.success) {
      const refused = typeof reply === 'object' && reply !== null && 'reason' in reply ? String((reply).reason) : 'no welcome';
      throw new PeerAuthError(`${host}:${port} refused the connection: ${refused}`);
    }
    if (!safeEqualHex(proof(opts.key, 'server', clientNonce, challenge.data.nonce, welcome.data.server), welcome.data.proof)) {
      throw new PeerAuthError(`${host}:${port} (calling itself ${welcome.data.server}) does not hold the cluster key`);
    }
    const sessionKey = Buffer.from(opts.key.hmac(`${PEER_PROTOCOL}|session|${challenge.data.nonce}|${clientNonce}`), 'hex');
    return new PeerLink(ws, sessionKey, welcome.data.server, host, 'c2s', queue.detach(), opts.liveness);
  } catch (e) {
    queue.detach();
    ws.terminate();
    throw e;
  }
}
