import { describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { addAutoMonitors, addServer, autoMonitorOwner, draftFromConfig, newDraft, newMonitor, newResource, removeResource, removeServer, renameResource, retypeResource } from './draft';
import type { Draft } from './draft';

const guide = (): Draft => draftFromConfig(guideVip)!;

describe('draft', () => {
  it('starts the wizard with the master server and its address in the first interconnect', () => {
    const d = newDraft({ name: 'server1', address: '10.0.110.10' }, 'ja');
    expect(d.servers).toEqual([{ name: 'server1', address: '10.0.110.10' }]);
    expect(d.interconnects).toEqual([{ priority: 1, kind: 'kernel', addresses: { server1: '10.0.110.10' } }]);
    expect(d.cluster.language).toBe('ja');
    addServer(d, 'server2', '10.0.120.10');
    expect(d.interconnects[0]?.addresses).toEqual({ server1: '10.0.110.10', server2: '10.0.120.10' });
  });

  it('gives new resources CLUSTERPRO default names, following the type while the name is the default', () => {
    const d = guide();
    const r = newResource(d, 'awsvip');
    expect(r.name).toBe('awsvip2');
    d.groups[0]!.resources.push(r);
    retypeResource(d, r, 'md');
    expect(r.name).toBe('md1');
    r.name = 'data';
    retypeResource(d, r, 'exec');
    expect(r.name).toBe('data');
  });

  it('adds the monitors a resource brings (md → mdw + mdnw) and knows who added them', () => {
    const d = newDraft({ name: 'server1', address: '10.0.110.10' }, 'en');
    d.groups.push({ ...d.groups[0]!, name: 'failover1', comment: '', type: 'failover', startupServers: [], attributes: { startup: 'auto', failover: 'auto', failback: 'manual' }, resources: [] });
    const md = newResource(d, 'md');
    d.groups[0]!.resources.push(md);
    const added = addAutoMonitors(d, md);
    expect(added.map((m) => m.name)).toEqual(['mdw1', 'mdnw1']);
    expect(d.monitors.map((m) => autoMonitorOwner(d, m))).toEqual(['md1', 'md1']);
    expect(autoMonitorOwner(d, newMonitor(d, 'awsazw'))).toBeUndefined();
  });

  it('renames a resource in dependencies, monitor targets, monitor params and recovery targets', () => {
    const d = guide();
    const vip = d.groups[0]!.resources[1]!;
    const exec = { ...newResource(d, 'exec'), dependency: { mode: 'explicit' as const, dependsOn: ['md', 'awsvip1'] } };
    d.groups[0]!.resources.push(exec);
    renameResource(d, 'awsvip1', 'vip');
    renameResource(d, 'md', 'data');
    expect(vip.name).toBe('vip');
    expect(d.groups[0]!.resources[2]!.dependency).toEqual({ mode: 'explicit', dependsOn: ['data', 'vip'] });
    const byName = Object.fromEntries(d.monitors.map((m) => [m.name, m]));
    expect(byName['awsvipw1']!.common.target).toBe('vip');
    expect(byName['awsvipw1']!.recovery.target).toEqual({ kind: 'resource', name: 'vip' });
    expect(byName['mdw1']!.params['mirrorDisk']).toBe('data');
    expect(validateClusterConfig(d).ok).toBe(true);
  });

  it('removes a resource with the monitors that watch it, and a server from everything that names it', () => {
    const d = guide();
    removeResource(d, 0, 1);
    expect(d.monitors.map((m) => m.name)).toEqual(['awsazw1', 'mdw1', 'mdnw1']);
    removeServer(d, 'server2');
    expect(d.interconnects[0]!.addresses).toEqual({ server1: '10.0.110.10' });
    expect(Object.keys(d.monitors[0]!.perServer)).toEqual(['server1']);
  });
});
