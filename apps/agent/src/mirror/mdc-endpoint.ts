/**
 * Establishes authenticated mirror-disk-connect links. Both servers listen on their MDC address; the one
 * whose server name sorts first also dials the other, with exponential backoff, so exactly one side
 * initiates and no duplicate connections race.
 *
 * Authentication is an HMAC-SHA256 challenge-response over the shared cluster key: each side sends a
 * random nonce; each proves knowledge of the key by MACing both nonces, its role and both names. A process
 * without the key cannot complete the exchange, cannot replay an old one (fresh nonces) and cannot reflect
 * one side's proof to the other (the role and names are inside the MAC). After authentication, frames are
 * protected by CRC32C only: the link is meant for a dedicated mirror network.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import { errorMessage } from './errors.js';
import { MdcLink, type LinkTimings } from './mdc-link.js';
import { type AuthHello, type Frame, FrameType, authFailSchema, authHelloSchema, frameBytes, parsePayload } from './mdc-protocol.js';

export type AuthFailure =
  | { kind: 'bad-proof'; remote: string; message: string }
  | { kind: 'rejected-by-peer'; remote: string; message: string }
  | { kind: 'config-mismatch'; remote: string; message: string }
  | { kind: 'protocol'; remote: string; message: string };

export interface MdcEndpointOptions extends LinkTimings {
  localServer: string;
  peerServer: string;
  resource: string;
  listen: { host: string; port: number };
  peer: { host: string; port: number };
  key: Buffer;
  connectTimeoutMs: number;
  reconnectMaxMs: number;
  /** An authenticated link; the endpoint keeps dialing only after it closes. */
  onLink: (link: MdcLink) => void;
  onAuthFailure: (f: AuthFailure) => void;
  onProblem: (message: string) => void;
}

const AUTH_LABEL = 'kumo-mdc-auth-v1';

export class MdcEndpoint {
  private readonly opts: MdcEndpointOptions;
  readonly dials: boolean;
  private server: net.Server | null = null;
  private enabled = true;
  private stopped = false;
  private current: MdcLink | null = null;
  private backoffMs = 0;
  private wake: (() => void) | null = null;
  private dialLoop: Promise<void> | null = null;
  private readonly handshaking = new Set<net.Socket>();

  constructor(opts: MdcEndpointOptions) {
    this.opts = opts;
    this.dials = opts.localServer < opts.peerServer;
  }

  async start(): Promise<void> {
    const server = net.createServer((socket) => {
      this.onIncoming(socket);
    });
    server.on('error', (err) => {
      this.opts.onProblem(`MDC listener ${this.opts.listen.host}:${this.opts.listen.port}: ${errorMessage(err)}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.opts.listen.host, port: this.opts.listen.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    if (this.dials) this.dialLoop = this.runDialLoop();
  }

  /** Stops or resumes dialing and accepting (breakMirror isolates the server). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    if (enabled) this.kick();
  }

  /** Dials again now instead of waiting out the backoff. */
  kick(): void {
    this.backoffMs = 0;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.current?.close('local', 'mirror disk closing');
    for (const s of this.handshaking) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.dialLoop;
  }

  private onIncoming(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.stopped || !this.enabled) {
      socket.destroy();
      return;
    }
    void this.authenticateAndHandOver(socket, false);
  }

  private async runDialLoop(): Promise<void> {
    while (!this.stopped) {
      if (!this.enabled || (this.current && !this.current.isClosed)) {
        if (this.current && !this.current.isClosed) await Promise.race([this.current.closed, this.sleep(60_000)]);
        else await this.sleep(60_000);
        continue;
      }
      if (this.backoffMs > 0) await this.sleep(this.backoffMs);
      if (this.stopped || !this.enabled || (this.current && !this.current.isClosed)) continue;
      const ok = await this.dialOnce();
      this.backoffMs = ok ? 0 : Math.min(this.opts.reconnectMaxMs, Math.max(100, this.backoffMs * 2));
      if (ok && this.current) {
        await this.current.closed;
        // A link that lived is followed by a quick redial; a link that dies at once backs off.
        this.backoffMs = 100;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wake = () => {
        this.wake = null;
        done();
      };
    });
  }

  private async dialOnce(): Promise<boolean> {
    const socket = net.connect({ host: this.opts.peer.host, port: this.opts.peer.port });
    socket.on('error', () => undefined);
    // stop() destroys it, so a connect to an unanswering address does not hold the close up.
    this.handshaking.add(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => {
        resolve(false);
      }, this.opts.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(t);
        resolve(true);
      });
      socket.once('error', () => {
        clearTimeout(t);
        resolve(false);
      });
      socket.once('close', () => {
        clearTimeout(t);
        resolve(false);
      });
    });
    this.handshaking.delete(socket);
    if (!connected || this.stopped) {
      socket.destroy();
      return false;
    }
    return this.authenticateAndHandOver(socket, true);
  }

  private async authenticateAndHandOver(socket: net.Socket, dialer: boolean): Promise<boolean> {
    this.handshaking.add(socket);
    const link = new MdcLink(socket, this.opts);
    try {
      await authenticate(link, dialer, this.opts);
    } catch (err) {
      if (err instanceof AuthError) this.opts.onAuthFailure(err.failure);
      else this.opts.onProblem(`MDC handshake with ${link.remote}: ${errorMessage(err)}`);
      link.close('error', errorMessage(err));
      return false;
    } finally {
      this.handshaking.delete(socket);
    }
    if (this.stopped || !this.enabled) {
      link.close('local', this.stopped ? 'mirror disk closing' : 'server isolated');
      return false;
    }
    this.current = link;
    this.opts.onLink(link);
    return true;
  }
}

class AuthError extends Error {
  readonly failure: AuthFailure;
  constructor(failure: AuthFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

export function authProof(
  key: Buffer,
  role: 'dialer' | 'acceptor',
  challenge: Buffer,
  ownNonce: Buffer,
  from: string,
  to: string,
  resource: string,
): Buffer {
  const h = createHmac('sha256', key);
  h.update(AUTH_LABEL);
  h.update('\0');
  h.update(role);
  h.update('\0');
  h.update(challenge);
  h.update(ownNonce);
  for (const s of [from, to, resource]) {
    h.update('\0');
    h.update(s, 'utf8');
  }
  return h.digest();
}

/** Runs the challenge-response on a fresh link; resolves when both sides are proven, throws AuthError. */
async function authenticate(
  link: MdcLink,
  dialer: boolean,
  opts: Pick<MdcEndpointOptions, 'localServer' | 'peerServer' | 'resource' | 'key' | 'connectTimeoutMs'>,
): Promise<void> {
  const remote = link.remote;
  const nonce = randomBytes(32);
  const hello: AuthHello = { v: 1, server: opts.localServer, peer: opts.peerServer, resource: opts.resource, nonce: nonce.toString('hex') };
  const frames: Frame[] = [];
  let wake: (() => void) | null = null;
  link.setHandler((f) => {
    frames.push(f);
    wake?.();
  });
  const deadline = Date.now() + opts.connectTimeoutMs;
  const next = async (): Promise<Frame> => {
    for (;;) {
      const f = frames.shift();
      if (f) return f;
      if (link.isClosed) throw new AuthError({ kind: 'protocol', remote, message: `connection closed during authentication: ${link.closeReason ?? ''}` });
      const left = deadline - Date.now();
      if (left <= 0) throw new AuthError({ kind: 'protocol', remote, message: 'authentication timed out' });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        wake = () => {
          clearTimeout(t);
          wake = null;
          resolve();
        };
      });
    }
  };
  const fail = (failure: AuthFailure): never => {
    link.sendJson(FrameType.AUTH_FAIL, { reason: failure.message });
    throw new AuthError(failure);
  };
  const expect = async (type: number): Promise<Frame> => {
    const f = await next();
    if (f.type === FrameType.AUTH_FAIL) {
      const why = parsePayload(authFailSchema, frameBytes(f))?.reason ?? 'no reason given';
      throw new AuthError({ kind: 'rejected-by-peer', remote, message: `the peer refused this server: ${why}` });
    }
    if (f.type !== type) fail({ kind: 'protocol', remote, message: `unexpected frame type ${f.type} during authentication` });
    return f;
  };

  link.sendJson(FrameType.AUTH_HELLO, hello);
  const peerHello = parsePayload(authHelloSchema, frameBytes(await expect(FrameType.AUTH_HELLO)));
  if (!peerHello) return fail({ kind: 'protocol', remote, message: 'malformed authentication hello' });
  if (peerHello.resource !== opts.resource || peerHello.server !== opts.peerServer || peerHello.peer !== opts.localServer) {
    return fail({
      kind: 'config-mismatch',
      remote,
      message: `expected ${opts.peerServer} for ${opts.resource}, got ${peerHello.server} for ${peerHello.resource} (which expects ${peerHello.peer})`,
    });
  }
  const peerNonce = Buffer.from(peerHello.nonce, 'hex');
  const role = dialer ? 'dialer' : 'acceptor';
  const peerRole = dialer ? 'acceptor' : 'dialer';
  link.send(FrameType.AUTH_PROOF, 0, 0, 0, authProof(opts.key, role, peerNonce, nonce, opts.localServer, opts.peerServer, opts.resource));
  const proof = frameBytes(await expect(FrameType.AUTH_PROOF));
  const want = authProof(opts.key, peerRole, nonce, peerNonce, opts.peerServer, opts.localServer, opts.resource);
  if (proof.length !== want.length || !timingSafeEqual(proof, want)) {
    fail({ kind: 'bad-proof', remote, message: `${remote} (claiming to be ${peerHello.server}) failed the cluster-key check` });
  }
  // Hold later frames until the mirror installs its handler.
  link.setHandler(null);
  link.requeue(frames.splice(0));
}
