import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '@kumo/shared';
import { scenarioConfig } from './scenario-fixtures.js';
import { simulateWhatIf } from './what-if.js';

function status(current: string | null, servers = ['server1', 'server2']): ClusterStatus {
  return {
    from: 'server1',
    generatedAt: 0,
    cluster: { name: 'scenario', state: 'running', master: 'server1', configVersion: 1, configHash: 'h' },
    servers: servers.map((name) => ({ name, address: '', state: 'online', isLocal: name === 'server1', isMaster: name === 'server1', heartbeats: [], np: [], configHash: 'h' })),
    groups: [{ name: 'failover1', state: current ? 'online' : 'offline', current, activeOn: current ? [current] : [], pending: null, resources: [] }],
    monitors: [],
    mirrors: [],
  };
}

describe('what-if', () => {
  it('a server failure: its group fails over, narrated with CLUSTERPRO\'s alerts', () => {
    const r = simulateWhatIf(scenarioConfig({}), status('server1'), { kind: 'server', name: 'server1' });
    expect(r.summary).toBe('failover1: server1 → server2');
    expect(r.steps.map((s) => s.detail)).toEqual(expect.arrayContaining(['server1 goes down', 'Server server1 has been stopped.', 'The group failover1 is failing over to server2.']));
  });

  it('speaks Japanese when asked: the narrative and CLUSTERPRO\'s Japanese alert texts', () => {
    const r = simulateWhatIf(scenarioConfig({}), status('server1'), { kind: 'server', name: 'server1' }, 'ja');
    expect(r.summary).toBe('failover1: server1 → server2');
    expect(r.steps.map((s) => s.detail)).toEqual(expect.arrayContaining(['server1 がダウン']));
    expect(r.steps.filter((s) => s.action === 'アラート').length).toBeGreaterThan(0);
    expect(r.steps.some((s) => /[A-Za-z]{4,} [a-z]{3,} [a-z]{3,}/.test(s.detail) && s.action === 'アラート')).toBe(false);
  });

  it('starts from today\'s placement', () => {
    const r = simulateWhatIf(scenarioConfig({}), status('server2'), { kind: 'server', name: 'server2' });
    expect(r.summary).toBe('failover1: server2 → server1');
  });

  it('a cut interconnect without witness or forced stop: both servers run the group (split brain)', () => {
    const r = simulateWhatIf(scenarioConfig({}), status('server1'), { kind: 'interconnect', server: 'server2' });
    expect(r.steps.some((s) => s.server === 'server2' && s.detail === 'group.activate failover1')).toBe(true);
  });

  it('a cut interconnect with a witness: the lower-priority side stands down', () => {
    const r = simulateWhatIf(scenarioConfig({ witness: true }), status('server1'), { kind: 'interconnect', server: 'server2' });
    expect(r.summary).toContain('failover1 stays on server1');
    expect(r.summary).toContain('server2 stops its cluster service (isolated)');
  });

  it('a monitor error walks its recovery', () => {
    const config = scenarioConfig({ monitors: [{ name: 'genw1', target: { kind: 'resource', name: 'exec-failover1' }, maxRestarts: 1, maxFailovers: 1 }] });
    const r = simulateWhatIf(config, status('server1'), { kind: 'monitor', name: 'genw1', server: 'server1' });
    expect(r.steps.map((s) => s.detail)).toEqual(expect.arrayContaining([
      'Recovery target exec-failover1 has restarted because an error was detected in monitoring genw1.',
      'Recovery target exec-failover1 failed over because an error was detected in monitoring genw1.',
    ]));
  });
});
