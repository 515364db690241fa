/**
 * Builds the cluster status (the status model in @kumo/shared) from this agent's view: its config, its engine
 * (membership and every server's report), its heartbeats and NP targets. Any agent can answer for the whole
 * cluster.
 */
import { monitorServers } from '@kumo/shared';
import type { ClusterStatus, GroupStatus, LocalGroup, ServerStatus, ValidConfig } from '@kumo/shared';
import { holders, masterOf } from './engine/decide.js';
import type { EngineState } from './engine/model.js';
import type { HeartbeatStatus } from './engine/heartbeat.js';
import type { MonitorStatus } from './monitors/runner.js';
import type { NpCheckResult } from './engine/np-resolution.js';

export interface StatusInputs {
  self: string;
  config: ValidConfig | null;
  configVersion: number | null;
  configHash: string | null;
  engine: EngineState;
  heartbeats: HeartbeatStatus[];
  np: NpCheckResult['targets'];
  monitors: Record<string, MonitorStatus>;
  mirrors: ClusterStatus['mirrors'];
  now: number;
}

function serverState(s: EngineState, name: string): ServerStatus['state'] {
  const service = name === s.self ? s.service : s.members[name]?.service;
  const view = name === s.self ? 'alive' : s.members[name]?.view;
  if (view !== 'alive') return view === 'held' || view === 'suspect' ? 'unknown' : 'offline';
  switch (service) {
    case 'running':
      return 'online';
    case 'starting':
      return 'online';
    case 'suspended':
      return 'suspended';
    case 'isolated':
      return 'isolated';
    case 'stopped':
      return 'stopped';
    case 'unknown':
    case undefined:
      return 'unknown';
  }
}

function groupsOf(s: EngineState, server: string): Record<string, LocalGroup> {
  if (server === s.self) return s.local;
  return s.members[server]?.report?.groups ?? {};
}

export function buildStatus(i: StatusInputs): ClusterStatus {
  const s = i.engine;
  const config = i.config;
  if (!config) {
    return {
      from: i.self,
      generatedAt: i.now,
      cluster: { name: null, state: 'unconfigured', master: null, configVersion: null, configHash: null },
      servers: [],
      groups: [],
      monitors: [],
      mirrors: [],
    };
  }
  const master = masterOf(s);
  const servers: ServerStatus[] = config.servers.map((srv) => {
    const hb = i.heartbeats.find((h) => h.server === srv.name);
    const report = srv.name === i.self ? null : s.members[srv.name]?.report;
    return {
      name: srv.name,
      address: srv.address,
      state: serverState(s, srv.name),
      isLocal: srv.name === i.self,
      isMaster: srv.name === master,
      ...(srv.instanceId ? { instanceId: srv.instanceId } : report?.instanceId ? { instanceId: report.instanceId } : {}),
      heartbeats: srv.name === i.self ? [] : (hb?.interconnects ?? []),
      np: (srv.name === i.self ? i.np : (report?.np.targets ?? [])).map((t) => ({ target: t.target, kind: t.kind, state: t.ok === null ? 'unknown' : t.ok ? 'normal' : 'error' })),
      configHash: srv.name === i.self ? i.configHash : (report?.configHash ?? null),
    };
  });
  const groups: GroupStatus[] = config.groups.map((g) => {
    const active = holders(s, g.name);
    const current = active[0] ?? null;
    const local = current ? groupsOf(s, current)[g.name] : undefined;
    const pendingOrder = Object.values(s.orders).find((o) => 'group' in o.order && o.order.group === g.name);
    const intent = s.table?.groups[g.name];
    let state: GroupStatus['state'] = local?.state ?? 'offline';
    if (active.length > 1) state = 'error';
    return {
      name: g.name,
      state,
      current,
      activeOn: active,
      pending: pendingOrder ? { operation: pendingOrder.order.kind, target: pendingOrder.to } : null,
      resources: g.resources.map((r) => {
        const rs = local?.resources[r.name];
        return { name: r.name, type: r.type, state: rs?.state ?? 'offline', ...(rs?.message ? { message: rs.message } : {}) };
      }),
      ...(intent && intent.reason && (intent.halted || state === 'offline') ? { message: intent.reason } : {}),
    };
  });
  const monitors = config.monitors.map((m) => {
    const perServer: ClusterStatus['monitors'][number]['perServer'] = {};
    for (const server of monitorServers(config, m)) {
      if (server === i.self) {
        const st = i.monitors[m.name];
        perServer[server] = st ? { ...st } : { state: s.service === 'running' ? 'normal' : 'offline', lastCheck: null };
      } else {
        const rep = s.members[server]?.report;
        const st = rep?.monitors[m.name];
        perServer[server] = st ? { ...st } : { state: rep ? 'offline' : 'unknown', lastCheck: null };
      }
    }
    return { name: m.name, type: m.type, perServer };
  });
  const serviceStates = config.servers.map((x) => (x.name === i.self ? s.service : s.members[x.name]?.service));
  const runningCount = serviceStates.filter((x) => x === 'running').length;
  const clusterState: ClusterStatus['cluster']['state'] =
    serviceStates.some((x) => x === 'suspended') ? 'suspended' : runningCount === 0 ? 'stopped' : runningCount === config.servers.length ? 'running' : 'partial';
  return {
    from: i.self,
    generatedAt: i.now,
    cluster: { name: config.cluster.name, state: clusterState, master, configVersion: i.configVersion, configHash: i.configHash },
    servers,
    groups,
    monitors,
    mirrors: i.mirrors,
  };
}
