/**
 * Defaults that need more than one field: CLUSTERPRO's default object names (`awsvip1`, `failover1`) and the
 * monitors a resource adds automatically when it is added (awsvip → awsvipw, md → mdw + mdnw).
 */
import { MONITOR_TYPES, RESOURCE_TYPES } from '../types/index.js';
import type { MonitorTypeId, ResourceTypeId } from '../types/index.js';
import type { ClusterConfigInput } from './cluster-config.js';

type MonitorInput = NonNullable<ClusterConfigInput['monitors']>[number];

/** The first free `<prefix><n>` among `taken`, as CLUSTERPRO names new objects (awsvip1, awsvip2, …). */
export function defaultName(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

export function defaultResourceName(type: ResourceTypeId, taken: Iterable<string>): string {
  return defaultName(type, taken);
}

export function defaultMonitorName(type: MonitorTypeId, taken: Iterable<string>): string {
  return defaultName(type, taken);
}

/**
 * The monitors CLUSTERPRO adds with a resource, named after the first free number. Mirror disk monitors only
 * report (no reactivation, no failover): a broken standby must never move the active group.
 */
export function autoMonitorsFor(resource: { name: string; type: ResourceTypeId }, takenMonitorNames: Iterable<string>): MonitorInput[] {
  const taken = new Set(takenMonitorNames);
  return RESOURCE_TYPES[resource.type].autoMonitors.map((auto) => {
    const name = defaultMonitorName(auto.type, taken);
    taken.add(name);
    const def = MONITOR_TYPES[auto.type];
    const base: MonitorInput = {
      name,
      type: auto.type,
      recovery:
        auto.recovery === 'resource'
          ? { target: { kind: 'resource', name: resource.name } }
          : { target: { kind: 'local-server' } },
    };
    if (auto.link === 'target') return { ...base, common: { target: resource.name, timing: def.defaults.timing } };
    return {
      ...base,
      params: { [auto.link.param]: resource.name },
      recovery: { ...base.recovery, maxRestarts: 0, maxFailovers: 0, finalAction: 'none' },
    };
  });
}
