/**
 * `decide(state, event) → { state, actions }`: the pure decision core of an agent (DESIGN §4). No I/O and no
 * clock; time enters as `timer` events the shell fires, results of effects come back as events.
 *
 * Every server runs the same function. Three concerns live here:
 *  - membership and self-protection on every server: heartbeat loss → NP resolution (witness, forced stop) →
 *    the lost peer is declared dead, or this server finds itself isolated (or the weaker side of a cut
 *    interconnect) and stands down;
 *  - the master (the first running server in the server list) reconciles what runs where with what should:
 *    level-triggered, from the servers' own reports and the replicated intent table, never from remembered
 *    edges, so a new master after a failure reaches the same answer;
 *  - every server executes the master's orders on itself and reports back.
 */
import { groupServers } from '@kumo/shared';
import type { GroupConfig, GroupIntent, IntentTable, LocalGroup, Order, OrderResult, ServerReport, ValidConfig } from '@kumo/shared';
import type { EngineAction, EngineEvent, EngineState, Member, PendingOp, WitnessView } from './model.js';
import { witnessDeadAfterMs, witnessRecheckMs } from './witness-lease.js';

export interface Decision {
  state: EngineState;
  actions: EngineAction[];
}

/** Group states that mean "resources may be held here". */
const HOLDING = new Set(['online', 'online-pending', 'online-failure', 'offline-pending', 'offline-failure', 'error']);

export function initialState(self: string, bootId: string, config: ValidConfig | null): EngineState {
  const s: EngineState = {
    self,
    config: null,
    bootId,
    service: 'stopped',
    stopping: null,
    probed: false,
    syncWaitOver: false,
    joined: false,
    members: {},
    local: {},
    busy: {},
    np: { reachable: null, checking: false, lost: [] },
    table: null,
    orders: {},
    ops: {},
    draining: [],
    recovering: [],
    splitBrains: [],
    quiet: [],
    seq: 0,
  };
  setConfig(s, config);
  return s;
}

/**
 * The state to change: a deep copy, except the peers' reports, which are replaced and never changed, so they are
 * shared (at 32 servers they are most of the state: each carries its sender's intent table).
 */
function clone(state: EngineState): EngineState {
  const { config, members, ...rest } = state;
  const copy: Record<string, Member> = {};
  for (const [name, m] of Object.entries(members)) copy[name] = { ...m };
  return { ...structuredClone(rest), members: copy, config };
}

export function decide(state: EngineState, event: EngineEvent): Decision {
  const s = clone(state);
  const out: EngineAction[] = [];
  const before = tableContent(s.table);
  handle(s, event, out);
  maybeJoin(s, out);
  if (isMaster(s)) reconcile(s, out);
  checkOps(s, out);
  // The master replicates every change of its intent table, so that the next master carries on from it.
  if (s.table && isMaster(s) && tableContent(s.table) !== before) {
    s.table.epoch += 1;
    out.push({ type: 'broadcast.table', table: structuredClone(s.table) });
  }
  return { state: s, actions: out };
}

function tableContent(t: IntentTable | null): string {
  return t ? JSON.stringify([t.groups, t.monitorCounters]) : '';
}

// ─── Queries ────────────────────────────────────────────────────────────────────────────────────────────────

export function serverNames(s: EngineState): string[] {
  return s.config?.servers.map((x) => x.name) ?? [];
}

function rank(s: EngineState, server: string): number {
  const i = serverNames(s).indexOf(server);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

function memberRunning(m: Member | undefined): boolean {
  return !!m && m.view === 'alive' && m.heartbeat && (m.service === 'running' || m.service === 'suspended') && !!m.report?.joined;
}

/**
 * A live server still joining: its service is starting, or its heartbeat already says running while the report
 * saying it joined has not arrived (heartbeats and reports travel separately, so either may come first).
 */
function memberJoining(m: Member | undefined): boolean {
  return !!m && m.view === 'alive' && m.heartbeat && (m.service === 'starting' || m.service === 'running' || m.service === 'suspended') && !memberRunning(m);
}

/** The master: the first server in the server list whose cluster service runs (as this server sees it). */
export function masterOf(s: EngineState): string | null {
  for (const name of serverNames(s)) {
    if (name === s.self) {
      if ((s.service === 'running' || s.service === 'suspended') && s.joined && !s.stopping) return name;
      continue;
    }
    const m = s.members[name];
    if (memberRunning(m)) return name;
    // A server before us in the list that is still joining (or whose report saying so has not arrived yet)
    // will be the master: wait for it rather than act as a second master.
    if (memberJoining(m)) return null;
  }
  return null;
}

export function isMaster(s: EngineState): boolean {
  return masterOf(s) === s.self;
}

function groupConfig(s: EngineState, name: string): GroupConfig | undefined {
  return s.config?.groups.find((g) => g.name === name);
}

function reportOf(s: EngineState, server: string): { groups: Record<string, LocalGroup>; service: string } | null {
  if (server === s.self) return { groups: s.local, service: s.service };
  const m = s.members[server];
  if (!m || m.view === 'dead' || !m.report) return null;
  return { groups: m.report.groups, service: m.service };
}

/** Servers that hold (or may hold) a group's resources: ours, live members', and lost-but-unconfirmed ones'. */
export function holders(s: EngineState, group: string): string[] {
  const out: string[] = [];
  for (const server of serverNames(s)) {
    const r = reportOf(s, server);
    const st = r?.groups[group]?.state;
    if (!st || !HOLDING.has(st)) continue;
    // A server whose service stopped holds nothing unless it still reports the group running.
    if (r.service !== 'running' && r.service !== 'suspended' && r.service !== 'starting' && st !== 'online' && st !== 'online-pending') continue;
    out.push(server);
  }
  return out;
}

function groupStateOn(s: EngineState, group: string, server: string): string | undefined {
  return reportOf(s, server)?.groups[group]?.state;
}

/** Whether the master may place a group on this server now. */
function canRun(s: EngineState, server: string): boolean {
  if (s.draining.includes(server)) return false;
  if (server === s.self) return s.service === 'running' && s.joined && !s.stopping;
  const m = s.members[server];
  return !!m && memberRunning(m) && m.service === 'running';
}

function eligible(s: EngineState, g: GroupConfig): string[] {
  if (!s.config) return [];
  return groupServers(s.config, g).filter((x) => canRun(s, x));
}

/** A resource's failover threshold; for the whole group (no resource named), the strictest of its resources. */
function failoverThreshold(s: EngineState, g: GroupConfig, resource: string | undefined): number {
  const servers = s.config ? groupServers(s.config, g).length : 1;
  const of = (t: number | 'servers') => (t === 'servers' ? servers : t);
  const r = g.resources.find((x) => x.name === resource);
  if (r) return of(r.recovery.activation.failoverThreshold);
  return Math.min(servers, ...g.resources.map((x) => of(x.recovery.activation.failoverThreshold)));
}

function nextId(s: EngineState, prefix: string): string {
  s.seq += 1;
  return `${prefix}:${s.self}:${s.bootId.slice(0, 8)}:${s.seq}`;
}

// ─── Config and membership ──────────────────────────────────────────────────────────────────────────────────

function setConfig(s: EngineState, config: ValidConfig | null): void {
  s.config = config;
  const names = new Set(config?.servers.map((x) => x.name) ?? []);
  for (const name of Object.keys(s.members)) if (!names.has(name) || name === s.self) delete s.members[name];
  for (const server of config?.servers ?? []) {
    if (server.name === s.self || s.members[server.name]) continue;
    s.members[server.name] = { view: 'dead', heartbeat: false, service: 'unknown', bootId: null, report: null, instanceId: server.instanceId ?? null };
  }
  for (const server of config?.servers ?? []) {
    const m = s.members[server.name];
    if (m && server.instanceId) m.instanceId = server.instanceId;
  }
  if (s.table && config) {
    for (const g of Object.keys(s.table.groups)) if (!config.groups.some((x) => x.name === g)) delete s.table.groups[g];
  }
}

function alert(out: EngineAction[], key: Extract<EngineAction, { type: 'alert' }>['key'], ...args: (string | number)[]): void {
  out.push({ type: 'alert', key, args });
}

function handle(s: EngineState, ev: EngineEvent, out: EngineAction[]): void {
  switch (ev.type) {
    case 'config':
      onConfig(s, ev.config, out);
      return;
    case 'service.start':
      onServiceStart(s, out);
      return;
    case 'service.stop':
      startStopping(s, out, { host: ev.host ?? 'none', isolation: false });
      return;
    case 'service.suspend':
      if (s.service === 'running') {
        s.service = 'suspended';
        out.push({ type: 'service', service: 'suspended' });
        alert(out, 'clusterSuspended');
      }
      return;
    case 'service.resume':
      if (s.service === 'suspended') {
        s.service = 'running';
        out.push({ type: 'service', service: 'running' });
        alert(out, 'clusterResumed');
      }
      return;
    case 'probe.done':
      s.local = ev.groups;
      s.probed = true;
      return;
    case 'sync.elapsed':
      s.syncWaitOver = true;
      return;
    case 'heartbeat.up':
      onHeartbeatUp(s, ev, out);
      return;
    case 'heartbeat.down':
      onHeartbeatDown(s, ev.server, out);
      return;
    case 'peer.report':
      onReport(s, ev.report);
      return;
    case 'peer.table':
      onTable(s, ev.table);
      return;
    case 'np.result':
      onNpResult(s, ev.reachable, ev.witness, out);
      return;
    case 'witness.lease.expired':
      onWitnessLeaseExpired(s, out);
      return;
    case 'fence.result':
      onFenceResult(s, ev.server, ev.ok, ev.message, out);
      return;
    case 'order':
      onOrder(s, ev.from, ev.order, out);
      return;
    case 'exec.done':
      onExecDone(s, ev, out);
      return;
    case 'order.result':
      if (isMaster(s) || s.orders[ev.result.id]) onOrderResult(s, ev.result, out);
      return;
    case 'operation':
      onOperation(s, ev.opId, ev.operation, ev.by, out);
      return;
    case 'monitor.error':
      if (isMaster(s)) onMonitorError(s, ev.server, ev.monitor, ev.message, out);
      return;
    case 'monitor.normal':
      if (s.table) delete s.table.monitorCounters[`${ev.monitor}@${ev.server}`];
      s.quiet = s.quiet.filter((q) => !q.startsWith(`${ev.monitor}@${ev.server}:`));
      return;
    case 'timer':
      onTimer(s, ev.id, out);
      return;
    default: {
      const check: never = ev;
      throw new Error(`unhandled event ${JSON.stringify(check)}`);
    }
  }
}

function onConfig(s: EngineState, config: ValidConfig | null, out: EngineAction[]): void {
  setConfig(s, config);
  if (!config || !config.servers.some((x) => x.name === s.self)) {
    if (s.service !== 'stopped') startStopping(s, out, { host: 'none', isolation: false });
    return;
  }
  // Groups that no longer exist are stopped where they run (the executor keeps their old definition).
  for (const [g, lg] of Object.entries(s.local)) {
    if (!config.groups.some((x) => x.name === g) && HOLDING.has(lg.state) && !s.busy[g]) {
      execLocal(s, out, { id: nextId(s, 'gone'), kind: 'group.deactivate', group: g, reason: 'stop' });
    }
  }
}

function onServiceStart(s: EngineState, out: EngineAction[]): void {
  if (!s.config || !s.config.servers.some((x) => x.name === s.self)) return;
  if (s.service !== 'stopped' && s.service !== 'isolated') return;
  s.service = 'starting';
  s.stopping = null;
  s.probed = false;
  s.syncWaitOver = false;
  s.joined = false;
  out.push({ type: 'service', service: 'starting' });
  out.push({ type: 'probe' });
  out.push({ type: 'timer.set', id: 'sync', ms: Math.round(s.config.cluster.serverSyncWaitS * 1000) });
}

/** Joins once the resources are probed and the other servers are up (or the wait is over, or a cluster runs). */
function maybeJoin(s: EngineState, out: EngineAction[]): void {
  if (s.service !== 'starting' || !s.probed || !s.config) return;
  const others = serverNames(s).filter((x) => x !== s.self);
  // CLUSTERPRO's server sync wait: wait until every other server has started its cluster service.
  const allUp = others.every((x) => {
    const m = s.members[x];
    return m?.view === 'alive' && !!m.report && (m.service === 'starting' || m.service === 'running' || m.service === 'suspended');
  });
  const clusterRuns = others.some((x) => memberRunning(s.members[x]));
  if (!s.syncWaitOver && !allUp && !clusterRuns) return;
  s.service = 'running';
  s.joined = true;
  out.push({ type: 'service', service: 'running' });
  alert(out, 'clusterStarted');
}

function onHeartbeatUp(s: EngineState, ev: Extract<EngineEvent, { type: 'heartbeat.up' }>, out: EngineAction[]): void {
  const m = s.members[ev.server];
  if (!m) return;
  const wasLost = m.view !== 'alive';
  if (m.bootId !== null && m.bootId !== ev.bootId) {
    m.report = null; // it restarted: its old report and the orders it had are void
    forgetOrdersTo(s, ev.server);
  }
  m.heartbeat = true;
  m.bootId = ev.bootId;
  m.service = ev.service;
  if (wasLost) {
    m.view = 'alive';
    delete m.witnessMark;
    s.np.lost = s.np.lost.filter((x) => x !== ev.server);
    alert(out, 'serverStarted', ev.server);
  }
}

function onHeartbeatDown(s: EngineState, server: string, out: EngineAction[]): void {
  const m = s.members[server];
  if (!m || !m.heartbeat) return;
  m.heartbeat = false;
  if (m.view !== 'alive') return;
  alert(out, 'serverStopped', server);
  if (s.service === 'running' || s.service === 'suspended') {
    m.view = 'suspect';
    if (!s.np.lost.includes(server)) s.np.lost.push(server);
    if (!s.np.checking) {
      s.np.checking = true;
      out.push({ type: 'np.check', lost: [...s.np.lost] });
    }
  } else {
    m.view = 'dead';
    m.report = null;
  }
}

function onReport(s: EngineState, report: ServerReport): void {
  const m = s.members[report.server];
  if (!m) return;
  if (m.view === 'dead' && !m.heartbeat && m.bootId === report.bootId) return; // a late report from a server we buried
  if (m.bootId !== null && report.bootId !== m.bootId && m.heartbeat) return; // stale, from a previous life
  // A report may arrive before the first heartbeat of a server's new life: keep it for when it does.
  m.bootId ??= report.bootId;
  m.report = report;
  m.service = report.service;
  if (report.instanceId) m.instanceId = report.instanceId;
  if (report.intents) onTable(s, report.intents);
}

function onTable(s: EngineState, table: IntentTable): void {
  // The master's table is authoritative whatever its epoch (a server that briefly acted as master, or the
  // other side of a healed partition, may hold a table with a higher epoch); otherwise the newest wins.
  const fromMaster = table.master !== s.self && table.master === masterOf(s);
  if (!s.table || fromMaster || table.epoch > s.table.epoch || (table.epoch === s.table.epoch && rank(s, table.master) < rank(s, s.table.master))) {
    s.table = structuredClone(table); // ours to change; the report it came with stays as it was
  }
}

// ─── Network partition resolution ───────────────────────────────────────────────────────────────────────────

function onNpResult(s: EngineState, reachable: boolean, witness: Record<string, WitnessView> | null, out: EngineAction[]): void {
  s.np.checking = false;
  s.np.reachable = reachable;
  const lost = s.np.lost.filter((x) => s.members[x]?.view === 'suspect' || s.members[x]?.view === 'held');
  s.np.lost = [];
  if (!s.config || (s.service !== 'running' && s.service !== 'suspended')) return;
  if (!reachable) {
    alert(out, 'npNotReachable', s.self);
    isolate(s, out, 'no network partition resolution target can be reached');
    return;
  }
  for (const server of lost) {
    const m = s.members[server];
    if (!m) continue;
    const w = witness?.[server];
    const verdict = w ? witnessVerdict(s, m, w) : 'dead';
    if (verdict === 'wait') {
      out.push({ type: 'timer.set', id: `recheck:${server}`, ms: witnessRecheckMs(s.config, w?.seenMsAgo ?? null) });
      continue;
    }
    if (w && verdict === 'alive' && (w.service === 'running' || w.service === 'suspended' || w.service === 'starting' || w.activeGroups.length > 0)) {
      // The witness still hears the peer: the interconnect is cut, not the peer dead.
      if (rank(s, server) < rank(s, s.self)) {
        alert(out, 'witnessPeerAlive', server, 'This server has the lower priority and stands down.');
        isolate(s, out, `the interconnect to ${server} is cut and ${server} has the higher priority`);
        return;
      }
      if (m.view !== 'held') alert(out, 'witnessPeerAlive', server, 'Its groups are not taken over while it runs them.');
      m.view = 'held';
      out.push({ type: 'timer.set', id: `recheck:${server}`, ms: recheckMs(s) });
      continue;
    }
    if (s.config.cluster.forcedStop.enabled) {
      if (!m.instanceId) {
        m.view = 'held';
        alert(out, 'fenceFailed', server, 'its instance ID is unknown; set it in the server properties');
        continue;
      }
      m.view = 'suspect';
      const delayMs = Math.round(rank(s, s.self) * s.config.cluster.forcedStop.delayPerPriorityS * 1000);
      alert(out, 'fenceStarted', server, m.instanceId);
      out.push({ type: 'fence', server, instanceId: m.instanceId, delayMs });
      continue;
    }
    declareDead(s, server);
  }
}

/** Whether this server holds on only by the witness: it runs, is not standing down, and has lost a peer. */
export function leaseMatters(s: EngineState): boolean {
  if (s.service !== 'running' && s.service !== 'suspended') return false;
  if (s.stopping?.isolation) return false;
  return Object.values(s.members).some((m) => m.view === 'suspect' || m.view === 'held');
}

/** Peers are lost and the witness has not answered within the lease: they take over soon, so stand down. */
function onWitnessLeaseExpired(s: EngineState, out: EngineAction[]): void {
  if (!leaseMatters(s)) return;
  alert(out, 'npNotReachable', s.self);
  isolate(s, out, 'the witness cannot be reached while the other servers are lost');
}

/**
 * What the witness says of a lost server: alive only if it heard the server again since our previous look (a
 * server that posted just before it crashed is not alive), dead once it has not heard it for longer than the
 * witness lease (the server has stood down by then, if it lives), otherwise ask again shortly.
 */
function witnessVerdict(s: EngineState, m: Member, w: WitnessView): 'alive' | 'dead' | 'wait' {
  const mark = m.witnessMark;
  m.witnessMark = w.seenAt;
  if (mark === undefined) return 'wait'; // the first look: two are needed either way
  if (w.seenAt === null || w.seenMsAgo === null) return 'dead'; // it has not reported (a restarted witness forgot it twice)
  if (mark === null || w.seenAt > mark) return 'alive';
  if (w.seenMsAgo > (witnessDeadAfterMs(s.config) ?? 0)) return 'dead';
  return 'wait';
}

function recheckMs(s: EngineState): number {
  return Math.max(500, Math.round((s.config?.cluster.heartbeat.intervalS ?? 3) * 2000));
}

function declareDead(s: EngineState, server: string): void {
  const m = s.members[server];
  if (!m) return;
  m.view = 'dead';
  m.report = null;
  m.service = 'unknown';
  delete m.witnessMark;
  forgetOrdersTo(s, server);
}

function onFenceResult(s: EngineState, server: string, ok: boolean, message: string, out: EngineAction[]): void {
  const m = s.members[server];
  if (!m || m.view === 'alive' || m.view === 'dead') return;
  if (ok) {
    alert(out, 'fenceCompleted', server, m.instanceId ?? '');
    declareDead(s, server);
  } else {
    alert(out, 'fenceFailed', server, message);
    m.view = 'held';
    out.push({ type: 'timer.set', id: `recheck:${server}`, ms: recheckMs(s) });
  }
}

function onTimer(s: EngineState, id: string, out: EngineAction[]): void {
  if (id === 'sync') {
    s.syncWaitOver = true;
    return;
  }
  if (id.startsWith('recheck:')) {
    const server = id.slice('recheck:'.length);
    const m = s.members[server];
    if (!m || m.heartbeat || (m.view !== 'held' && m.view !== 'suspect')) return;
    if (!s.np.lost.includes(server)) s.np.lost.push(server);
    if (!s.np.checking && (s.service === 'running' || s.service === 'suspended')) {
      s.np.checking = true;
      out.push({ type: 'np.check', lost: [...s.np.lost] });
    }
    return;
  }
  if (id.startsWith('order:')) {
    const o = s.orders[id.slice('order:'.length)];
    if (o) {
      delete s.orders[id.slice('order:'.length)];
      if (o.recoveryKey) s.recovering = s.recovering.filter((k) => k !== o.recoveryKey);
      if (o.opId) finishOp(s, out, o.opId, false, `${o.to} did not finish ${o.order.kind} in time`);
    }
    return;
  }
  if (id.startsWith('op:')) {
    const opId = id.slice(3);
    if (s.ops[opId]) {
      delete s.ops[opId];
      out.push({ type: 'op.done', opId, ok: false, code: 'KUMO_E_TIMEOUT', message: 'the operation did not finish in time; see the alert log' });
    }
  }
}

/** This server stands down: deactivate everything, then stop its service and take the isolation action. */
function isolate(s: EngineState, out: EngineAction[], why: string): void {
  if (s.stopping?.isolation) return;
  const action = s.config?.cluster.np.isolationAction ?? 'shutdown';
  alert(out, 'networkPartition', s.self);
  alert(out, 'isolationAction', s.self, why);
  startStopping(s, out, { host: action === 'stop-service' ? 'none' : action, isolation: true });
}

// ─── This server: stopping, orders, executor results ───────────────────────────────────────────────────────

function startStopping(s: EngineState, out: EngineAction[], how: { host: 'none' | 'shutdown' | 'reboot'; isolation: boolean }): void {
  if (s.service === 'stopped' || (s.service === 'isolated' && !how.isolation)) {
    if (how.host !== 'none') out.push({ type: 'host', action: how.host });
    return;
  }
  if (s.stopping && !how.isolation) return;
  s.stopping = how;
  drain(s, out);
}

function drain(s: EngineState, out: EngineAction[]): void {
  if (!s.stopping) return;
  let waiting = false;
  for (const [g, lg] of Object.entries(s.local)) {
    if (s.busy[g]) {
      waiting = true;
      continue;
    }
    if (s.stopping.failed?.includes(g)) continue; // its final action is taken instead
    if (HOLDING.has(lg.state)) {
      waiting = true;
      execLocal(s, out, { id: nextId(s, 'stop'), kind: 'group.deactivate', group: g, reason: 'stop' });
    }
  }
  if (waiting) return;
  const { host, isolation } = s.stopping;
  s.stopping = null;
  s.service = isolation ? 'isolated' : 'stopped';
  s.joined = false;
  s.probed = false;
  out.push({ type: 'service', service: s.service });
  alert(out, 'clusterStopped');
  if (host !== 'none') out.push({ type: 'host', action: host });
}

function execLocal(s: EngineState, out: EngineAction[], order: Order, from = s.self): void {
  if ('group' in order) s.busy[order.group] = order.id;
  out.push({ type: 'exec', order, from });
}

function orderResultFor(s: EngineState, order: Order, ok: boolean, message?: string, failedResource?: string): OrderResult {
  const r: OrderResult = { id: order.id, server: s.self, kind: order.kind, ok };
  if ('group' in order) r.group = order.group;
  if (message !== undefined) r.message = message;
  if (failedResource !== undefined) r.failedResource = failedResource;
  return r;
}

function reply(s: EngineState, out: EngineAction[], to: string, result: OrderResult): void {
  if (to === s.self) onOrderResult(s, result, out);
  else out.push({ type: 'send.result', to, result });
}

function onOrder(s: EngineState, from: string, order: Order, out: EngineAction[]): void {
  const master = masterOf(s);
  if (from !== s.self && from !== master) {
    reply(s, out, from, orderResultFor(s, order, false, `${s.self} does not take orders from ${from}: the master is ${master ?? 'unknown'}`));
    return;
  }
  if (order.kind === 'service.stop') {
    startStopping(s, out, { host: order.host, isolation: false });
    reply(s, out, from, orderResultFor(s, order, true));
    return;
  }
  const starting = order.kind === 'group.activate' || order.kind === 'resource.activate';
  if (starting && (s.service !== 'running' || !s.joined || s.stopping)) {
    reply(s, out, from, orderResultFor(s, order, false, `the cluster service of ${s.self} is not running`));
    return;
  }
  if (s.busy[order.group]) {
    reply(s, out, from, orderResultFor(s, order, false, `${s.self} is already working on group ${order.group}`));
    return;
  }
  execLocal(s, out, order, from);
}

function onExecDone(s: EngineState, ev: Extract<EngineEvent, { type: 'exec.done' }>, out: EngineAction[]): void {
  s.local = ev.groups;
  if ('group' in ev.order && s.busy[ev.order.group] === ev.order.id) delete s.busy[ev.order.group];
  const result = orderResultFor(s, ev.order, ev.ok, ev.message, ev.failedResource);
  if (ev.from === s.self) {
    if (s.orders[ev.order.id]) onOrderResult(s, result, out);
  } else reply(s, out, ev.from, result);
  if (s.stopping && !ev.ok && ev.order.kind === 'group.deactivate') onStopFailed(s, ev.order.group, ev.failedResource, out);
  if (s.stopping) drain(s, out);
}

const HOST_STRENGTH = { none: 0, shutdown: 1, reboot: 2 } as const;

/**
 * A group could not be released while this server stops (or stands down): it is not retried forever. The failed
 * resource's deactivation final action is taken instead, as CLUSTERPRO does: the service stops in any case, and
 * the host is shut down or rebooted when that action says so, so that the other servers can take over.
 */
function onStopFailed(s: EngineState, group: string, failedResource: string | undefined, out: EngineAction[]): void {
  const stopping = s.stopping;
  if (!stopping) return;
  const g = groupConfig(s, group);
  const resource = g?.resources.find((r) => r.name === failedResource);
  const action = resource?.recovery.deactivation.finalAction ?? 'shutdown';
  alert(out, 'deactivationFinal', action, failedResource ?? group);
  stopping.failed = [...(stopping.failed ?? []), group];
  const host = action === 'shutdown' || action === 'reboot' ? action : 'none';
  if (HOST_STRENGTH[host] > HOST_STRENGTH[stopping.host]) stopping.host = host;
}

// ─── The master ─────────────────────────────────────────────────────────────────────────────────────────────

function ensureTable(s: EngineState): IntentTable {
  if (!s.config) throw new Error('no config');
  if (!s.table) s.table = { epoch: 0, master: s.self, groups: {}, monitorCounters: {} };
  const t = s.table;
  t.master = s.self;
  for (const g of s.config.groups) {
    if (t.groups[g.name]) continue;
    const active = holders(s, g.name);
    const intent: GroupIntent = {
      desired: active.length > 0 || g.attributes.startup === 'auto' ? 'online' : 'offline',
      preferred: null,
      current: active[0] ?? null,
      failedOn: [],
      failovers: 0,
      halted: false,
      reason: active.length > 0 ? 'found running' : g.attributes.startup === 'auto' ? 'auto startup' : 'manual startup',
    };
    t.groups[g.name] = intent;
  }
  return t;
}

function issue(s: EngineState, out: EngineAction[], to: string, order: Order, extra: { opId?: string; recoveryKey?: string } = {}): void {
  s.orders[order.id] = { order, to, ...extra };
  const group = 'group' in order ? groupConfig(s, order.group) : undefined;
  out.push({ type: 'timer.set', id: `order:${order.id}`, ms: opTimeoutMs(s, group) });
  if (to === s.self) onOrder(s, s.self, order, out);
  else out.push({ type: 'send.order', to, order });
}

/** Orders to a server that died or restarted will never be answered. */
function forgetOrdersTo(s: EngineState, server: string): void {
  for (const [id, o] of Object.entries(s.orders)) {
    if (o.to !== server) continue;
    delete s.orders[id];
    if (o.recoveryKey) s.recovering = s.recovering.filter((k) => k !== o.recoveryKey);
  }
}

function orderPendingFor(s: EngineState, group: string): boolean {
  return Object.values(s.orders).some((o) => 'group' in o.order && o.order.group === group);
}

/** Level-triggered placement: compare what runs where with the intent and order the difference. */
function reconcile(s: EngineState, out: EngineAction[]): void {
  if (!s.config || s.service !== 'running') return;
  // Know what every running member runs before placing anything.
  for (const name of serverNames(s)) {
    if (name === s.self) continue;
    const m = s.members[name];
    if (m && m.view === 'alive' && m.heartbeat && !m.report) return;
  }
  const table = ensureTable(s);
  for (const g of s.config.groups) {
    if (orderPendingFor(s, g.name)) continue;
    const intent = table.groups[g.name];
    if (!intent) continue;
    placeGroup(s, out, g, intent);
  }
  for (const server of s.draining) {
    const holding = s.config.groups.some((g) => holders(s, g.name).includes(server));
    const stoppedAlready = server === s.self ? s.service !== 'running' : s.members[server]?.service === 'stopped';
    if (!holding && !stoppedAlready && !Object.values(s.orders).some((o) => o.to === server && o.order.kind === 'service.stop')) {
      issue(s, out, server, { id: nextId(s, 'svc'), kind: 'service.stop', host: 'none', reason: 'cluster stop' });
    }
  }
}

function placeGroup(s: EngineState, out: EngineAction[], g: GroupConfig, intent: GroupIntent): void {
  const active = holders(s, g.name);
  if (active.length > 1) {
    // Keep the copy that fully runs (the intended server's first), and release the others.
    const running = active.filter((x) => groupStateOn(s, g.name, x) === 'online');
    const pool = running.length > 0 ? running : active;
    const keep = intent.current && pool.includes(intent.current) ? intent.current : [...pool].sort((a, b) => rank(s, a) - rank(s, b))[0]!;
    const episode = `${g.name}:${[...active].sort().join(',')}`;
    if (running.length > 1 && !s.splitBrains.includes(episode)) {
      s.splitBrains.push(episode);
      alert(out, 'splitBrain', g.name, active.join(', '), keep);
    }
    intent.current = keep;
    for (const server of active) {
      if (server === keep) continue;
      if (server !== s.self && s.members[server]?.view !== 'alive') continue; // cannot order a lost server
      issue(s, out, server, { id: nextId(s, 'sb'), kind: 'group.deactivate', group: g.name, reason: 'split-brain' });
    }
    return;
  }
  if (intent.halted) return;
  const [on] = active;
  if (intent.desired === 'offline') {
    if (on !== undefined && (on === s.self || s.members[on]?.view === 'alive')) {
      issue(s, out, on, { id: nextId(s, 'stop'), kind: 'group.deactivate', group: g.name, reason: 'stop' });
    }
    return;
  }
  const candidates = eligible(s, g);
  if (on !== undefined) {
    const view = on === s.self ? 'alive' : s.members[on]?.view;
    if (view !== 'alive') return; // lost but not confirmed dead: wait
    const state = groupStateOn(s, g.name, on);
    if (state === 'online-failure' && intent.reason !== 'running') {
      // Found half-started (a probe after a crash, a stale address) with no order deciding about it: complete it
      // where it is (activation is idempotent), or release it when that server may not run it.
      if (canRun(s, on)) {
        const free = candidates.filter((x) => !intent.failedOn.includes(x) && x !== on);
        const canFailover = intent.failovers < failoverThreshold(s, g, undefined) && free.length > 0;
        issue(s, out, on, { id: nextId(s, 'act'), kind: 'group.activate', group: g.name, reason: 'start', canFailover });
      } else issue(s, out, on, { id: nextId(s, 'rel'), kind: 'group.deactivate', group: g.name, reason: 'stop' });
      return;
    }
    if (state !== 'online') return; // pending, or failed and left so by its final action
    intent.current = on;
    if (intent.preferred && intent.preferred !== on) {
      if (candidates.includes(intent.preferred)) {
        const reason = intent.reason === 'failover' ? 'failover' : intent.reason === 'failback' ? 'failback' : 'move';
        issue(s, out, on, { id: nextId(s, 'mv'), kind: 'group.deactivate', group: g.name, reason });
      } else intent.preferred = null;
      return;
    }
    if (g.attributes.failback === 'auto') {
      const best = candidates.find((x) => !intent.failedOn.includes(x));
      const order = s.config ? groupServers(s.config, g) : [];
      if (best && best !== on && order.indexOf(best) < order.indexOf(on)) {
        intent.preferred = best;
        intent.reason = 'failback';
        issue(s, out, on, { id: nextId(s, 'fb'), kind: 'group.deactivate', group: g.name, reason: 'failback' });
      }
    }
    return;
  }
  // Offline everywhere. Wait while a lost server that ran it is not confirmed dead.
  const runner = intent.current;
  if (runner && runner !== s.self) {
    const view = s.members[runner]?.view;
    if (view === 'suspect' || view === 'held') return;
  }
  const lostRunner = runner !== null && runner !== s.self && s.members[runner]?.view === 'dead';
  if (lostRunner && g.attributes.failover === 'manual' && !intent.preferred) {
    intent.desired = 'offline';
    intent.current = null;
    intent.reason = `its server ${runner} went down and the group fails over manually`;
    alert(out, 'groupStopped', g.name);
    return;
  }
  const free = candidates.filter((x) => !intent.failedOn.includes(x));
  const target = intent.preferred && candidates.includes(intent.preferred) ? intent.preferred : free[0];
  if (!target) return;
  // Servers still joining (probing their resources, or joined with the report saying so still on its way) get
  // their turn first: placement waits for them.
  if (groupServers(s.config!, g).some((x) => x !== s.self && memberJoining(s.members[x]))) return;
  let reason: 'start' | 'failover' | 'move' | 'failback' = 'start';
  if (intent.reason === 'failback') reason = 'failback';
  else if (intent.reason === 'failover' || lostRunner) reason = 'failover';
  else if (intent.preferred === target && runner !== null && runner !== target) reason = 'move';
  const threshold = failoverThreshold(s, g, undefined);
  const canFailover = intent.failovers < threshold && free.filter((x) => x !== target).length > 0;
  if (reason === 'failover') alert(out, 'groupFailingOver', g.name, target);
  issue(s, out, target, { id: nextId(s, 'act'), kind: 'group.activate', group: g.name, reason, canFailover });
}

function onOrderResult(s: EngineState, result: OrderResult, out: EngineAction[]): void {
  const inFlight = s.orders[result.id];
  if (!inFlight) return;
  delete s.orders[result.id];
  const order = inFlight.order;
  if (inFlight.opId) finishOp(s, out, inFlight.opId, result.ok, result.message);
  if (inFlight.recoveryKey) s.recovering = s.recovering.filter((k) => k !== inFlight.recoveryKey);
  if (!s.table || !('group' in order)) return;
  const g = groupConfig(s, order.group);
  const intent = s.table.groups[order.group];
  if (!g || !intent) return;
  switch (order.kind) {
    case 'group.activate':
      if (result.ok) {
        intent.current = result.server;
        intent.failedOn = [];
        intent.failovers = 0;
        intent.preferred = null;
        intent.reason = 'running';
      } else onActivationFailed(s, out, g, intent, result);
      break;
    case 'group.deactivate':
      if (!result.ok) onDeactivationFailed(s, out, g, intent, result);
      else if (order.reason === 'failover' && intent.current === result.server) intent.current = null;
      break;
    case 'resource.restart':
    case 'group.restart':
    case 'resource.activate':
    case 'resource.deactivate':
      break;
    default: {
      const check: never = order;
      throw new Error(`unhandled order ${JSON.stringify(check)}`);
    }
  }
}

function onActivationFailed(s: EngineState, out: EngineAction[], g: GroupConfig, intent: GroupIntent, result: OrderResult): void {
  const server = result.server;
  if (!result.failedResource) {
    // Refused before it started (busy, not running): nothing was touched; place it again later.
    return;
  }
  if (!intent.failedOn.includes(server)) intent.failedOn.push(server);
  const resource = g.resources.find((r) => r.name === result.failedResource);
  const threshold = failoverThreshold(s, g, result.failedResource);
  const next = eligible(s, g).find((x) => !intent.failedOn.includes(x));
  if (intent.failovers < threshold && next) {
    intent.failovers += 1;
    intent.preferred = null;
    intent.current = server;
    intent.reason = 'failover';
    alert(out, 'recoveryMoveGroup', g.name, next, result.failedResource);
    issue(s, out, server, { id: nextId(s, 'fo'), kind: 'group.deactivate', group: g.name, reason: 'failover' });
    return;
  }
  const action = resource?.recovery.activation.finalAction ?? 'none';
  switch (action) {
    case 'none-continue':
    case 'none':
      intent.halted = true;
      intent.reason = `activation of ${result.failedResource} failed on ${server}; final action "No operation"`;
      alert(out, action === 'none' ? 'recoveryNoOperation' : 'recoveryContinue', g.name, result.failedResource);
      return;
    case 'stop-group':
      intent.desired = 'offline';
      intent.reason = `activation of ${result.failedResource} failed; final action: stop the group`;
      alert(out, 'recoveryStopGroup', g.name, result.failedResource);
      issue(s, out, server, { id: nextId(s, 'fa'), kind: 'group.deactivate', group: g.name, reason: 'stop' });
      return;
    case 'stop-service':
    case 'shutdown':
    case 'reboot':
      intent.halted = true;
      intent.reason = `activation of ${result.failedResource} failed; final action: ${action}`;
      alert(out, action === 'stop-service' ? 'recoveryStopService' : action === 'shutdown' ? 'recoveryShutdown' : 'recoveryReboot', result.failedResource);
      issue(s, out, server, { id: nextId(s, 'fa'), kind: 'service.stop', host: action === 'stop-service' ? 'none' : action, reason: intent.reason });
      return;
    default: {
      const check: never = action;
      throw new Error(`unhandled final action ${String(check)}`);
    }
  }
}

function onDeactivationFailed(s: EngineState, out: EngineAction[], g: GroupConfig, intent: GroupIntent, result: OrderResult): void {
  const resource = g.resources.find((r) => r.name === result.failedResource);
  const action = resource?.recovery.deactivation.finalAction ?? 'shutdown';
  alert(out, 'deactivationFinal', action, result.failedResource ?? g.name);
  if (action === 'none' || action === 'none-continue') {
    intent.halted = true;
    intent.reason = `deactivation of ${result.failedResource ?? g.name} failed on ${result.server}; final action "No operation"`;
    return;
  }
  intent.reason = `deactivation failed; final action: ${action}`;
  issue(s, out, result.server, { id: nextId(s, 'fa'), kind: 'service.stop', host: action === 'stop-service' ? 'none' : action, reason: intent.reason });
}

// ─── Operations ─────────────────────────────────────────────────────────────────────────────────────────────

function refuse(out: EngineAction[], opId: string, code: NonNullable<Extract<EngineAction, { type: 'op.done' }>['code']>, message: string): void {
  out.push({ type: 'op.done', opId, ok: false, code, message });
}

function finishOp(s: EngineState, out: EngineAction[], opId: string, ok: boolean, message?: string): void {
  if (!s.ops[opId]) return;
  delete s.ops[opId];
  const done: EngineAction = { type: 'op.done', opId, ok };
  if (!ok) {
    done.code = 'KUMO_E_GROUP_STATE';
    done.message = message ?? 'the operation failed; see the alert log';
  }
  out.push(done);
}

function opTimeoutMs(s: EngineState, group?: GroupConfig): number {
  const res = group?.resources ?? s.config?.groups.flatMap((g) => g.resources) ?? [];
  return Math.round((30 + res.reduce((sum, r) => sum + (r.timeouts.activateS ?? 0) + (r.timeouts.deactivateS ?? 0), 0)) * 1000);
}

function onOperation(s: EngineState, opId: string, operation: PendingOp['operation'], by: string, out: EngineAction[]): void {
  if (!isMaster(s) || !s.config) {
    refuse(out, opId, 'KUMO_E_SERVER_DOWN', `${s.self} is not the master server; the operation was not carried out`);
    return;
  }
  const table = ensureTable(s);
  const track = (goal: PendingOp['goal'], group?: GroupConfig) => {
    s.ops[opId] = { opId, operation, goal, by };
    out.push({ type: 'timer.set', id: `op:${opId}`, ms: opTimeoutMs(s, group) });
  };
  if (operation.op === 'cluster.stop') {
    for (const server of operation.servers) {
      if (!s.draining.includes(server)) s.draining.push(server);
      for (const g of s.config.groups) {
        const intent = table.groups[g.name];
        if (intent && holders(s, g.name).includes(server)) {
          intent.desired = 'offline';
          intent.reason = `cluster stop by ${by}`;
        }
      }
    }
    track({ servers: operation.servers, state: 'stopped' });
    return;
  }
  if (operation.op === 'resource.start' || operation.op === 'resource.stop') {
    const g = s.config.groups.find((x) => x.resources.some((r) => r.name === operation.resource));
    if (!g) return refuse(out, opId, 'KUMO_E_GROUP_STATE', `there is no resource ${operation.resource}`);
    const on = holders(s, g.name)[0] ?? (operation.op === 'resource.start' ? (operation.server ?? eligible(s, g)[0]) : undefined);
    if (!on) return refuse(out, opId, 'KUMO_E_GROUP_STATE', `resource ${operation.resource} is not active anywhere`);
    if (!canRun(s, on)) return refuse(out, opId, 'KUMO_E_SERVER_DOWN', `${on} is down or its cluster service is stopped`);
    if (orderPendingFor(s, g.name)) return refuse(out, opId, 'KUMO_E_GROUP_BUSY', `group ${g.name} is busy; wait until it finishes`);
    s.ops[opId] = { opId, operation, goal: null, by };
    issue(
      s,
      out,
      on,
      { id: nextId(s, 'rsc'), kind: operation.op === 'resource.start' ? 'resource.activate' : 'resource.deactivate', group: g.name, resource: operation.resource },
      { opId },
    );
    return;
  }
  const g = groupConfig(s, operation.group);
  const intent = table.groups[operation.group];
  if (!g || !intent) return refuse(out, opId, 'KUMO_E_GROUP_STATE', `there is no group ${operation.group}`);
  if (orderPendingFor(s, g.name)) return refuse(out, opId, 'KUMO_E_GROUP_BUSY', `group ${g.name} is already starting, stopping or moving; wait until it finishes`);
  const active = holders(s, g.name);
  const servers = groupServers(s.config, g);
  const wanted = 'server' in operation ? operation.server : undefined;
  if (wanted !== undefined) {
    if (!servers.includes(wanted)) return refuse(out, opId, 'KUMO_E_GROUP_STATE', `${wanted} is not a startup server of group ${g.name}; choose one of ${servers.join(', ')}`);
    if (!canRun(s, wanted)) return refuse(out, opId, 'KUMO_E_SERVER_DOWN', `${wanted} is down or its cluster service is not running; choose another server or start it first`);
  }
  switch (operation.op) {
    case 'group.start': {
      if (active.length > 0) {
        if (groupStateOn(s, g.name, active[0]!) === 'online' && (wanted === undefined || wanted === active[0])) {
          out.push({ type: 'op.done', opId, ok: true });
          return;
        }
        return refuse(out, opId, 'KUMO_E_GROUP_STATE', `group ${g.name} is already active on ${active.join(', ')}; move it instead`);
      }
      const target = wanted ?? eligible(s, g)[0];
      if (!target) return refuse(out, opId, 'KUMO_E_SERVER_DOWN', `no startup server of group ${g.name} is running`);
      Object.assign(intent, { desired: 'online', preferred: target, failedOn: [], failovers: 0, halted: false, reason: `started by ${by}` });
      track({ group: g.name, state: 'online', server: target }, g);
      return;
    }
    case 'group.stop':
      Object.assign(intent, { desired: 'offline', preferred: null, halted: false, reason: `stopped by ${by}` });
      if (active.length === 0) {
        out.push({ type: 'op.done', opId, ok: true });
        return;
      }
      track({ group: g.name, state: 'offline', server: null }, g);
      return;
    case 'group.move': {
      const on = active[0];
      if (on === undefined || active.length > 1) return refuse(out, opId, 'KUMO_E_GROUP_STATE', `group ${g.name} is not online on one server; start it instead`);
      const target = wanted ?? eligible(s, g).find((x) => x !== on);
      if (!target) return refuse(out, opId, 'KUMO_E_SERVER_DOWN', `no other startup server of group ${g.name} is running`);
      if (target === on) {
        out.push({ type: 'op.done', opId, ok: true });
        return;
      }
      Object.assign(intent, { desired: 'online', preferred: target, failedOn: [], failovers: 0, halted: false, reason: `moved by ${by}` });
      alert(out, 'groupMoving', g.name, target);
      track({ group: g.name, state: 'online', server: target }, g);
      return;
    }
    default: {
      const check: never = operation;
      throw new Error(`unhandled operation ${JSON.stringify(check)}`);
    }
  }
}

function checkOps(s: EngineState, out: EngineAction[]): void {
  for (const op of Object.values(s.ops)) {
    const goal = op.goal;
    if (!goal) continue;
    if ('servers' in goal) {
      const done = goal.servers.every((x) => (x === s.self ? s.service === 'stopped' : s.members[x]?.service === 'stopped' || s.members[x]?.view === 'dead'));
      if (done) {
        s.draining = s.draining.filter((x) => !goal.servers.includes(x));
        finishOp(s, out, op.opId, true);
      }
      continue;
    }
    const active = holders(s, goal.group);
    const intent = s.table?.groups[goal.group];
    if (goal.state === 'offline') {
      if (active.length === 0) finishOp(s, out, op.opId, true);
      continue;
    }
    if (active.length === 1 && groupStateOn(s, goal.group, active[0]!) === 'online' && (goal.server === null || goal.server === active[0])) {
      finishOp(s, out, op.opId, true);
    } else if (intent && (intent.halted || (goal.server !== null && intent.failedOn.includes(goal.server)) || intent.desired === 'offline')) {
      finishOp(s, out, op.opId, false, `group ${goal.group} could not be started on ${goal.server ?? 'any server'}: ${intent.reason}`);
    }
  }
}

// ─── Monitor recovery ───────────────────────────────────────────────────────────────────────────────────────

/** True the first time a finding is seen (until the monitor is normal again). */
function once(s: EngineState, finding: string): boolean {
  if (s.quiet.includes(finding)) return false;
  s.quiet.push(finding);
  return true;
}

function onMonitorError(s: EngineState, server: string, monitorName: string, message: string, out: EngineAction[]): void {
  const monitor = s.config?.monitors.find((m) => m.name === monitorName);
  if (!monitor || !s.config) return;
  const key = `${monitorName}@${server}`;
  if (s.recovering.includes(key)) return;
  // While a lost peer is being checked or held, an address that "moved" may be that peer taking over: recovering
  // it would fight over it. The monitor reports again at its next interval, when membership has settled.
  if (Object.values(s.members).some((m) => m.view === 'suspect' || m.view === 'held')) {
    if (once(s, `${key}:unsettled`)) alert(out, 'monitorRecoveryDeferred', monitorName);
    return;
  }
  const table = ensureTable(s);
  const counters = (table.monitorCounters[key] ??= { restarts: 0, failovers: 0 });
  const target = monitor.recovery.target;
  let groups: GroupConfig[];
  let targetName: string;
  if (target.kind === 'local-server') {
    groups = s.config.groups.filter((g) => holders(s, g.name).includes(server));
    targetName = 'LocalServer';
  } else {
    const g = target.kind === 'group' ? groupConfig(s, target.name) : s.config.groups.find((x) => x.resources.some((r) => r.name === target.name));
    if (!g) return;
    if (!holders(s, g.name).includes(server)) {
      if (once(s, `${key}:notActive`)) alert(out, 'monitorRecoveryNotActive', target.name);
      return;
    }
    groups = [g];
    targetName = target.name;
  }
  if (groups.some((g) => orderPendingFor(s, g.name))) return; // busy; the monitor reports again next interval
  if (target.kind !== 'local-server' && counters.restarts < monitor.recovery.maxRestarts) {
    counters.restarts += 1;
    s.recovering.push(key);
    const g = groups[0]!;
    const order: Order =
      target.kind === 'resource'
        ? { id: nextId(s, 'rec'), kind: 'resource.restart', group: g.name, resource: target.name }
        : { id: nextId(s, 'rec'), kind: 'group.restart', group: g.name };
    alert(out, 'monitorRecoveryRestart', targetName, monitorName);
    issue(s, out, server, order, { recoveryKey: key });
    return;
  }
  if (counters.failovers < monitor.recovery.maxFailovers) {
    const moves = groups
      .map((g) => ({ g, to: eligible(s, g).find((x) => x !== server) }))
      .filter((m): m is { g: GroupConfig; to: string } => m.to !== undefined);
    if (moves.length > 0 || groups.length === 0) {
      counters.failovers += 1;
      for (const { g, to } of moves) {
        const intent = table.groups[g.name];
        if (!intent) continue;
        Object.assign(intent, { preferred: to, reason: 'failover', desired: 'online' });
        if (!intent.failedOn.includes(server)) intent.failedOn.push(server);
      }
      alert(out, 'monitorRecoveryFailover', targetName, monitorName);
        return;
    }
  }
  switch (monitor.recovery.finalAction) {
    case 'none':
      if (once(s, `${key}:final`)) alert(out, 'monitorFinalNone', monitor.recovery.maxRestarts, monitorName);
      return;
    case 'stop-group':
      for (const g of groups) {
        const intent = table.groups[g.name];
        if (intent) Object.assign(intent, { desired: 'offline', reason: `final action of ${monitorName}` });
      }
      alert(out, 'monitorRecoveryStop', targetName, monitorName);
        return;
    case 'stop-resource': {
      const g = groups[0];
      if (g && target.kind === 'resource') {
        alert(out, 'monitorRecoveryStop', targetName, monitorName);
        issue(s, out, server, { id: nextId(s, 'fa'), kind: 'resource.deactivate', group: g.name, resource: target.name });
      }
      return;
    }
    case 'stop-service':
    case 'shutdown':
    case 'reboot': {
      const fa = monitor.recovery.finalAction;
      alert(out, fa === 'stop-service' ? 'monitorRecoveryStopService' : fa === 'shutdown' ? 'monitorRecoveryShutdown' : 'monitorRecoveryReboot', monitorName);
      issue(s, out, server, { id: nextId(s, 'fa'), kind: 'service.stop', host: fa === 'stop-service' ? 'none' : fa, reason: `final action of ${monitorName}: ${message}` });
      return;
    }
    default: {
      const check: never = monitor.recovery.finalAction;
      throw new Error(`unhandled final action ${String(check)}`);
    }
  }
}
