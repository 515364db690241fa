/**
 * The operations of operation mode, each described once: what it acts on, the dialog that asks first (naming
 * what will happen), the choice of server where there is one, and the request. The dashboard's buttons use these.
 */
import type { GroupStatus, MirrorStatus } from '@kumo/shared';
import type { OpSpec } from './operations';
import { O } from './strings';

const serverOptions = (servers: readonly string[]) => servers.map((s) => ({ value: s, label: s }));

export const clusterOps = {
  start: (): OpSpec => ({ key: 'cluster', name: O.clusterVerb(O.start), title: O.titleClusterStart, question: () => O.qClusterStart, call: () => ({ method: 'cluster.start', params: {} }) }),
  stop: (): OpSpec => ({ key: 'cluster', name: O.clusterVerb(O.stop), title: O.titleClusterStop, question: () => O.qClusterStop, call: () => ({ method: 'cluster.stop', params: {} }) }),
  suspend: (): OpSpec => ({ key: 'cluster', name: O.clusterVerb(O.suspend), title: O.titleClusterSuspend, question: () => O.qClusterSuspend, call: () => ({ method: 'cluster.suspend', params: {} }) }),
  resume: (): OpSpec => ({ key: 'cluster', name: O.clusterVerb(O.resume), title: O.titleClusterResume, question: () => O.qClusterResume, call: () => ({ method: 'cluster.resume', params: {} }) }),
};

export const serverOps = {
  start: (server: string): OpSpec => ({
    key: `server:${server}`,
    name: O.onServer(O.serviceStart, server),
    title: O.titleServiceStart,
    question: () => O.qServiceStart(server),
    call: () => ({ method: 'cluster.start', params: { servers: [server] } }),
  }),
  stop: (server: string): OpSpec => ({
    key: `server:${server}`,
    name: O.onServer(O.serviceStop, server),
    title: O.titleServiceStop,
    question: () => O.qServiceStop(server),
    call: () => ({ method: 'cluster.stop', params: { servers: [server] } }),
  }),
};

export const groupOps = {
  /** Start on a chosen startup server, or where the failover policy says. */
  start: (g: GroupStatus, startup: readonly string[]): OpSpec => ({
    key: `group:${g.name}`,
    name: O.named(O.start, g.name),
    title: O.titleGroupStart,
    choice: { label: O.startOn, options: [{ value: '', label: O.byPolicy }, ...serverOptions(startup)], initial: '' },
    question: (s) => O.qGroupStart(g.name, s || null),
    call: (s) => ({ method: 'group.start', params: s ? { group: g.name, server: s } : { group: g.name } }),
  }),
  stop: (g: GroupStatus): OpSpec => ({
    key: `group:${g.name}`,
    name: O.named(O.stop, g.name),
    title: O.titleGroupStop,
    question: () => O.qGroupStop(g.name, g.current),
    call: () => ({ method: 'group.stop', params: { group: g.name } }),
  }),
  /** Move to one of the group's other startup servers (the first by default, as the failover policy would). */
  move: (g: GroupStatus, startup: readonly string[]): OpSpec => {
    const to = startup.filter((s) => s !== g.current);
    return {
      key: `group:${g.name}`,
      name: O.named(O.move, g.name),
      title: O.titleGroupMove,
      choice: { label: O.destination, options: serverOptions(to), initial: to[0] ?? '' },
      question: (s) => O.qGroupMove(g.name, g.current, s || null),
      call: (s) => ({ method: 'group.move', params: s ? { group: g.name, server: s } : { group: g.name } }),
    };
  },
};

export const resourceOps = {
  start: (resource: string, group: string): OpSpec => ({
    key: `group:${group}`,
    name: O.named(O.start, resource),
    title: O.titleResourceStart,
    question: () => O.qResourceStart(resource),
    call: () => ({ method: 'resource.start', params: { resource } }),
  }),
  stop: (resource: string, group: string): OpSpec => ({
    key: `group:${group}`,
    name: O.named(O.stop, resource),
    title: O.titleResourceStop,
    question: () => O.qResourceStop(resource),
    call: () => ({ method: 'resource.stop', params: { resource } }),
  }),
};

export const monitorOps = {
  /** One monitor, or every monitor when `name` is null. */
  suspend: (name: string | null): OpSpec => ({
    key: name ? `monitor:${name}` : 'monitors',
    name: name ? O.named(O.monitorSuspend, name) : O.allMonitors(O.monitorSuspend),
    title: O.titleMonitorSuspend,
    question: () => O.qMonitorSuspend(name),
    call: () => ({ method: 'monitor.suspend', params: name ? { monitor: name } : {} }),
  }),
  resume: (name: string | null): OpSpec => ({
    key: name ? `monitor:${name}` : 'monitors',
    name: name ? O.named(O.monitorResume, name) : O.allMonitors(O.monitorResume),
    title: O.titleMonitorResume,
    question: () => O.qMonitorResume(name),
    call: () => ({ method: 'monitor.resume', params: name ? { monitor: name } : {} }),
  }),
  /** A simulated failure on one of the servers that run the monitor, or on all of them. */
  dummyOn: (name: string, servers: readonly string[]): OpSpec => ({
    key: `monitor:${name}`,
    name: O.named(O.dummyOn, name),
    title: O.titleDummyOn,
    choice: { label: O.onWhichServers, options: [{ value: '', label: O.allServers }, ...serverOptions(servers)], initial: servers[0] ?? '' },
    question: (s) => O.qDummyOn(name, s || null),
    call: (s) => ({ method: 'monitor.dummyFailure', params: s ? { monitor: name, server: s, enabled: true } : { monitor: name, enabled: true } }),
  }),
  dummyOff: (name: string): OpSpec => ({
    key: `monitor:${name}`,
    name: O.named(O.dummyOff, name),
    title: O.titleDummyOff,
    question: () => O.qDummyOff(name),
    call: () => ({ method: 'monitor.dummyFailure', params: { monitor: name, enabled: false } }),
  }),
};

/** The server whose copy is newest: GREEN, else the primary, else the first. */
export function upToDateServer(md: MirrorStatus): string {
  const entries = Object.entries(md.perServer);
  return (entries.find(([, p]) => p.color === 'GREEN') ?? entries.find(([, p]) => p.role === 'primary') ?? entries[0])?.[0] ?? '';
}

/** The server whose copy a break isolates by default: the standby (not the primary). */
function standbyServer(md: MirrorStatus): string {
  const entries = Object.entries(md.perServer);
  return (entries.find(([, p]) => p.role === 'secondary') ?? entries.find(([, p]) => p.role !== 'primary') ?? entries[0])?.[0] ?? '';
}

export const mirrorOps = {
  recover: (md: MirrorStatus): OpSpec => ({
    key: `mirror:${md.name}`,
    name: O.named(O.mdRecover, md.name),
    title: O.titleMdRecover,
    question: () => O.qMdRecover(md.name),
    call: () => ({ method: 'md.recover', params: { name: md.name } }),
  }),
  force: (md: MirrorStatus): OpSpec => ({
    key: `mirror:${md.name}`,
    name: O.named(O.mdForce, md.name),
    title: O.titleMdForce,
    choice: { label: O.upToDate, options: serverOptions(Object.keys(md.perServer)), initial: upToDateServer(md) },
    question: (s) => O.qMdForce(md.name, s || null),
    call: (s) => ({ method: 'md.force', params: { name: md.name, server: s } }),
  }),
  break: (md: MirrorStatus): OpSpec => ({
    key: `mirror:${md.name}`,
    name: O.named(O.mdBreak, md.name),
    title: O.titleMdBreak,
    choice: { label: O.breakOn, options: serverOptions(Object.keys(md.perServer)), initial: standbyServer(md) },
    question: (s) => O.qMdBreak(md.name, s || null),
    call: (s) => ({ method: 'md.break', params: s ? { name: md.name, server: s } : { name: md.name } }),
  }),
};
