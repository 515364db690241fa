/**
 * One agent: the composition of everything a server runs (DESIGN §2, §4). It owns the database, the config
 * store, the peer links, heartbeats, NP resolution, the engine with its executor and monitors, and answers the
 * WebUI's and the peers' requests. `main.ts` builds it from argv and the Fastify server exposes it; tests build
 * it directly.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { findResource, MAX_ALERTS_PER_NOTICE, METHODS, validateClusterConfig } from '@kumo/shared';
import type { z } from 'zod';
import type {
  AlertEntry,
  AlertKey,
  ClusterStatus,
  MethodName,
  MethodResult,
  MonitorTypeId,
  PeerRequest,
  ResourceTypeId,
  ServiceState,
  ValidConfig,
} from '@kumo/shared';
import { AlertLog } from './alerts/alert-log.js';
import { applyConfig } from './config/apply.js';
import { hashPassword, redactSecrets } from './config/secrets.js';
import type { ActiveConfig } from './config/store.js';
import { ConfigStore } from './config/store.js';
import type { ClusterKey } from './crypto/cluster-key.js';
import { AgentDb } from './db/client.js';
import { Engine } from './engine/engine.js';
import { Executor } from './engine/executor.js';
import { HeartbeatService } from './engine/heartbeat.js';
import { NpResolver } from './engine/np-resolution.js';
import type { Host } from './host/host.js';
import { LinuxHost } from './host/linux-host.js';
import { SimulatedHost } from './host/simulated-host.js';
import { MirrorManager } from './integrations/mirrors.js';
import { MonitorRunner } from './monitors/runner.js';
import { LinkWatch } from './peers/link-watch.js';
import { DEFAULT_LIVENESS } from './peers/peer-link.js';
import type { Liveness } from './peers/peer-link.js';
import { PeerManager } from './peers/peer-manager.js';
import type { DriverServices, MonitorDriver, ResourceDriver } from './resources/driver.js';
import { buildStatus } from './status.js';
import { simulateWhatIf } from './engine/what-if.js';
import { Sessions } from './ui/sessions.js';
import type { Role } from './ui/sessions.js';
import { KumoError } from './util/errors.js';
import type { Logger } from './util/log.js';
import { createLogger } from './util/log.js';
import { VERSION } from './version.js';

export interface AgentOptions {
  dataDir: string;
  name: string;
  /** The address and port this agent's HTTP server listens on (peers reach it at the config's address). */
  listenHost: string;
  listenPort: number;
  key: ClusterKey;
  hostMode: 'linux' | 'simulated';
  aws?: { endpoints?: { ec2?: string; route53?: string }; imdsEndpoint?: string; region?: string };
  log?: Logger;
  /** Start the cluster service when the agent starts (unless an operator stopped it). Default true. */
  autoStart?: boolean;
  /** Extra drivers by type (the registry adds the built-in ones). */
  resourceDrivers?: ResourceDriver[];
  monitorDrivers?: MonitorDriver[];
  /** Extra services passed to drivers (the AWS layer, the mirror disks). */
  driverServices?: Omit<DriverServices, 'host' | 'log' | 'mirrors'>;
  /** This agent listens with HTTPS (so do its peers: the setting is cluster-wide). */
  tls?: boolean;
  /** Size of the file-backed mirror partitions a simulated host creates (MiB). Default 64. */
  simDiskMiB?: number;
  /** Forced stop of a peer's instance (the AWS layer supplies it). */
  fence?: (server: string, instanceId: string, delayMs: number) => Promise<{ ok: boolean; message: string }>;
}

export interface UiContext {
  role: Role | null;
  ip: string;
  /** Who asked, for the audit and the alert log: "WebUI" or "kumo command" (with `ip`, CLUSTERPRO's wording). */
  actor: string;
}

export interface AgentEvents {
  alert: [AlertEntry];
  status: [];
}

const SERVICE_KEY = 'service.desired';

type MethodParamsOut<M extends MethodName> = z.output<(typeof METHODS)[M]['params']>;

export class Agent extends EventEmitter<AgentEvents> {
  readonly bootId = randomUUID();
  readonly db: AgentDb;
  readonly store: ConfigStore;
  readonly alerts: AlertLog;
  readonly peers: PeerManager;
  readonly host: Host;
  readonly sessions: Sessions;
  readonly heartbeat: HeartbeatService;
  /** Says when a server is heard on the interconnect but its agent cannot be reached (see LinkWatch). */
  private readonly linkWatch = new LinkWatch({
    graceMs: () => this.peerLiveness().timeoutMs,
    lastHeard: (server) => this.heartbeat.lastHeard(server),
    lost: (server) => this.raise('cannotCommunicate', [server]),
    recovered: (server) => this.raise('communicationRecovered', [server]),
  });
  readonly np: NpResolver;
  readonly executor: Executor;
  readonly monitors: MonitorRunner;
  readonly engine: Engine;
  readonly mirrors: MirrorManager;
  readonly log: Logger;
  private readonly resourceDrivers = new Map<string, ResourceDriver>();
  private readonly monitorDrivers = new Map<string, MonitorDriver>();
  private closed = false;
  private catchUpTimer: NodeJS.Timeout | undefined;
  private readonly outgoingAlerts: AlertEntry[] = [];

  constructor(readonly opts: AgentOptions) {
    super();
    this.setMaxListeners(0); // one status and one alert listener per open WebUI connection
    this.log = opts.log ?? createLogger(opts.name);
    mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    this.db = AgentDb.open(opts.dataDir);
    this.store = new ConfigStore(this.db);
    this.alerts = new AlertLog(this.db, opts.name, () => this.config?.cluster.alertLog.maxRecords ?? 10_000);
    this.host = opts.hostMode === 'simulated' ? new SimulatedHost(opts.dataDir) : new LinuxHost(opts.dataDir);
    this.sessions = new Sessions(opts.key, () => this.config);
    for (const d of opts.resourceDrivers ?? []) this.resourceDrivers.set(d.type, d);
    for (const d of opts.monitorDrivers ?? []) this.monitorDrivers.set(d.type, d);

    this.peers = new PeerManager({
      key: opts.key,
      self: opts.name,
      selfAddress: opts.listenHost,
      log: this.log.child('peers'),
      // The cluster's agents listen as they started (HTTPS takes effect at the restart an apply asks for).
      tls: () => opts.tls === true,
      liveness: () => this.peerLiveness(),
      onRequest: (from, req) => this.onPeerRequest(from, req),
    });
    this.mirrors = new MirrorManager({
      self: opts.name,
      dataDir: opts.dataDir,
      key: opts.key,
      host: this.host,
      log: this.log.child('mirror'),
      alert: (key, args) => this.raise(key, args),
      fileSizeMiB: opts.simDiskMiB ?? 64,
      onChange: () => this.emit('status'),
      outdatePeer: async (peer, name) => {
        try {
          const r = (await this.peers.request(peer, { op: 'mirror', action: 'outdate', name, by: this.name }, 3000)) as { ok?: boolean } | null;
          return r?.ok === true;
        } catch {
          return false;
        }
      },
    });
    const services = { host: this.host, log: this.log.child('drivers'), mirrors: this.mirrors, ...(opts.driverServices ?? {}) };
    this.executor = new Executor({
      server: opts.name,
      services,
      drivers: this.resourceDrivers,
      alert: (key, args) => this.raise(key, args),
      onChange: () => {
        this.engine.publishReport();
        this.monitors.resourcesChanged();
      },
    });
    this.heartbeat = new HeartbeatService({
      key: opts.key,
      self: opts.name,
      bootId: this.bootId,
      log: this.log.child('heartbeat'),
      events: {
        up: (server, bootId, service) => {
          this.linkWatch.heartbeat(server, true);
          this.engine.dispatch({ type: 'heartbeat.up', server, bootId, service });
        },
        down: (server) => {
          this.linkWatch.heartbeat(server, false);
          this.engine.dispatch({ type: 'heartbeat.down', server });
        },
        refused: (from, reason) => this.raise('peerRefused', ['(heartbeat)', from, reason]),
        delayed: (server, ic, gap) => this.raise('heartbeatDelayed', [`lankhb${ic}`, server, `${this.config?.cluster.heartbeat.timeoutS ?? 0}s`, `${(gap / 1000).toFixed(1)}s`]),
      },
    });
    this.np = new NpResolver({
      self: opts.name,
      bootId: this.bootId,
      key: opts.key,
      log: this.log.child('np'),
      state: () => ({
        service: this.engine.snapshot.service,
        activeGroups: Object.entries(this.engine.snapshot.local)
          .filter(([, g]) => g.state !== 'offline')
          .map(([n]) => n),
      }),
    });
    this.monitors = new MonitorRunner({
      server: opts.name,
      services,
      drivers: this.monitorDrivers,
      log: this.log.child('monitors'),
      alert: (key, args) => this.raise(key, args),
      localGroups: () => this.executor.snapshot(),
      onError: (monitor, message) => this.engine.monitorError(monitor, message),
      onNormal: (monitor) => this.engine.monitorNormal(monitor),
      onChange: () => {
        this.engine.publishReport();
        this.emit('status'); // the WebUI shows a monitor's new state at once, not at the next engine event
      },
    });
    this.engine = new Engine({
      self: opts.name,
      bootId: this.bootId,
      executor: this.executor,
      log: this.log.child('engine'),
      alert: (key, args) => this.raise(key, args),
      peers: this.peers,
      np: { check: () => this.np.check(), witnessLeaseExpired: () => this.np.witnessLeaseExpired() },
      fence: opts.fence ?? (async () => ({ ok: false, message: 'forced stop is not available: this agent has no AWS access configured' })),
      host: this.host,
      extras: () => ({
        monitors: this.monitors.statuses(),
        mirrors: Object.fromEntries(this.mirrors.statuses().map((m) => [m.name, m])),
        npTargets: this.np.status(),
        config: this.store.current ? { hash: this.store.current.hash, version: this.store.current.version } : null,
        now: Date.now(),
      }),
      onService: (service) => this.onService(service),
    });
    this.engine.on('changed', () => this.emit('status'));
    this.alerts.on('alert', (entry, { local }) => {
      if (local) this.queueAlert(entry);
      this.emit('alert', entry);
    });
    this.peers.on('notice', (from, notice) => {
      if (notice.type === 'alert') this.alerts.ingest(notice.entry);
      else if (notice.type === 'alerts') this.alerts.ingestMany(notice.entries);
      else this.engine.onNotice(from, notice);
    });
    this.peers.on('up', (server) => {
      this.linkWatch.link(server, true);
      this.engine.publishReport(server);
      const table = this.engine.snapshot.table;
      if (table) this.peers.notify(server, { type: 'intents', table });
      void this.catchUp(server);
    });
    this.peers.on('down', (server) => this.linkWatch.link(server, false));
    this.peers.on('refused', ({ server, address, reason }) => this.raise('peerRefused', [server ?? '(unknown)', address, reason]));
    // The new config takes effect on the next turn of the event loop: the peer that asked for the commit gets its
    // answer first (the config is durable by then), instead of after this server has redialled its peers.
    this.store.on('changed', (next, previous) => setImmediate(() => void this.onConfig(next, previous)));
  }

  get name(): string {
    return this.opts.name;
  }

  /**
   * The agents' links keep the cluster's heartbeat timing: pinged every heartbeat interval, dead after the heartbeat
   * timeout of silence (the administrator's own measure of how long silence means failure). The same timeout is
   * how long a server may be heard without a link before that is raised.
   */
  peerLiveness(): Liveness {
    const hb = this.config?.cluster.heartbeat;
    return hb ? { intervalMs: hb.intervalS * 1000, timeoutMs: hb.timeoutS * 1000 } : DEFAULT_LIVENESS;
  }

  get config(): ValidConfig | null {
    return this.store.current?.config ?? null;
  }

  registerDrivers(resources: readonly ResourceDriver[], monitors: readonly MonitorDriver[]): void {
    for (const d of resources) this.resourceDrivers.set(d.type, d);
    for (const d of monitors) this.monitorDrivers.set(d.type, d);
  }

  hasResourceDriver(type: ResourceTypeId): boolean {
    return this.resourceDrivers.has(type);
  }

  hasMonitorDriver(type: MonitorTypeId): boolean {
    return this.monitorDrivers.has(type);
  }

  /**
   * Our alerts go to the peers in one `alerts` notice per turn of the event loop: a server starting its groups
   * raises hundreds at once, and one frame and one transaction on each of 31 peers cost far less than hundreds.
   */
  private queueAlert(entry: AlertEntry): void {
    this.outgoingAlerts.push(entry);
    if (this.outgoingAlerts.length > 1) return;
    setImmediate(() => {
      const entries = this.outgoingAlerts.splice(0);
      for (let i = 0; i < entries.length; i += MAX_ALERTS_PER_NOTICE) {
        this.peers.broadcast({ type: 'alerts', entries: entries.slice(i, i + MAX_ALERTS_PER_NOTICE) });
      }
    });
  }

  raise(key: AlertKey, args: (string | number)[]): void {
    if (this.closed) return;
    try {
      this.alerts.raise(key, args);
    } catch (e) {
      this.log.error('cannot store an alert', { key, error: String(e) });
    }
  }

  async start(): Promise<void> {
    await this.sessions.writeLocalToken(this.opts.dataDir);
    const current = this.store.current;
    if (current) await this.onConfig(current, null);
    let ticks = 0;
    this.catchUpTimer = setInterval(() => {
      // Reports are sent on every change; a periodic copy heals one that was lost on a link that broke.
      this.engine.publishReport(undefined, true);
      if ((ticks += 1) % 6 === 0) for (const s of this.peers.connectedServers()) void this.catchUp(s);
    }, 5_000);
  }

  /** Stops everything this agent runs; `drain` first deactivates this server's groups (an orderly shutdown). */
  async stop(opts: { drain?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    if (opts.drain && (this.engine.snapshot.service === 'running' || this.engine.snapshot.service === 'suspended')) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.timeoutMs ?? 60_000);
        const check = () => {
          const s = this.engine.snapshot.service;
          if (s === 'stopped' || s === 'isolated') {
            clearTimeout(timer);
            this.engine.off('changed', check);
            resolve();
          }
        };
        this.engine.on('changed', check);
        this.engine.dispatch({ type: 'service.stop', by: 'shutdown' });
        check();
      });
    }
    this.closed = true;
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    this.monitors.close();
    await this.mirrors.close();
    this.np.stop();
    this.heartbeat.close();
    this.linkWatch.stop();
    this.engine.close();
    this.peers.close();
    this.db.close();
  }

  private async onConfig(next: ActiveConfig, previous: ActiveConfig | null): Promise<void> {
    const config = next.config;
    this.peers.setPeers(config.servers.map((s) => ({ name: s.name, address: s.address, port: config.cluster.ports.webui })));
    this.linkWatch.retain(config.servers.map((s) => s.name));
    try {
      await this.heartbeat.configure(config);
    } catch (e) {
      this.log.error(String(e));
    }
    this.np.configure(config);
    await this.mirrors.configure(config);
    this.executor.setConfig(config);
    this.monitors.setConfig(config);
    this.engine.setConfig(config);
    const inCluster = config.servers.some((s) => s.name === this.name);
    if (!previous && inCluster && this.opts.autoStart !== false && this.db.getSetting(SERVICE_KEY) !== 'stopped') {
      this.engine.dispatch({ type: 'service.start', by: 'auto start' });
    }
  }

  private onService(service: ServiceState): void {
    this.heartbeat.setService(service);
    this.monitors.setActive(service === 'running');
    this.emit('status');
  }

  /** Takes a newer config from a peer (this server was down during an apply) and backfills its alerts. */
  private async catchUp(server: string): Promise<void> {
    try {
      const info = (await this.peers.request(server, { op: 'probe' }, 5000)) as { configVersion: number | null; configHash: string | null };
      // A peer that committed an apply before us is not news when we hold the same config prepared: our commit is
      // on its way (fetching and validating it again at each of 31 peers is what slowed a 32-server first apply).
      // Should the commit never come, the prepared config expires and the periodic catch-up fetches it then.
      const coming = info.configHash !== null && this.store.pendingHash() === info.configHash;
      if (info.configVersion !== null && info.configVersion > this.store.version && !coming) {
        const doc = (await this.peers.request(server, { op: 'config.fetch' }, 10_000)) as { version: number; hash: string; config: unknown; appliedBy: string; appliedAt: number } | null;
        if (doc && this.store.adopt(doc, this.name)) this.raise('configCaughtUp', [doc.version, server]);
      }
      const newest = this.alerts.query({ limit: 1, server });
      const since = newest[0]?.time ?? 0;
      const entries = (await this.peers.request(server, { op: 'alerts.since', afterTime: since }, 10_000)) as AlertEntry[];
      for (const e of entries) this.alerts.ingest(e);
    } catch (e) {
      this.log.debug(`catch-up with ${server} failed`, { error: String(e) });
    }
  }

  // ─── Peers ──────────────────────────────────────────────────────────────────────────────────────────────

  probeInfo() {
    const c = this.store.current;
    return {
      name: this.name,
      address: this.opts.listenHost,
      version: VERSION,
      clusterName: c?.config.cluster.name ?? null,
      configHash: c?.hash ?? null,
      configVersion: c?.version ?? null,
      instanceId: null,
      availabilityZone: null,
    };
  }

  private async onPeerRequest(from: string, req: PeerRequest): Promise<unknown> {
    switch (req.op) {
      case 'probe':
        return this.probeInfo();
      case 'config.prepare':
        this.store.prepare(req);
        return { ok: true };
      case 'config.commit':
        this.store.commit(req.txId);
        return { ok: true };
      case 'config.abort':
        this.store.abort(req.txId);
        return { ok: true };
      case 'config.fetch': {
        const c = this.store.current;
        return c ? { version: c.version, hash: c.hash, config: c.config, appliedBy: c.appliedBy, appliedAt: c.appliedAt } : null;
      }
      case 'operation':
        await this.engine.operate(req.operation, req.by);
        return { ok: true };
      case 'order':
        this.engine.dispatch({ type: 'order', from, order: req.order });
        return { accepted: true };
      case 'service':
        this.localService(req.action, req.by);
        return { ok: true };
      case 'monitor':
        return { ok: this.localMonitor(req.action, req.monitor) };
      case 'mirror':
        return this.localMirror(req.action, req.name);
      case 'alerts.since':
        return this.alerts.ownSince(req.afterTime);
      default: {
        const check: never = req;
        throw new KumoError('KUMO_E_BAD_REQUEST', `unknown peer request ${JSON.stringify(check)}`);
      }
    }
  }

  private localService(action: 'start' | 'stop' | 'suspend' | 'resume', by: string): void {
    switch (action) {
      case 'start':
        this.db.setSetting(SERVICE_KEY, 'running');
        this.engine.dispatch({ type: 'service.start', by });
        return;
      case 'stop':
        this.db.setSetting(SERVICE_KEY, 'stopped');
        this.engine.dispatch({ type: 'service.stop', by });
        return;
      case 'suspend':
        this.engine.dispatch({ type: 'service.suspend', by });
        return;
      case 'resume':
        this.engine.dispatch({ type: 'service.resume', by });
        return;
      default: {
        const check: never = action;
        throw new Error(String(check));
      }
    }
  }

  private localMonitor(action: 'suspend' | 'resume' | 'dummy-on' | 'dummy-off', monitor: string | undefined): boolean {
    switch (action) {
      case 'suspend':
        return this.monitors.suspend(monitor);
      case 'resume':
        return this.monitors.resume(monitor);
      case 'dummy-on':
        return monitor !== undefined && this.monitors.setDummyFailure(monitor, true);
      case 'dummy-off':
        return monitor !== undefined && this.monitors.setDummyFailure(monitor, false);
      default: {
        const check: never = action;
        throw new Error(String(check));
      }
    }
  }

  // ─── Status ─────────────────────────────────────────────────────────────────────────────────────────────

  status(): ClusterStatus {
    const c = this.store.current;
    return buildStatus({
      self: this.name,
      config: c?.config ?? null,
      configVersion: c?.version ?? null,
      configHash: c?.hash ?? null,
      engine: this.engine.snapshot,
      heartbeats: this.heartbeat.status(),
      np: this.np.status(),
      monitors: this.monitors.statuses(),
      mirrors: this.mirrors.statuses(),
      now: Date.now(),
    });
  }

  // ─── The WebUI / CLI methods ───────────────────────────────────────────────────────────────────────────

  private requireConfig(): ValidConfig {
    const c = this.config;
    if (!c) throw new KumoError('KUMO_E_NO_CONFIG');
    return c;
  }

  private targets(servers: string[] | undefined): string[] {
    const config = this.requireConfig();
    const all = config.servers.map((s) => s.name);
    for (const s of servers ?? []) if (!all.includes(s)) throw new KumoError('KUMO_E_UNKNOWN_SERVER', `there is no server named ${s}; the servers are ${all.join(', ')}`);
    return servers && servers.length > 0 ? servers : all;
  }

  /** Sends a service or monitor request to several servers; answers which ones could not be reached. */
  private async onServers(servers: string[], req: PeerRequest, local: () => void): Promise<void> {
    const failures: string[] = [];
    const done: string[] = [];
    await Promise.all(
      servers.map(async (s) => {
        if (s === this.name) {
          local();
          done.push(s);
          return;
        }
        try {
          await this.peers.request(s, req, 10_000);
          done.push(s);
        } catch (e) {
          failures.push(`${s}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }),
    );
    if (failures.length > 0) {
      // A partial result says what did take effect, so that the operator repeats it only where it is needed.
      const tookEffect = done.length > 0 ? `done on ${done.sort().join(', ')}; ` : '';
      throw new KumoError('KUMO_E_SERVER_DOWN', `${tookEffect}not done on ${failures.join('; ')} — repeat it there once the server is back`);
    }
  }

  private audit(ctx: UiContext, operation: string, params: unknown, outcome: 'ok' | 'error', message: string): void {
    try {
      this.db.insertAudit({ time: Date.now(), actor: `${ctx.actor}(IP=${ctx.ip})`, operation, params: typeof params === 'object' && params !== null && 'passwords' in params ? { ...params, passwords: '[not stored]' } : params, outcome, message });
    } catch (e) {
      this.log.error('cannot write the audit', { error: String(e) });
    }
  }

  /** Runs one WebUI/CLI method (params already parsed by the protocol's schema, access already checked). */
  async ui<M extends MethodName>(method: M, params: unknown, ctx: UiContext): Promise<MethodResult<M>> {
    const mutating = !['status.get', 'config.get', 'config.validate', 'alerts.query', 'whatif.simulate', 'aws.iamPolicy', 'session.info', 'session.login', 'session.logout'].includes(method);
    if (mutating) this.raise('operationRequest', [method, ctx.actor, ctx.ip]);
    try {
      const result = (await this.dispatchUi(method, params, ctx)) as MethodResult<M>;
      if (mutating) this.audit(ctx, method, params, 'ok', '');
      return result;
    } catch (e) {
      if (mutating) {
        const message = e instanceof Error ? e.message : String(e);
        this.audit(ctx, method, params, 'error', message);
        this.raise('operationFailed', [method, message]);
      }
      throw e;
    }
  }

  private async dispatchUi(method: MethodName, raw: unknown, ctx: UiContext): Promise<unknown> {
    /** The params of this method, typed by its schema (the caller validated them already; this cannot fail). */
    const p = <M extends MethodName>(m: M): MethodParamsOut<M> => METHODS[m].params.parse(raw) as MethodParamsOut<M>;
    const by = `${ctx.actor}(IP=${ctx.ip})`;
    switch (method) {
      case 'session.login':
      case 'session.logout':
      case 'session.info':
        throw new KumoError('KUMO_E_BAD_REQUEST', `${method} is handled by the connection`);
      case 'status.get':
        return this.status();
      case 'config.get': {
        const c = this.store.current;
        return { config: c ? redactSecrets(c.config) : null, version: c?.version ?? null, hash: c?.hash ?? null, appliedBy: c?.appliedBy ?? null, appliedAt: c?.appliedAt ?? null };
      }
      case 'config.validate': {
        const r = validateClusterConfig(p('config.validate').config);
        return { ok: r.ok, errors: r.ok ? [] : r.errors };
      }
      case 'config.apply': {
        const q = p('config.apply');
        return applyConfig(
          { self: this.name, store: this.store, peers: this.peers, alerts: this.alerts, log: this.log.child('apply'), hashPassword },
          { config: q.config, passwords: q.passwords, by },
        );
      }
      case 'servers.probe': {
        const q = p('servers.probe');
        const port = q.port ?? this.config?.cluster.ports.webui ?? this.opts.listenPort;
        const { result } = await this.peers.requestAddress(q.address, port, { op: 'probe' }, 5000);
        return result;
      }
      case 'cluster.start': {
        const servers = this.targets(p('cluster.start').servers);
        await this.onServers(servers, { op: 'service', action: 'start', by }, () => this.localService('start', by));
        return { ok: true };
      }
      case 'cluster.stop': {
        const servers = this.targets(p('cluster.stop').servers);
        if (this.engine.master()) await this.engine.operate({ op: 'cluster.stop', servers }, by);
        await this.onServers(servers, { op: 'service', action: 'stop', by }, () => this.localService('stop', by));
        return { ok: true };
      }
      case 'cluster.suspend':
      case 'cluster.resume': {
        const action = method === 'cluster.suspend' ? 'suspend' : 'resume';
        await this.onServers(this.targets(undefined), { op: 'service', action, by }, () => this.localService(action, by));
        return { ok: true };
      }
      case 'group.start':
      case 'group.move': {
        const q = p(method);
        const op = method;
        await this.engine.operate(q.server === undefined ? { op, group: q.group } : { op, group: q.group, server: q.server }, by);
        return { ok: true };
      }
      case 'group.stop':
        await this.engine.operate({ op: 'group.stop', group: p('group.stop').group }, by);
        return { ok: true };
      case 'resource.start': {
        const q = p('resource.start');
        await this.engine.operate(q.server === undefined ? { op: 'resource.start', resource: q.resource } : { op: 'resource.start', resource: q.resource, server: q.server }, by);
        return { ok: true };
      }
      case 'resource.stop':
        await this.engine.operate({ op: 'resource.stop', resource: p('resource.stop').resource }, by);
        return { ok: true };
      case 'monitor.suspend':
      case 'monitor.resume': {
        const monitor = p(method).monitor;
        if (monitor !== undefined && !this.requireConfig().monitors.some((m) => m.name === monitor)) throw new KumoError('KUMO_E_UNKNOWN_MONITOR', `there is no monitor ${monitor}`);
        const action = method === 'monitor.suspend' ? 'suspend' : 'resume';
        await this.onServers(this.targets(undefined), { op: 'monitor', action, ...(monitor ? { monitor } : {}), by }, () => void this.localMonitor(action, monitor));
        return { ok: true };
      }
      case 'monitor.dummyFailure': {
        const q = p('monitor.dummyFailure');
        if (!this.requireConfig().monitors.some((m) => m.name === q.monitor)) throw new KumoError('KUMO_E_UNKNOWN_MONITOR', `there is no monitor ${q.monitor}`);
        const action = q.enabled ? 'dummy-on' : 'dummy-off';
        const servers = this.targets(q.server ? [q.server] : undefined);
        await this.onServers(servers, { op: 'monitor', action, monitor: q.monitor, by }, () => void this.localMonitor(action, q.monitor));
        return { ok: true };
      }
      case 'alerts.query': {
        const q = p('alerts.query');
        return { entries: this.alerts.query({ limit: q.limit, beforeId: q.beforeId, server: q.server, level: q.level, module: q.module }) };
      }
      case 'md.recover': {
        const { name } = p('md.recover');
        await this.onMirrorServers(name, undefined, 'recover');
        return { ok: true };
      }
      case 'md.force': {
        const q = p('md.force');
        await this.onMirrorServers(q.name, q.server, 'force');
        return { ok: true };
      }
      case 'md.break': {
        const q = p('md.break');
        await this.onMirrorServers(q.name, q.server ?? this.name, 'break');
        return { ok: true };
      }
      case 'whatif.simulate': {
        const q = p('whatif.simulate');
        return simulateWhatIf(this.requireConfig(), this.status(), q.fault, q.lang ?? this.requireConfig().cluster.language);
      }
      case 'aws.discover':
      case 'aws.iamPolicy':
      case 'aws.preflight':
        return this.extension(method, raw, ctx);
      default: {
        const check: never = method;
        throw new KumoError('KUMO_E_BAD_REQUEST', `unknown method ${String(check)}`);
      }
    }
  }

  /** clpmdctrl on one server: recover (differential), force (this side is the up-to-date one), break. */
  private async localMirror(action: 'recover' | 'force' | 'break' | 'outdate' | 'status', name: string): Promise<unknown> {
    const disk = await this.mirrors.require(name);
    switch (action) {
      case 'outdate':
        return { ok: await disk.markOutdated() };
      case 'recover':
        await disk.recover();
        return { ok: true };
      case 'force':
        await disk.forceRecover('local');
        return { ok: true };
      case 'break':
        await disk.breakMirror();
        return { ok: true };
      case 'status':
        return disk.status();
      default: {
        const check: never = action;
        throw new Error(String(check));
      }
    }
  }

  /** Runs a mirror action on the server that holds the mirror disk (this one, or the named one). */
  private async onMirrorServers(name: string, server: string | undefined, action: 'recover' | 'force' | 'break'): Promise<void> {
    const config = this.requireConfig();
    const found = findResource(config, name);
    if (!found || found.resource.type !== 'md') throw new KumoError('KUMO_E_UNKNOWN_RESOURCE', `there is no mirror disk resource ${name}`);
    const target = server ?? (this.mirrors.statusOf(name) ? this.name : undefined) ?? config.servers.map((s) => s.name).find((s) => s !== this.name);
    if (!target) throw new KumoError('KUMO_E_MIRROR', `no server holds mirror disk ${name}`);
    if (target === this.name) await this.localMirror(action, name);
    else await this.peers.request(target, { op: 'mirror', action, name, by: this.name }, 60_000);
  }

  /** Methods provided by optional parts (AWS, mirror disks, what-if), wired in by `main.ts`. */
  private readonly extensions = new Map<string, (params: unknown, ctx: UiContext) => Promise<unknown>>();

  /** Adds a method implementation; `params` arrive validated against the method's schema in METHODS. */
  extend<M extends MethodName>(method: M, handler: (params: MethodParamsOut<M>, ctx: UiContext) => Promise<MethodResult<M>>): void {
    this.extensions.set(method, (raw, ctx) => handler(METHODS[method].params.parse(raw) as MethodParamsOut<M>, ctx));
  }

  private async extension(method: MethodName, params: unknown, ctx: UiContext): Promise<unknown> {
    const handler = this.extensions.get(method);
    if (!handler) throw new KumoError('KUMO_E_BAD_REQUEST', `${method} is not available on this agent`);
    return handler(params, ctx);
  }

  /** The resource a name refers to (for operations that name one). */
  findResource(name: string) {
    const c = this.config;
    return c ? findResource(c, name) : undefined;
  }
}
