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
import type { Liveness, PeerLink } from './peer-link.js';

export interface PeerAddress {
  name: string;
  address: string;
  port: number;
}

/** The same refusal (peer, address, kind of reason) is raised at most once in this window, as heartbeats do. */
const REFUSED_QUIET_MS = 30_000;
/**
 * Reports in a big cluster. Every report a server receives runs its whole decision step (which copies its whole
 * state, every member's report included), and every server sends its report to every peer on each change and
 * every few seconds: at 32 servers that is ~1,000 deliveries per round, and the cluster saturated two cores
 * with them. From REPORT_DEDUP_MIN_PEERS peers on (smaller clusters see every report at once, as before):
 *  - sending: a server sends its report to a peer at most once per `reportIntervalMs()`, the newest one (a
 *    report is a full snapshot, so a newer one replaces an unsent older one), and always before any other
 *    message to that peer, so that a peer never sees an order or result ahead of the report it follows; the
 *    periodic copy of a report the peer already has is sent only once per REPORT_REFRESH_MS;
 *  - receiving: reports that queued up from one server are handed on once, the newest one, before any other
 *    message from that server; and a report identical to the last one handed on from that server (all but its
 *    generation time) is passed on at most once per REPORT_REFRESH_MS, and so is one that differs only in the
 *    intent table when that table is the one this server holds already (a new master table is otherwise
 *    followed by 31 reports repeating it). A changed report, or the first one on a new link, always passes.
 */
const REPORT_DEDUP_MIN_PEERS = 4;
const REPORT_REFRESH_MS = 30_000;
const REPORT_INTERVAL_PER_PEER_MS = 30;
const REPORT_INTERVAL_MAX_MS = 1000;

type ReportNotice = Extract<PeerNotice, { type: 'report' }>;

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
  /** Per server: the last report delivered (without its generation time and intent table, then the table) and when. */
  private readonly lastReport = new Map<string, { text: string; table: string; at: number }>();
  /** The intent table in the last report this server published (the one it holds). */
  private ownReport: object | null = null;
  private ownTable = '';
  /** That report's text without its generation time. */
  private ownText = '';
  private readonly refusedAt = new Map<string, number>();
  /** Per server: our report not sent yet (throttled) and when we last sent one. */
  private readonly reportOut = new Map<string, { pending: ReportNotice | null; sentAt: number; timer: NodeJS.Timeout | undefined; text: string; textAt: number }>();
  /** Per server: its newest report received but not handed on yet. */
  private readonly reportIn = new Map<string, ReportNotice>();
  private reportInScheduled = false;
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
      /** How links check that their peer is still there (the cluster's heartbeat timing). */
      liveness?: () => Liveness;
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

  private bigCluster(): boolean {
    return this.dialers.size >= REPORT_DEDUP_MIN_PEERS;
  }

  /** The least time between two reports to one peer (0: no throttling). */
  private reportIntervalMs(): number {
    return this.bigCluster() ? Math.min(REPORT_INTERVAL_MAX_MS, REPORT_INTERVAL_PER_PEER_MS * this.dialers.size) : 0;
  }

  /** Whether a report notice from `server` carries news (see REPORT_DEDUP_MIN_PEERS). */
  private freshReport(server: string, report: ReportNotice['report']): boolean {
    if (!this.bigCluster()) return true;
    const { intents, ...rest } = report;
    const text = JSON.stringify({ ...rest, generatedAt: 0 });
    const table = JSON.stringify(intents);
    const now = this.now();
    const last = this.lastReport.get(server);
    // Unchanged but for the intent table, which is the one we hold already (each server's report repeats the
    // master's table; when it changes, 31 reports would follow, each telling us nothing new): no news.
    if (last && last.text === text && (last.table === table || table === this.ownTable) && now - last.at < REPORT_REFRESH_MS) return false;
    this.lastReport.set(server, { text, table, at: now });
    return true;
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
    // A new link may follow one that lost reports: the first report on it, either way, always passes at once.
    this.lastReport.delete(link.server);
    if (!wasUp) this.resetReportOut(link.server);
    link.on('body', (body) => {
      if (body.type === 'notice' && body.notice.type === 'report' && body.notice.report.server === link.server && this.bigCluster()) {
        this.reportIn.set(link.server, body.notice);
        if (!this.reportInScheduled) {
          this.reportInScheduled = true;
          setImmediate(() => {
            this.reportInScheduled = false;
            for (const server of [...this.reportIn.keys()]) this.deliverReport(server);
          });
        }
        return;
      }
      this.deliverReport(link.server);
      switch (body.type) {
        case 'req':
          this.opts.onRequest(link.server, body.req).then(
            (res) => {
              this.flushReport(link.server);
              link.send({ type: 'res', id: body.id, ok: true, res: res ?? null });
            },
            (e: unknown) => {
              const err = e instanceof KumoError ? e : new KumoError('KUMO_E_INTERNAL', e instanceof Error ? e.message : String(e));
              this.flushReport(link.server);
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
        this.deliverReport(link.server);
        this.lastReport.delete(link.server);
        this.resetReportOut(link.server);
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
    const link = await this.dial(target.address, target.port);
    if (link.server !== server) {
      link.close('wrong server');
      throw new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `${target.address}:${target.port} is server "${link.server}", not "${server}"; check the server's name and address`);
    }
    // The link is kept as a regular one (the other side keeps it too): an apply's commit follows its prepare,
    // and redialling every server not connected yet for each phase is what failed under load at 32 servers.
    this.adopt(link);
    return this.requestOn(link, req, timeoutMs);
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
    const link = await this.dial(address, port);
    // One-shot links still answer requests from the other side and carry notices.
    this.attachOneShot(link);
    return link;
  }

  private async dial(address: string, port: number): Promise<PeerLink> {
    try {
      return await dialPeer(address, port, this.dialOptions());
    } catch (e) {
      throw new KumoError('KUMO_E_APPLY_PEER_UNREACHABLE', `cannot reach the agent at ${address}:${port}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private dialOptions(): Parameters<typeof dialPeer>[2] {
    const { liveness } = this.opts;
    return { key: this.opts.key, self: this.opts.self, selfAddress: this.opts.selfAddress, timeoutMs: 3000, tls: this.opts.tls?.() ?? false, ...(liveness ? { liveness } : {}) };
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
    this.flushReport(link.server);
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
    if (notice.type === 'report') return this.sendReport(server, notice);
    this.flushReport(server);
    const link = this.link(server);
    return link ? link.send({ type: 'notice', notice }) : false;
  }

  /** Sends our report to `server` now, or as soon as the throttle allows (see REPORT_DEDUP_MIN_PEERS). */
  private sendReport(server: string, notice: ReportNotice): boolean {
    const big = this.bigCluster();
    if (this.ownReport !== notice.report && big) {
      this.ownReport = notice.report;
      this.ownTable = JSON.stringify(notice.report.intents);
      this.ownText = JSON.stringify({ ...notice.report, generatedAt: 0 });
    }
    const link = this.link(server);
    if (!link) return false;
    const interval = this.reportIntervalMs();
    const now = this.now();
    const out = this.reportOut.get(server);
    // The periodic copy of a report this peer has already (its receiver would drop it unread): not sent.
    if (big && out && !out.pending && out.text === this.ownText && now - out.textAt < REPORT_REFRESH_MS) return true;
    if (interval === 0 || !out || (!out.timer && now - out.sentAt >= interval)) {
      if (out?.timer) clearTimeout(out.timer);
      this.reportOut.set(server, { pending: null, sentAt: now, timer: undefined, text: big ? this.ownText : '', textAt: now });
      return link.send({ type: 'notice', notice });
    }
    out.pending = notice;
    out.timer ??= setTimeout(() => {
      out.timer = undefined;
      this.flushReport(server);
    }, Math.max(0, interval - (now - out.sentAt)));
    return true;
  }

  /** Sends our throttled report to `server` if one is waiting (before anything else goes to it). */
  private flushReport(server: string): void {
    const out = this.reportOut.get(server);
    if (!out?.pending) return;
    const notice = out.pending;
    out.pending = null;
    if (out.timer) clearTimeout(out.timer);
    out.timer = undefined;
    out.sentAt = this.now();
    if (notice.report === this.ownReport) {
      out.text = this.ownText;
      out.textAt = out.sentAt;
    } else out.text = '';
    this.link(server)?.send({ type: 'notice', notice });
  }

  private resetReportOut(server: string): void {
    const out = this.reportOut.get(server);
    if (out?.timer) clearTimeout(out.timer);
    this.reportOut.delete(server);
  }

  /** Hands on the report from `server` that is waiting, if any and if it carries news. */
  private deliverReport(server: string): void {
    const notice = this.reportIn.get(server);
    if (!notice) return;
    this.reportIn.delete(server);
    if (this.closed || !this.freshReport(server, notice.report)) return;
    this.emit('notice', server, notice);
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
          const link = await dialPeer(peer.address, peer.port, this.dialOptions());
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
    for (const server of [...this.reportOut.keys()]) this.resetReportOut(server);
    this.reportIn.clear();
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
