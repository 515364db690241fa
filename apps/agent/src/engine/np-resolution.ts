/**
 * Network partition resolution: can this server reach a common target? HTTP targets answer a HEAD request with
 * status 200 (SSL on or off), ping targets an ICMP echo, the witness a signed report. Targets are polled in the
 * background at their interval (so their state is shown and known), and checked at once when a peer is lost.
 * The witness also tells what it last heard from each peer, which keeps a cut interconnect from making two
 * active servers.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { NpTarget, ServiceState, ValidConfig } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import type { Logger } from '../util/log.js';
import { sign, verified, WITNESS_PATH, witnessAnswerSchema } from '../witness/protocol.js';
import type { WitnessReport } from '../witness/protocol.js';
import type { WitnessView } from './model.js';
import { witnessLeaseMs } from './witness-lease.js';

export interface NpCheckResult {
  reachable: boolean;
  witness: Record<string, WitnessView> | null;
  targets: { target: string; kind: string; ok: boolean | null }[];
}

function label(t: NpTarget): string {
  return t.kind === 'ping' ? `ping ${t.addresses.join(',')}` : `${t.kind} ${t.ssl ? 'https' : 'http'}://${t.host}:${t.port}`;
}

function httpRequest(opts: { ssl: boolean; host: string; port: number; path: string; method: string; timeoutMs: number; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const lib = opts.ssl ? https : http;
    const req = lib.request(
      {
        host: opts.host,
        port: opts.port,
        path: opts.path,
        method: opts.method,
        timeout: opts.timeoutMs,
        headers: opts.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(opts.body) } : {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (body.length < 256 * 1024) body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export class NpResolver {
  private config: ValidConfig | null = null;
  private readonly last = new Map<string, boolean | null>();
  private lastWitness: Record<string, WitnessView> | null = null;
  /** When the witness last answered (or the config was set: a new lease starts then). */
  private witnessOkAt = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly opts: {
      self: string;
      bootId: string;
      key: ClusterKey;
      log: Logger;
      /** What this server posts to the witness. */
      state: () => { service: ServiceState; activeGroups: string[] };
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  private targets(): NpTarget[] {
    return (this.config?.cluster.np.targets ?? []).filter((t) => t.servers.length === 0 || t.servers.includes(this.opts.self));
  }

  configure(config: ValidConfig | null): void {
    this.stop();
    this.config = config;
    this.last.clear();
    this.witnessOkAt = this.now();
    for (const t of this.targets()) {
      const poll = () => void this.checkTarget(t).then((r) => this.last.set(label(t), r.ok));
      poll();
      this.timers.push(setInterval(poll, Math.max(200, t.intervalS * 1000)));
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  status(): NpCheckResult['targets'] {
    return this.targets().map((t) => ({ target: label(t), kind: t.kind, ok: this.last.get(label(t)) ?? null }));
  }

  /** Checks every target now. With no target configured, a server can never tell, so it counts as reachable. */
  async check(): Promise<NpCheckResult> {
    const targets = this.targets();
    if (targets.length === 0) return { reachable: true, witness: null, targets: [] };
    const results = await Promise.all(targets.map((t) => this.checkTarget(t)));
    targets.forEach((t, i) => this.last.set(label(t), results[i]!.ok));
    const witness = results.find((r) => r.witness)?.witness ?? null;
    return {
      reachable: results.some((r) => r.ok),
      witness,
      targets: targets.map((t, i) => ({ target: label(t), kind: t.kind, ok: results[i]!.ok })),
    };
  }

  private async checkTarget(t: NpTarget): Promise<{ ok: boolean; witness?: Record<string, WitnessView> }> {
    for (let attempt = 0; attempt <= t.retryCount; attempt += 1) {
      try {
        const r = await this.checkOnce(t);
        if (r.ok) return r;
      } catch (e) {
        this.opts.log.debug(`NP target ${label(t)} failed`, { error: e instanceof Error ? e.message : String(e) });
      }
    }
    return { ok: false };
  }

  private async checkOnce(t: NpTarget): Promise<{ ok: boolean; witness?: Record<string, WitnessView> }> {
    const timeoutMs = Math.round(t.timeoutS * 1000);
    switch (t.kind) {
      case 'http': {
        const r = await httpRequest({ ssl: t.ssl, host: t.host, port: t.port, path: t.path, method: 'HEAD', timeoutMs });
        return { ok: r.status === 200 };
      }
      case 'ping':
        return { ok: (await Promise.all(t.addresses.map((a) => this.ping(a, t.timeoutS)))).some(Boolean) };
      case 'witness':
        return this.askWitness(t.host, t.port, t.ssl, timeoutMs);
      default: {
        const check: never = t;
        throw new Error(`unhandled NP target ${JSON.stringify(check)}`);
      }
    }
  }

  private ping(address: string, timeoutS: number): Promise<boolean> {
    return new Promise((resolve) => {
      execFile('ping', ['-c', '1', '-W', String(Math.max(1, Math.ceil(timeoutS))), address], { timeout: (timeoutS + 1) * 1000 }, (err) => resolve(!err));
    });
  }

  private async askWitness(host: string, port: number, ssl: boolean, timeoutMs: number): Promise<{ ok: boolean; witness?: Record<string, WitnessView> }> {
    const config = this.config;
    if (!config) return { ok: false };
    const { service, activeGroups } = this.opts.state();
    const report = sign<WitnessReport>(this.opts.key, {
      cluster: config.cluster.name,
      server: this.opts.self,
      bootId: this.opts.bootId,
      service,
      activeGroups,
      time: this.now(),
      nonce: randomBytes(16).toString('hex'),
    });
    const r = await httpRequest({ ssl, host, port, path: WITNESS_PATH, method: 'POST', timeoutMs, body: JSON.stringify(report) });
    if (r.status !== 200) return { ok: false };
    const answer = witnessAnswerSchema.safeParse(JSON.parse(r.body) as unknown);
    if (!answer.success || answer.data.nonce !== report.nonce || !verified(this.opts.key, answer.data)) {
      this.opts.log.warn(`the witness at ${host}:${port} sent an answer that is not signed with the cluster key; ignoring it`);
      return { ok: false };
    }
    const timeoutHb = config.cluster.heartbeat.timeoutS * 1000;
    const witness: Record<string, WitnessView> = {};
    for (const s of config.servers) {
      if (s.name === this.opts.self) continue;
      const seen = answer.data.servers[s.name];
      witness[s.name] = seen
        ? { alive: seen.lastSeenMsAgo <= timeoutHb, seenAt: answer.data.time - seen.lastSeenMsAgo, seenMsAgo: seen.lastSeenMsAgo, service: seen.service, activeGroups: seen.activeGroups }
        : { alive: false, seenAt: null, seenMsAgo: null, service: 'unknown', activeGroups: [] };
    }
    this.lastWitness = witness;
    this.witnessOkAt = this.now();
    return { ok: true, witness };
  }

  witnessView(): Record<string, WitnessView> | null {
    return this.lastWitness;
  }

  /**
   * Whether this server has gone without reaching the witness for longer than the witness lease (DESIGN §4):
   * while its peers are lost, it must then stand down, because they take its groups over soon after.
   */
  witnessLeaseExpired(): boolean {
    const lease = witnessLeaseMs(this.config);
    if (lease === null || !this.targets().some((t) => t.kind === 'witness')) return false;
    return this.now() - this.witnessOkAt > lease;
  }
}
