/**
 * A whole cluster of decision cores in one process, with a virtual clock: heartbeats, reports, orders, NP
 * targets, a witness, forced stop and resource activation are all simulated. The scenario tests drive it, and
 * the WebUI's "what-if" runs the engine's own `decide` through it to show what the cluster would do.
 */
import type { AlertKey, GroupConfig, LocalGroup, Operation, ServiceState, ValidConfig } from '@kumo/shared';
import { renderAlert } from '@kumo/shared';
import { decide, holders, initialState, masterOf } from './decide.js';
import type { EngineAction, EngineEvent, EngineState, WitnessView } from './model.js';
import { buildReport } from './report.js';

interface SimServer {
  name: string;
  state: EngineState;
  /** The agent process runs. */
  up: boolean;
  /** The EC2 instance runs (forced stop stops it). */
  instanceRunning: boolean;
  /** What is active on the host: group → resource → active. Survives a crash, as a real host's VIP does. */
  host: Record<string, Record<string, boolean>>;
  boots: number;
  lastReport: string;
  alerts: { key: AlertKey; args: (string | number)[] }[];
  hostActions: string[];
  services: ServiceState[];
}

interface Timed {
  at: number;
  server: string;
  kind: 'timer' | 'fence';
  id: string;
  action?: Extract<EngineAction, { type: 'fence' }>;
}

export interface SimOptions {
  /** NP targets reachable per server (default: all reachable). */
  np?: Record<string, boolean>;
  /** Whether the cluster has a witness that the servers report to. */
  witness?: boolean;
  /** Receives every action as it is performed (debugging and the what-if narrative). */
  trace?: (server: string, action: EngineAction) => void;
}

export class ClusterSim {
  readonly servers = new Map<string, SimServer>();
  private readonly queue: { server: string; event: EngineEvent }[] = [];
  private timed: Timed[] = [];
  private readonly cuts = new Set<string>();
  readonly np: Record<string, boolean>;
  witness: boolean;
  /** When the witness last heard each server (virtual clock). */
  private readonly witnessSeen = new Map<string, number>();
  private readonly trace: ((server: string, action: EngineAction) => void) | undefined;
  now = 0;
  /** Activation failures to inject: `server/resource` → remaining count (Infinity for always). */
  readonly activationFailures = new Map<string, number>();
  readonly deactivationFailures = new Map<string, number>();
  readonly opResults = new Map<string, { ok: boolean; code?: string; message?: string }>();
  /** Every order executed, for assertions: `server kind group`. */
  readonly executed: string[] = [];
  /** Every group definition seen: the executor stops a removed group with the definition it started. */
  private readonly groupDefs = new Map<string, GroupConfig>();

  constructor(
    private config: ValidConfig,
    opts: SimOptions = {},
  ) {
    for (const g of config.groups) this.groupDefs.set(g.name, g);
    this.np = { ...(opts.np ?? {}) };
    this.witness = opts.witness ?? false;
    this.trace = opts.trace ?? (process.env['KUMO_SIM_TRACE'] ? (srv, a) => console.log(srv, JSON.stringify(a).slice(0, 240)) : undefined);
    for (const s of config.servers) {
      this.servers.set(s.name, {
        name: s.name,
        state: initialState(s.name, `${s.name}-boot0`, config),
        up: false,
        instanceRunning: true,
        host: {},
        boots: 0,
        lastReport: '',
        alerts: [],
        hostActions: [],
        services: [],
      });
    }
  }

  private get(name: string): SimServer {
    const s = this.servers.get(name);
    if (!s) throw new Error(`no server ${name}`);
    return s;
  }

  // ─── Scenario controls ────────────────────────────────────────────────────────────────────────────────────

  /** Boots agents (their processes) and starts their cluster service. */
  boot(...names: string[]): this {
    for (const name of names) {
      const s = this.get(name);
      if (!s.instanceRunning) throw new Error(`${name}'s instance is stopped`);
      s.boots += 1;
      s.up = true;
      s.state = initialState(name, `${name}-boot${s.boots}`, this.config);
      s.lastReport = '';
    }
    this.refreshLinks();
    for (const name of names) this.push(name, { type: 'service.start', by: 'boot' });
    return this.run();
  }

  /** kill -9 of an agent: its peers stop hearing it; its host keeps what was active. */
  crash(name: string): this {
    const s = this.get(name);
    if (this.witness) this.touchWitness();
    s.up = false;
    this.timed = this.timed.filter((t) => t.server !== name);
    this.refreshLinks();
    return this.run();
  }

  cut(a: string, b: string): this {
    this.cuts.add([a, b].sort().join('|'));
    this.refreshLinks();
    return this.run();
  }

  heal(a: string, b: string): this {
    this.cuts.delete([a, b].sort().join('|'));
    this.refreshLinks();
    return this.run();
  }

  setConfig(config: ValidConfig): this {
    this.config = config;
    for (const g of config.groups) this.groupDefs.set(g.name, g);
    for (const s of this.servers.values()) if (s.up) this.push(s.name, { type: 'config', config });
    return this.run();
  }

  operate(via: string, operation: Operation, opId = `op${this.opResults.size + 1}`): string {
    const master = masterOf(this.get(via).state) ?? via;
    this.push(master, { type: 'operation', opId, operation, by: 'test' });
    this.run();
    return opId;
  }

  event(server: string, event: EngineEvent): this {
    this.push(server, event);
    return this.run();
  }

  monitorError(server: string, monitor: string, message = 'injected'): this {
    const master = masterOf(this.get(server).state) ?? server;
    this.push(master, { type: 'monitor.error', server, monitor, message });
    return this.run();
  }

  /** Moves the virtual clock, firing timers and delayed fencing in order. */
  advance(ms: number): this {
    const until = this.now + ms;
    for (;;) {
      this.timed.sort((a, b) => a.at - b.at);
      const next = this.timed[0];
      if (!next || next.at > until) break;
      this.timed.shift();
      this.now = next.at;
      const s = this.get(next.server);
      if (!s.up) continue;
      if (next.kind === 'timer') this.push(next.server, { type: 'timer', id: next.id });
      else if (next.action) this.doFence(s, next.action);
      this.run();
    }
    this.now = until;
    return this;
  }

  // ─── Observations ─────────────────────────────────────────────────────────────────────────────────────────

  state(name: string): EngineState {
    return this.get(name).state;
  }

  /** Where a group is active, according to the hosts (the ground truth). */
  where(group: string): string[] {
    return [...this.servers.values()].filter((s) => Object.values(s.host[group] ?? {}).some(Boolean)).map((s) => s.name);
  }

  /** Where a group is fully online, according to the servers' own engines. */
  onlineOn(group: string): string[] {
    return [...this.servers.values()].filter((s) => s.up && s.state.local[group]?.state === 'online').map((s) => s.name);
  }

  master(view = [...this.servers.values()].find((s) => s.up)?.name): string | null {
    return view ? masterOf(this.get(view).state) : null;
  }

  holdersSeenBy(server: string, group: string): string[] {
    return holders(this.get(server).state, group);
  }

  alerts(name: string): string[] {
    return this.get(name).alerts.map((a) => renderAlert(a.key, a.args));
  }

  alertKeys(name: string): AlertKey[] {
    return this.get(name).alerts.map((a) => a.key);
  }

  hostActions(name: string): string[] {
    return this.get(name).hostActions;
  }

  service(name: string): ServiceState {
    return this.get(name).state.service;
  }

  isUp(name: string): boolean {
    return this.get(name).up;
  }

  instanceRunning(name: string): boolean {
    return this.get(name).instanceRunning;
  }

  // ─── Machinery ────────────────────────────────────────────────────────────────────────────────────────────

  private push(server: string, event: EngineEvent): void {
    this.queue.push({ server, event });
  }

  private linked(a: string, b: string): boolean {
    return a !== b && this.get(a).up && this.get(b).up && !this.cuts.has([a, b].sort().join('|'));
  }

  private readonly links = new Set<string>();

  private refreshLinks(): void {
    for (const a of this.servers.values()) {
      for (const b of this.servers.values()) {
        if (a.name === b.name || !a.up) continue;
        const key = `${a.name}>${b.name}`;
        const linked = this.linked(a.name, b.name);
        if (linked && !this.links.has(key)) {
          this.links.add(key);
          this.push(a.name, { type: 'heartbeat.up', server: b.name, bootId: b.state.bootId, service: b.state.service });
          b.lastReport = '';
        } else if (!linked && this.links.has(key)) {
          this.links.delete(key);
          this.push(a.name, { type: 'heartbeat.down', server: b.name });
        }
      }
    }
    for (const key of [...this.links]) {
      const [a] = key.split('>') as [string, string];
      if (!this.get(a).up) this.links.delete(key);
    }
  }

  /** Processes events until nothing is left to do. */
  run(): this {
    let steps = 0;
    while (this.queue.length > 0) {
      if ((steps += 1) > 20_000) throw new Error('the simulation does not settle (an event loop)');
      const { server, event } = this.queue.shift()!;
      const s = this.get(server);
      if (!s.up) continue;
      const { state, actions } = decide(s.state, event);
      s.state = state;
      // Like the agent's shell: the report goes out before the results and orders that follow from it.
      this.publish(s);
      for (const a of actions) this.perform(s, a);
      this.publish(s);
    }
    return this;
  }

  private publish(s: SimServer): void {
    const report = buildReport(s.state, { instanceId: null });
    const text = JSON.stringify(report);
    if (text === s.lastReport) return;
    s.lastReport = text;
    for (const peer of this.servers.values()) if (this.linked(s.name, peer.name)) this.push(peer.name, { type: 'peer.report', report });
  }

  private perform(s: SimServer, a: EngineAction): void {
    this.trace?.(s.name, a);
    switch (a.type) {
      case 'exec':
        this.push(s.name, this.execute(s, a.order, a.from));
        return;
      case 'send.order':
        if (this.linked(s.name, a.to)) this.push(a.to, { type: 'order', from: s.name, order: a.order });
        return;
      case 'send.result':
        if (this.linked(s.name, a.to)) this.push(a.to, { type: 'order.result', result: a.result });
        return;
      case 'broadcast.table':
        for (const peer of this.servers.values()) if (this.linked(s.name, peer.name)) this.push(peer.name, { type: 'peer.table', table: a.table });
        return;
      case 'probe':
        this.push(s.name, { type: 'probe.done', groups: this.probe(s) });
        return;
      case 'np.check':
        this.push(s.name, { type: 'np.result', reachable: this.np[s.name] ?? true, witness: this.witnessView(s, a.lost) });
        return;
      case 'fence':
        this.timed.push({ at: this.now + a.delayMs, server: s.name, kind: 'fence', id: a.server, action: a });
        return;
      case 'alert':
        s.alerts.push({ key: a.key, args: a.args });
        return;
      case 'timer.set':
        this.timed = this.timed.filter((t) => !(t.server === s.name && t.kind === 'timer' && t.id === a.id));
        this.timed.push({ at: this.now + a.ms, server: s.name, kind: 'timer', id: a.id });
        return;
      case 'op.done': {
        const r: { ok: boolean; code?: string; message?: string } = { ok: a.ok };
        if (a.code) r.code = a.code;
        if (a.message) r.message = a.message;
        this.opResults.set(a.opId, r);
        return;
      }
      case 'service':
        s.services.push(a.service);
        // Heartbeats carry the service state to the peers.
        for (const peer of this.servers.values()) {
          if (this.linked(s.name, peer.name)) this.push(peer.name, { type: 'heartbeat.up', server: s.name, bootId: s.state.bootId, service: a.service });
        }
        return;
      case 'host':
        s.hostActions.push(a.action);
        return;
      default: {
        const check: never = a;
        throw new Error(`unhandled action ${JSON.stringify(check)}`);
      }
    }
  }

  /** The witness hears every running server that reaches it (they post continuously, as far as the sim cares). */
  private touchWitness(): void {
    for (const x of this.servers.values()) if (x.up && (this.np[x.name] ?? true)) this.witnessSeen.set(x.name, this.now);
  }

  private witnessView(s: SimServer, lost: string[]): Record<string, WitnessView> | null {
    if (!this.witness || !(this.np[s.name] ?? true)) return null;
    this.touchWitness();
    const out: Record<string, WitnessView> = {};
    for (const name of lost) {
      const peer = this.get(name);
      const alive = peer.up && (this.np[name] ?? true);
      const seenAt = this.witnessSeen.get(name) ?? null;
      out[name] = {
        alive,
        seenAt,
        seenMsAgo: seenAt === null ? null : this.now - seenAt,
        service: alive ? peer.state.service : 'unknown',
        activeGroups: alive ? Object.entries(peer.state.local).filter(([, g]) => g.state !== 'offline').map(([g]) => g) : [],
      };
    }
    return out;
  }

  private doFence(s: SimServer, a: Extract<EngineAction, { type: 'fence' }>): void {
    if (!s.instanceRunning) return; // fence_aws's self-check: a server being stopped does not shoot
    const target = this.get(a.server);
    target.instanceRunning = false;
    target.up = false;
    this.refreshLinks();
    this.push(s.name, { type: 'fence.result', server: a.server, ok: true, message: '' });
  }

  private probe(s: SimServer): Record<string, LocalGroup> {
    const out: Record<string, LocalGroup> = {};
    for (const g of this.config.groups) {
      const active = g.resources.filter((r) => s.host[g.name]?.[r.name]);
      const resources: LocalGroup['resources'] = {};
      for (const r of g.resources) resources[r.name] = { state: s.host[g.name]?.[r.name] ? 'online' : 'offline' };
      out[g.name] = { state: active.length === 0 ? 'offline' : active.length === g.resources.length ? 'online' : 'online-failure', resources };
    }
    return out;
  }

  private consume(map: Map<string, number>, key: string): boolean {
    const left = map.get(key);
    if (!left) return false;
    map.set(key, left - 1);
    return true;
  }

  private execute(s: SimServer, order: Extract<EngineAction, { type: 'exec' }>['order'], from: string): EngineEvent {
    const done = (ok: boolean, extra: { failedResource?: string; message?: string } = {}): EngineEvent => ({
      type: 'exec.done',
      order,
      from,
      ok,
      ...extra,
      groups: this.probe(s),
    });
    const group = 'group' in order ? this.groupDefs.get(order.group) : undefined;
    this.executed.push(`${s.name} ${order.kind}${'group' in order ? ` ${order.group}` : ''}`);
    switch (order.kind) {
      case 'group.activate': {
        if (!group) return done(false, { message: 'unknown group' });
        const host = (s.host[group.name] ??= {});
        for (const r of group.resources) {
          if (this.consume(this.activationFailures, `${s.name}/${r.name}`)) {
            if (!order.canFailover && r.recovery.activation.finalAction === 'none-continue') continue;
            return done(false, { failedResource: r.name, message: `(5 : injected failure of ${r.name})` });
          }
          host[r.name] = true;
        }
        return done(true);
      }
      case 'group.deactivate':
      case 'group.restart': {
        const host = (s.host[order.group] ??= {});
        for (const r of [...(group?.resources ?? [])].reverse()) {
          if (this.consume(this.deactivationFailures, `${s.name}/${r.name}`)) return done(false, { failedResource: r.name });
          host[r.name] = false;
        }
        if (order.kind === 'group.restart') for (const r of group?.resources ?? []) host[r.name] = true;
        return done(true);
      }
      case 'resource.restart':
      case 'resource.activate':
        (s.host[order.group] ??= {})[order.resource] = true;
        return done(true);
      case 'resource.deactivate':
        (s.host[order.group] ??= {})[order.resource] = false;
        return done(true);
      case 'service.stop':
        return done(true);
      default: {
        const check: never = order;
        throw new Error(`unhandled order ${JSON.stringify(check)}`);
      }
    }
  }
}
