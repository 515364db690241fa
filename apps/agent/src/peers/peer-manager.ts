/**
 * Keeps an authenticated link to every other server of the cluster, redialling with backoff, and offers
 * request/response and notices over them. Liveness is not decided here (heartbeats do that); a link is just the
 * channel for orders, reports, config and alerts.
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { PeerNotice, PeerRequest } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import { KumoError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { dialPeer } from './peer-link.js';
import type { PeerLink } from './peer-link.js';

export interface PeerAddress {
  name: string;
  address: string;
  port: number;
}

/** The same refusal (peer, address, kind of reason) is raised at most once in this window, as heartbeats do. */
const REFUSED_QUIET_MS = 30_000;

export type RequestHandler = (from: string, req: PeerRequest) => Promise<unknown>;

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  server: string;
}

export interface PeerManagerEvents {
  up: [string];
  down: [string];
  notice: [string, PeerNotice];
  refused: [{ server: string | null; address: string; reason: string }];
}

export class PeerManager extends EventEmitter<PeerManagerEvents> {
  private readonly links = new Map<string, Set<PeerLink>>();
  private readonly pending = new Map<string, Pending>();
  private readonly dialers = new Map<string, { peer: PeerAddress; stop: () => void }>();
  private readonly refusedAt = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly opts: {
      key: ClusterKey;
      self: string;
      selfAddress: string;
      onRequest: RequestHandler;
      log: Logger;
      /** Whether the peers serve HTTPS (the cluster's WebUI security setting). */
      tls?: () => boolean;
      /** Redial backoff bounds. */
      minBackoffMs?: number;
      maxBackoffMs?: number;
      now?: () => number;
    },
  ) {
    super();
  }

  get self(): string {
    return this.opts.self;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /**
   * Reports a refused peer connection or frame (the agent raises it as an alert). The same refusal is reported
   * at most once per REFUSED_QUIET_MS: every alert is stored and sent to every peer, so a burst of refusals must
   * not turn into an alert storm across the cluster.
   */
  refused(r: { server: string | null; address: string; reason: string }): void {
    const key = `${r.server ?? ''}|${r.address}|${r.reason.slice(0, 30)}`;
    const now = this.now();
    const last = this.refusedAt.get(key);
    if (last !== undefined && now - last < REFUSED_QUIET_MS) return;
    if (this.refusedAt.size > 1000) {
      for (const [k, at] of this.refusedAt) if (now - at >= REFUSED_QUIET_MS) this.refusedAt.delete(k);
    }
    this.refusedAt.set(key, now);
    this.emit('refused', r);
  }

  /** The servers we should keep links to (everyone in the config but us). Dialling starts or stops to match. */
  setPeers(peers: readonly PeerAddress[]): void {
    const wanted = new Map(peers.filter((p) => p.name !== this.opts.self).map((p) => [p.name, p] as const));
    for (const [name, d] of this.dialers) {
      const w = wanted.get(name);
      if (!w || w.address !== d.peer.address || w.port !== d.peer.port) {
        d.stop();
        this.dialers.delete(name);
      }
    }
    for (const [name, peer] of wanted) if (!this.dialers.has(name)) this.dialers.set(name, { peer, stop: this.dialLoop(peer) });
  }

  connected(server: string): boolean {
    return this.link(server) !== undefined;
  }

  connectedServers(): string[] {
    return [...this.links.keys()].filter((s) => this.connected(s));
  }

  /** Registers an authenticated link (accepted or dialled). */
  adopt(link: PeerLink): void {
    if (this.closed) {
      link.close('shutting down');
      return;
    }
    let set = this.links.get(link.server);
    const wasUp = this.connected(link.server);
    if (!set) {
      set = new Set();
      this.links.set(link.server, set);
    }
    set.add(link);
    link.on('body', (body) => {
      switch (body.type) {
        case 'req':
          this.opts.onRequest(link.server, body.req).then(
            (res) => link.send({ type: 'res', id: body.id, ok: true, res: res ?? null }),
            (e: unknown) => {
              const err = e instanceof KumoError ? e : new KumoError('KUMO_E_INTERNAL', e instanceof Error ? e.message : String(e));
              link.send({ type: 'err', id: body.id, error: err.toBody() });
            },
          );
          break;
        case 'res':
        case 'err': {
          const p = this.pending.get(body.id);
          if (!p) return;
          this.pending.delete(body.id);
          clearTimeout(p.timer);
          if (body.type === 'res') p.resolve(body.res);
          else p.reject(new KumoError(body.error.code, body.error.message, body.error.details));
          break;
        }
        case 'notice':
          this.emit('notice', link.server, body.notice);
          break;
        default: {
          const check: never = body;
          throw new Error(`unhandled peer body ${String(check)}`);
        }
      }
    });
    link.on('close', (reason) => {
      set.delete(link);
      if (reason.startsWith('refused')) this.refused({ server: link.server, address: link.address, reason });
      if (!this.connected(link.server)) {
        for (const [id, p] of this.pending) {
          if (p.server !== link.server) continue;
          this.pending.delete(id);
          clearTimeout(p.timer);
          p.reject(new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `the connection to ${link.server} was lost (${reason})`));
        }
        this.emit('down', link.server);
      }
    });
    if (!wasUp) this.emit('up', link.server);
  }

  private link(server: string): PeerLink | undefined {
    const set = this.links.get(server);
    if (!set) return undefined;
    let last: PeerLink | undefined;
    for (const l of set) if (l.open) last = l;
    return last;
  }

  /** Sends a request over the live link to `server`, or dials `via` for a one-shot exchange. */
  async request(server: string, req: PeerRequest, timeoutMs: number, via?: { address: string; port: number }): Promise<unknown> {
    const live = this.link(server);
    if (live) return this.requestOn(live, req, timeoutMs);
    const target = via ?? this.dialers.get(server)?.peer;
    if (!target) throw new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `${server} is not connected and its address is unknown`);
    const link = await this.dialOnce(target.address, target.port);
    try {
      if (link.server !== server) {
        throw new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `${target.address}:${target.port} is server "${link.server}", not "${server}"; check the server's name and address`);
      }
      return await this.requestOn(link, req, timeoutMs);
    } finally {
      link.close('one-shot request done');
    }
  }

  /** Dials an address whose server name is not known yet (the wizard's Add, the first apply). */
  async requestAddress(address: string, port: number, req: PeerRequest, timeoutMs: number): Promise<{ server: string; result: unknown }> {
    const link = await this.dialOnce(address, port);
    try {
      return { server: link.server, result: await this.requestOn(link, req, timeoutMs) };
    } finally {
      link.close('one-shot request done');
    }
  }

  private async dialOnce(address: string, port: number): Promise<PeerLink> {
    try {
      const link = await dialPeer(address, port, { key: this.opts.key, self: this.opts.self, selfAddress: this.opts.selfAddress, timeoutMs: 3000, tls: this.opts.tls?.() ?? false });
      // One-shot links still answer requests from the other side and carry notices.
      this.attachOneShot(link);
      return link;
    } catch (e) {
      throw new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `cannot reach the agent at ${address}:${port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private attachOneShot(link: PeerLink): void {
    link.on('body', (body) => {
      if (body.type === 'res' || body.type === 'err') {
        const p = this.pending.get(body.id);
        if (!p) return;
        this.pending.delete(body.id);
        clearTimeout(p.timer);
        if (body.type === 'res') p.resolve(body.res);
        else p.reject(new KumoError(body.error.code, body.error.message, body.error.details));
      }
    });
  }

  private requestOn(link: PeerLink, req: PeerRequest, timeoutMs: number): Promise<unknown> {
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new KumoError('KUMO_E_TIMEOUT', `${link.server} did not answer "${req.op}" within ${Math.round(timeoutMs / 100) / 10} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, server: link.server });
      if (!link.send({ type: 'req', id, req })) {
        this.pending.delete(id);
        clearTimeout(timer);
        reject(new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `the connection to ${link.server} is closed`));
      }
    });
  }

  notify(server: string, notice: PeerNotice): boolean {
    const link = this.link(server);
    return link ? link.send({ type: 'notice', notice }) : false;
  }

  broadcast(notice: PeerNotice): void {
    for (const server of this.links.keys()) this.notify(server, notice);
  }

  private dialLoop(peer: PeerAddress): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const min = this.opts.minBackoffMs ?? 200;
    const max = this.opts.maxBackoffMs ?? 2000;
    let backoff = min;
    const attempt = async () => {
      if (stopped || this.closed) return;
      if (!this.link(peer.name)) {
        try {
          const link = await dialPeer(peer.address, peer.port, { key: this.opts.key, self: this.opts.self, selfAddress: this.opts.selfAddress, timeoutMs: 3000, tls: this.opts.tls?.() ?? false });
          if (stopped || this.closed) {
            link.close('not wanted');
            return;
          }
          if (link.server !== peer.name) {
            this.opts.log.warn(`the agent at ${peer.address}:${peer.port} is "${link.server}", not "${peer.name}"`);
            link.close('wrong server');
          } else {
            this.adopt(link);
            backoff = min;
          }
        } catch (e) {
          const reason = e instanceof Error ? e.message : String(e);
          if (/refused the connection|does not hold the cluster key/.test(reason)) {
            this.refused({ server: peer.name, address: peer.address, reason });
          }
          this.opts.log.debug(`dial ${peer.name} failed`, { reason });
          backoff = Math.min(max, backoff * 2);
        }
      }
      if (!stopped && !this.closed) timer = setTimeout(() => void attempt(), this.link(peer.name) ? max : backoff);
    };
    void attempt();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }

  close(): void {
    this.closed = true;
    for (const d of this.dialers.values()) d.stop();
    this.dialers.clear();
    for (const set of this.links.values()) for (const l of set) l.close('shutting down');
    this.links.clear();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', 'the agent is shutting down'));
    }
    this.pending.clear();
  }
}
