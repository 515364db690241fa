/**
 * The configuration being edited (the "draft") and the edits that touch more than one place: adding a server
 * fills its interconnect address, removing one clears it everywhere, a new resource gets CLUSTERPRO's default
 * name and, when finished, the monitors it adds automatically, and renaming a resource or group rewrites the
 * dependencies and monitor targets that name it.
 *
 * A draft is a `ClusterConfig` with the schema's defaults filled, so pages read plain values. Resource and
 * monitor `params` stay sparse: a param left out takes its default from the type catalogue. The functions here
 * mutate the draft they are given; `DraftProvider.update` hands them a copy.
 */
import {
  autoMonitorsFor,
  clusterConfigSchema,
  clusterSectionSchema,
  defaultMonitorName,
  defaultName,
  defaultResourceName,
  groupSchema,
  IPV4_RE,
  MONITOR_TYPES,
  monitorSchema,
  RESOURCE_TYPES,
  resourceSchema,
  SECRET_FIELDS,
} from '@kumo/shared';
import type {
  ClusterConfig,
  GroupConfig,
  Lang,
  MonitorConfig,
  MonitorTypeDef,
  MonitorTypeId,
  RecoveryTarget,
  ResourceConfig,
  ResourceTypeDef,
  ResourceTypeId,
} from '@kumo/shared';

export type Draft = ClusterConfig;
export type Path = readonly (string | number)[];

/** The wizard's starting point: the server the WebUI was loaded from is the master server. */
export function newDraft(master: { name: string; address: string }, language: Lang): Draft {
  const cluster = clusterSectionSchema.parse({ name: 'cluster', language });
  const address = IPV4_RE.test(master.address) ? master.address : '';
  return {
    formatVersion: 1,
    cluster: { ...cluster, name: '' },
    servers: [{ name: master.name, address }],
    interconnects: [{ priority: 1, kind: 'kernel', addresses: address ? { [master.name]: address } : {} }],
    groups: [],
    monitors: [],
  };
}

/** A config from the agent or a file as a draft (defaults filled, secrets dropped), or the schema's errors. */
export function draftFromConfig(raw: unknown): Draft | null {
  const parsed = clusterConfigSchema.safeParse(raw);
  return parsed.success ? stripSecrets(parsed.data) : null;
}

/** True when the document carries password hashes (they never enter the browser's draft). */
export function hasSecrets(raw: unknown): boolean {
  const webui = (raw as { cluster?: { webui?: Record<string, unknown> } } | null)?.cluster?.webui;
  return typeof webui === 'object' && webui !== null && SECRET_FIELDS.some((f) => f in webui);
}

export function stripSecrets(d: Draft): Draft {
  const webui = { ...d.cluster.webui };
  for (const f of SECRET_FIELDS) delete webui[f];
  return { ...d, cluster: { ...d.cluster, webui } };
}

export function getIn(root: unknown, path: Path): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

/** Sets a value at a path, creating objects on the way; `undefined` removes an object key. */
export function setIn(root: unknown, path: Path, value: unknown): void {
  if (path.length === 0) return;
  let cur = root as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = String(path[i]);
    let next = cur[key];
    if (typeof next !== 'object' || next === null) {
      next = typeof path[i + 1] === 'number' ? [] : {};
      cur[key] = next;
    }
    cur = next as Record<string, unknown>;
  }
  const last = String(path[path.length - 1]);
  if (value === undefined && !Array.isArray(cur)) delete cur[last];
  else cur[last] = value;
}

export function moveItem<T>(list: T[], index: number, delta: number): void {
  const to = index + delta;
  if (to < 0 || to >= list.length) return;
  const [item] = list.splice(index, 1);
  if (item !== undefined) list.splice(to, 0, item);
}

// Servers

export function addServer(d: Draft, name: string, address: string): void {
  d.servers.push({ name, address });
  const first = d.interconnects[0];
  if (first && first.addresses[name] === undefined && IPV4_RE.test(address) && !Object.values(first.addresses).includes(address)) {
    first.addresses[name] = address;
  }
}

/** Sets a server's address, and the interconnect addresses that were the same (the guide uses the private IP for both). */
export function setServerAddress(d: Draft, index: number, address: string): void {
  const server = d.servers[index];
  if (!server) return;
  const before = server.address;
  server.address = address;
  d.interconnects.forEach((ic, i) => {
    const now = ic.addresses[server.name];
    const follows = now === undefined ? i === 0 : now === before;
    if (!follows) return;
    if (IPV4_RE.test(address)) ic.addresses[server.name] = address;
    else delete ic.addresses[server.name];
  });
}

export function removeServer(d: Draft, name: string): void {
  d.servers = d.servers.filter((s) => s.name !== name);
  for (const ic of d.interconnects) delete ic.addresses[name];
  for (const t of d.cluster.np.targets) t.servers = t.servers.filter((s) => s !== name);
  for (const g of d.groups) {
    g.startupServers = g.startupServers.filter((s) => s !== name);
    for (const r of g.resources) delete r.perServer[name];
  }
  for (const m of d.monitors) {
    m.common.servers = m.common.servers.filter((s) => s !== name);
    delete m.perServer[name];
  }
}

// Interconnects

export function renumberInterconnects(d: Draft): void {
  d.interconnects.forEach((ic, i) => {
    ic.priority = i + 1;
  });
}

export function addInterconnect(d: Draft): void {
  d.interconnects.push({ priority: d.interconnects.length + 1, kind: 'kernel', addresses: {} });
}

// Groups

export function newGroup(d: Draft): GroupConfig {
  const group = groupSchema.parse({ name: 'x' });
  return { ...group, name: defaultName('failover', d.groups.map((g) => g.name)) };
}

export function resourceNames(d: Draft): string[] {
  return d.groups.flatMap((g) => g.resources.map((r) => r.name));
}

/** Removes a group, and the monitors that watch its resources. */
export function removeGroup(d: Draft, index: number): void {
  const group = d.groups[index];
  if (!group) return;
  const names = new Set(group.resources.map((r) => r.name));
  d.monitors = d.monitors.filter((m) => !watches(m, names));
  d.groups.splice(index, 1);
}

export function renameGroup(d: Draft, from: string, to: string): void {
  if (from === to) return;
  for (const g of d.groups) if (g.name === from) g.name = to;
  for (const m of d.monitors) if (m.recovery.target.kind === 'group' && m.recovery.target.name === from) m.recovery.target = { kind: 'group', name: to };
}

// Resources

/** A new resource of a type, with CLUSTERPRO's default name (awsvip1, md1, …). */
export function newResource(d: Draft, type: ResourceTypeId): ResourceConfig {
  const r = resourceSchema.parse({ name: 'x', type });
  return { ...r, name: defaultResourceName(type, resourceNames(d)) };
}

/** Changes the type of a resource being created: its params start over, and a default name follows the type. */
export function retypeResource(d: Draft, r: ResourceConfig, type: ResourceTypeId): void {
  const wasDefault = r.name === defaultResourceName(r.type, resourceNames(d).filter((n) => n !== r.name));
  r.type = type;
  r.params = {};
  r.perServer = {};
  if (wasDefault) r.name = defaultResourceName(type, resourceNames(d).filter((n) => n !== r.name));
}

/** The monitors CLUSTERPRO adds with a resource (awsvip → awsvipw, md → mdw + mdnw), added to the draft. */
export function addAutoMonitors(d: Draft, resource: ResourceConfig): MonitorConfig[] {
  const added = autoMonitorsFor(resource, d.monitors.map((m) => m.name)).map((m) => monitorSchema.parse(m));
  d.monitors.push(...added);
  return added;
}

function resourceParamOf(m: MonitorConfig): string | undefined {
  const def: MonitorTypeDef = MONITOR_TYPES[m.type];
  if (!def.resourceParam) return undefined;
  const v = m.params[def.resourceParam.name];
  return typeof v === 'string' ? v : undefined;
}

/** Whether a monitor watches one of these resources (its target, or its resource param like mdw's mirror disk). */
function watches(m: MonitorConfig, names: ReadonlySet<string>): boolean {
  const param = resourceParamOf(m);
  return (m.common.target !== undefined && names.has(m.common.target)) || (param !== undefined && names.has(param));
}

export function monitorsWatching(d: Draft, resource: string): MonitorConfig[] {
  return d.monitors.filter((m) => watches(m, new Set([resource])));
}

/** The resource that added a monitor automatically, if it is one of those. */
export function autoMonitorOwner(d: Draft, m: MonitorConfig): string | undefined {
  for (const g of d.groups) {
    for (const r of g.resources) {
      const def: ResourceTypeDef = RESOURCE_TYPES[r.type];
      for (const auto of def.autoMonitors) {
        if (auto.type !== m.type) continue;
        if (auto.link === 'target' ? m.common.target === r.name : m.params[auto.link.param] === r.name) return r.name;
      }
    }
  }
  return undefined;
}

/** Removes a resource, the monitors that watch it, and the explicit dependencies on it. */
export function removeResource(d: Draft, gi: number, ri: number): void {
  const group = d.groups[gi];
  const resource = group?.resources[ri];
  if (!group || !resource) return;
  group.resources.splice(ri, 1);
  d.monitors = d.monitors.filter((m) => !watches(m, new Set([resource.name])));
  for (const r of group.resources) {
    if (r.dependency.mode === 'explicit') r.dependency.dependsOn = r.dependency.dependsOn.filter((n) => n !== resource.name);
  }
}

/** Renames a resource everywhere it is named: dependencies, monitor targets and params, recovery targets. */
export function renameResource(d: Draft, from: string, to: string): void {
  if (from === to) return;
  for (const g of d.groups) {
    for (const r of g.resources) {
      if (r.name === from) r.name = to;
      if (r.dependency.mode === 'explicit') r.dependency.dependsOn = r.dependency.dependsOn.map((n) => (n === from ? to : n));
    }
  }
  for (const m of d.monitors) {
    if (m.common.target === from) m.common.target = to;
    const def: MonitorTypeDef = MONITOR_TYPES[m.type];
    if (def.resourceParam && m.params[def.resourceParam.name] === from) m.params[def.resourceParam.name] = to;
    if (m.recovery.target.kind === 'resource' && m.recovery.target.name === from) m.recovery.target = { kind: 'resource', name: to };
  }
}

// Monitors

function resourcesOfTypes(d: Draft, types: readonly ResourceTypeId[]): string[] {
  return d.groups.flatMap((g) => g.resources.filter((r) => types.includes(r.type)).map((r) => r.name));
}

/** Where a new monitor's recovery acts by default: what it watches, else the first group, else LocalServer. */
function defaultRecoveryTarget(d: Draft, watched: string | undefined): RecoveryTarget {
  if (watched !== undefined) return { kind: 'resource', name: watched };
  const group = d.groups[0];
  return group ? { kind: 'group', name: group.name } : { kind: 'local-server' };
}

/** A new monitor of a type: default name, the type's common defaults written out, a target when it needs one. */
export function newMonitor(d: Draft, type: MonitorTypeId, name = defaultMonitorName(type, d.monitors.map((m) => m.name))): MonitorConfig {
  const def: MonitorTypeDef = MONITOR_TYPES[type];
  const target = def.targetTypes.length > 0 ? resourcesOfTypes(d, def.targetTypes)[0] : undefined;
  const param = def.resourceParam ? resourcesOfTypes(d, def.resourceParam.types)[0] : undefined;
  const base = monitorSchema.parse({ name: 'x', type, recovery: { target: { kind: 'local-server' } } });
  return {
    ...base,
    name,
    common: {
      ...base.common,
      intervalS: def.defaults.intervalS,
      timeoutS: def.defaults.timeoutS,
      retryCount: def.defaults.retryCount,
      waitStartS: def.defaults.waitStartS,
      timing: def.defaults.timing,
      ...(target !== undefined ? { target } : {}),
    },
    params: def.resourceParam && param !== undefined ? { [def.resourceParam.name]: param } : {},
    recovery: { ...base.recovery, target: defaultRecoveryTarget(d, target ?? param) },
  };
}

/** The type a new monitor starts as: the first in the catalogue that needs no resource to watch (the AZ monitor). */
export function defaultMonitorType(): MonitorTypeId {
  const ids = Object.keys(MONITOR_TYPES) as MonitorTypeId[];
  return ids.find((id) => MONITOR_TYPES[id].targetTypes.length === 0 && !MONITOR_TYPES[id].resourceParam) ?? 'genw';
}

/** Changes the type of a monitor being created: it starts over as a new monitor of that type. */
export function retypeMonitor(d: Draft, index: number, type: MonitorTypeId): void {
  const m = d.monitors[index];
  if (!m) return;
  const others = d.monitors.filter((_, i) => i !== index).map((x) => x.name);
  const wasDefault = m.name === defaultMonitorName(m.type, others);
  const fresh = newMonitor({ ...d, monitors: d.monitors.filter((_, i) => i !== index) }, type, wasDefault ? defaultMonitorName(type, others) : m.name);
  d.monitors[index] = { ...fresh, comment: m.comment };
}

/** The servers a resource's group may run on, in failover order. */
export function serversOf(d: Draft, startupServers: readonly string[]): string[] {
  return startupServers.length > 0 ? startupServers.filter((s) => d.servers.some((x) => x.name === s)) : d.servers.map((s) => s.name);
}
