/**
 * Read-only questions about a validated config that the validator, the agent and the WebUI all ask: which servers
 * may run a group, a resource's effective params on a server, its dependencies under "Follow the default
 * dependency", the activation order, which servers run a monitor. One answer for everyone.
 */
import { RESOURCE_TYPES } from '../types/index.js';
import type { ClusterConfig, GroupConfig, MonitorConfig, ResourceConfig } from './cluster-config.js';

/** The servers that may run a group, in failover order: its startup servers, or every server in server order. */
export function groupServers(config: Pick<ClusterConfig, 'servers'>, group: Pick<GroupConfig, 'startupServers'>): string[] {
  return group.startupServers.length > 0 ? [...group.startupServers] : config.servers.map((s) => s.name);
}

/** Common params merged with the server's "Set up individually" values. */
export function effectiveParams(
  item: { params: Record<string, unknown>; perServer: Record<string, Record<string, unknown>> },
  server: string,
): Record<string, unknown> {
  return { ...item.params, ...(item.perServer[server] ?? {}) };
}

/** A resource's dependencies: its explicit list, or the resources of the group whose types its type depends on. */
export function resourceDependencies(group: Pick<GroupConfig, 'resources'>, resource: ResourceConfig): string[] {
  if (resource.dependency.mode === 'explicit') return [...resource.dependency.dependsOn];
  const types = new Set<string>(RESOURCE_TYPES[resource.type].defaultDependsOn);
  return group.resources.filter((r) => r !== resource && types.has(r.type)).map((r) => r.name);
}

/**
 * Resources grouped by dependency depth: depth 0 has no dependencies, depth n depends only on lower depths.
 * Activation goes depth by depth (each depth in parallel), deactivation in reverse. Throws on a cycle, which the
 * validator refuses first.
 */
export function activationDepths(group: Pick<GroupConfig, 'resources'>): string[][] {
  const deps = new Map(group.resources.map((r) => [r.name, resourceDependencies(group, r)] as const));
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new Error(`dependency cycle through ${name}`);
    visiting.add(name);
    let d = 0;
    for (const dep of deps.get(name) ?? []) if (deps.has(dep)) d = Math.max(d, visit(dep) + 1);
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  const levels: string[][] = [];
  for (const r of group.resources) {
    const d = visit(r.name);
    (levels[d] ??= []).push(r.name);
  }
  return levels.filter((l) => l.length > 0);
}

/** Finds a resource and its group by name (resource names are unique in a cluster). */
export function findResource(config: Pick<ClusterConfig, 'groups'>, name: string): { group: GroupConfig; resource: ResourceConfig } | undefined {
  for (const group of config.groups) {
    const resource = group.resources.find((r) => r.name === name);
    if (resource) return { group, resource };
  }
  return undefined;
}

/** The resource a monitor watches: its common target, or its resource param (mdw's mirror disk). */
export function monitorResource(config: Pick<ClusterConfig, 'groups'>, monitor: MonitorConfig): string | undefined {
  if (monitor.common.target) return monitor.common.target;
  const p = monitor.params['mirrorDisk'];
  return typeof p === 'string' ? p : undefined;
}

/** The servers a monitor runs on: its chosen servers, or every server that may run its target's group, or all. */
export function monitorServers(config: Pick<ClusterConfig, 'servers' | 'groups'>, monitor: MonitorConfig): string[] {
  if (monitor.common.servers.length > 0) return [...monitor.common.servers];
  const target = monitorResource(config, monitor);
  const found = target ? findResource(config, target) : undefined;
  return found ? groupServers(config, found.group) : config.servers.map((s) => s.name);
}

/** Heartbeat addresses of a server (kernel and user mode rows), by interconnect priority. */
export function heartbeatAddresses(config: Pick<ClusterConfig, 'interconnects'>, server: string): { priority: number; address: string }[] {
  return config.interconnects
    .filter((ic) => ic.kind !== 'mirror')
    .flatMap((ic) => {
      const address = ic.addresses[server];
      return address ? [{ priority: ic.priority, address }] : [];
    })
    .sort((a, b) => a.priority - b.priority);
}

/** The address a server uses on a named mirror disk connect. */
export function mdcAddress(config: Pick<ClusterConfig, 'interconnects'>, mdc: string, server: string): string | undefined {
  return config.interconnects.find((ic) => ic.mdc === mdc)?.addresses[server];
}
