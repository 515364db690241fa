import { describe, expect, it } from 'vitest';
import { decide, initialState } from './decide.js';
import type { EngineAction, EngineEvent, EngineState } from './model.js';
import { scenarioConfig } from './scenario-fixtures.js';
import type { ScenarioGroup } from './scenario-fixtures.js';
import { ClusterSim } from './sim.js';

const twoServers = () => scenarioConfig({});
const threeServers = (groups: ScenarioGroup[] = [{ name: 'failover1' }]) => scenarioConfig({ servers: 3, groups });

/** A running two-server cluster with failover1 on server1. */
function started(opts: Parameters<typeof scenarioConfig>[0] = {}, simOpts: ConstructorParameters<typeof ClusterSim>[1] = {}): ClusterSim {
  const sim = new ClusterSim(scenarioConfig(opts), simOpts).boot('server1', 'server2');
  expect(sim.where('failover1')).toEqual(['server1']);
  return sim;
}

function kinds(actions: EngineAction[]): string[] {
  return actions.map((a) => a.type);
}

describe('cluster start', () => {
  it('puts each auto-start group on its first live startup server', () => {
    const sim = new ClusterSim(threeServers([{ name: 'g1' }, { name: 'g2', startupServers: ['server3', 'server1', 'server2'] }])).boot('server1', 'server2', 'server3');
    expect(sim.where('g1')).toEqual(['server1']);
    expect(sim.where('g2')).toEqual(['server3']);
    expect(sim.master()).toBe('server1');
  });

  it('when both servers start at once, only the first startup server activates', () => {
    const sim = new ClusterSim(twoServers()).boot('server1', 'server2');
    expect(sim.where('failover1')).toEqual(['server1']);
    expect(sim.executed.filter((e) => e.includes('activate'))).toEqual(['server1 group.activate failover1']);
  });

  it('a lone server waits for the server sync wait, then starts the group on itself (the first live startup server)', () => {
    const sim = new ClusterSim(twoServers()).boot('server2');
    expect(sim.service('server2')).toBe('starting');
    expect(sim.where('failover1')).toEqual([]);
    sim.advance(30_000);
    expect(sim.service('server2')).toBe('running');
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('a server joining a running cluster becomes master but leaves the group where it runs (manual failback)', () => {
    const sim = new ClusterSim(twoServers()).boot('server2').advance(30_000);
    sim.boot('server1');
    expect(sim.service('server1')).toBe('running');
    expect(sim.master('server2')).toBe('server1');
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('leaves a manual-startup group offline', () => {
    const sim = new ClusterSim(scenarioConfig({ groups: [{ name: 'failover1', startup: 'manual' }] })).boot('server1', 'server2');
    expect(sim.where('failover1')).toEqual([]);
  });

  it('raises CLUSTERPRO\'s start alert on every server', () => {
    const sim = started();
    expect(sim.alerts('server2')).toContain('The cluster daemon has started properly.');
  });
});

describe('server loss', () => {
  it('takes over a lost server\'s group when an NP target is reachable', () => {
    const sim = started();
    sim.crash('server1');
    expect(sim.where('failover1').sort()).toEqual(['server1', 'server2']); // the dead host still has it (ground truth)
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    expect(sim.alerts('server2')).toEqual(expect.arrayContaining(['Server server1 has been stopped.', 'The group failover1 is failing over to server2.']));
    expect(sim.master('server2')).toBe('server2');
  });

  it('takes over in startup-server order among three servers', () => {
    const sim = new ClusterSim(threeServers([{ name: 'g', startupServers: ['server1', 'server3', 'server2'] }])).boot('server1', 'server2', 'server3');
    sim.crash('server1');
    expect(sim.onlineOn('g')).toEqual(['server3']);
  });

  it('does not act on a lost server before NP resolution answers', () => {
    const config = twoServers();
    let s = initialState('server2', 'b2', config);
    const steps = (events: Parameters<typeof decide>[1][]): EngineAction[] => {
      let all: EngineAction[] = [];
      for (const e of events) {
        const d = decide(s, e);
        s = d.state;
        all = [...all, ...d.actions];
      }
      return all;
    };
    steps([
      { type: 'service.start', by: 't' },
      { type: 'probe.done', groups: {} },
      { type: 'heartbeat.up', server: 'server1', bootId: 'b1', service: 'running' },
      {
        type: 'peer.report',
        report: { server: 'server1', bootId: 'b1', service: 'running', joined: true, configHash: null, configVersion: null, groups: { failover1: { state: 'online', resources: {} } }, monitors: {}, mirrors: {}, members: {}, np: { reachable: true, targets: [] }, instanceId: null, intents: null, generatedAt: 0 },
      },
    ]);
    const lost = steps([{ type: 'heartbeat.down', server: 'server1' }]);
    expect(kinds(lost)).toContain('np.check');
    expect(lost.some((a) => a.type === 'exec')).toBe(false);
    const resolved = steps([{ type: 'np.result', reachable: true, witness: null }]);
    expect(resolved).toContainEqual(expect.objectContaining({ type: 'exec', order: expect.objectContaining({ kind: 'group.activate', group: 'failover1', reason: 'failover' }) }));
  });

  it('a survivor that reaches no NP target is the isolated one: it stops everything and shuts down', () => {
    const sim = started({}, { np: { server1: false } });
    sim.crash('server2');
    expect(sim.where('failover1')).toEqual([]);
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.hostActions('server1')).toEqual(['shutdown']);
    expect(sim.alerts('server1')).toContain('Network partition was detected. Shut down the server server1 to protect data.');
  });

  it('with isolation action "stop the cluster service" it does not shut the host down', () => {
    const sim = started({ isolationAction: 'stop-service' }, { np: { server1: false } });
    sim.crash('server2');
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.hostActions('server1')).toEqual([]);
  });

  it('when the master dies the next server takes over its role and its groups', () => {
    const sim = new ClusterSim(threeServers([{ name: 'g1' }, { name: 'g2', startupServers: ['server2', 'server1', 'server3'] }])).boot('server1', 'server2', 'server3');
    expect(sim.master('server3')).toBe('server1');
    sim.crash('server1');
    expect(sim.master('server3')).toBe('server2');
    expect(sim.master('server2')).toBe('server2');
    expect(sim.onlineOn('g1')).toEqual(['server2']);
    expect(sim.onlineOn('g2')).toEqual(['server2']);
  });

  it('a manual-failover group stays down when its server is lost', () => {
    const sim = started({ groups: [{ name: 'failover1', failover: 'manual' }] });
    sim.crash('server1');
    expect(sim.onlineOn('failover1')).toEqual([]);
    expect(sim.alerts('server2')).toContain('The group failover1 has been stopped.');
  });

  it('auto failback moves the group home when its first server returns', () => {
    const sim = started({ groups: [{ name: 'failover1', failback: 'auto' }] });
    sim.crash('server1');
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    sim.boot('server1');
    expect(sim.onlineOn('failover1')).toEqual(['server1']);
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('manual failback leaves the group on the server it failed over to', () => {
    const sim = started();
    sim.crash('server1').boot('server1');
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('a server that rejoins after being declared down does not activate what runs elsewhere, and drops its stale copy', () => {
    const sim = started();
    sim.crash('server1'); // kill -9: its host still holds the VIP
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    const before = sim.executed.length;
    sim.boot('server1');
    expect(sim.where('failover1')).toEqual(['server2']);
    const after = sim.executed.slice(before);
    expect(after).not.toContain('server1 group.activate failover1');
    expect(after).toContain('server1 group.deactivate failover1'); // the stale VIP left on its host is removed
  });

  it('a late report from a server already declared dead is ignored', () => {
    const sim = started();
    const report = { ...sim.state('server1') };
    sim.crash('server1');
    const s = sim.state('server2');
    const d = decide(s, {
      type: 'peer.report',
      report: { server: 'server1', bootId: report.bootId, service: 'running', joined: true, configHash: null, configVersion: null, groups: { failover1: { state: 'online', resources: {} } }, monitors: {}, mirrors: {}, members: {}, np: { reachable: true, targets: [] }, instanceId: null, intents: null, generatedAt: 0 },
    });
    expect(d.state.members['server1']?.report).toBeNull();
  });
});

describe('operations', () => {
  it('moves a group to another server', () => {
    const sim = started();
    const op = sim.operate('server2', { op: 'group.move', group: 'failover1', server: 'server2' });
    expect(sim.opResults.get(op)).toEqual({ ok: true });
    expect(sim.where('failover1')).toEqual(['server2']);
    expect(sim.alerts('server1')).toContain('The group failover1 is moving to server2.');
  });

  it('moves to the next startup server when none is named', () => {
    const sim = started();
    sim.operate('server1', { op: 'group.move', group: 'failover1' });
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('refuses to move to a server that is down, saying why', () => {
    const sim = new ClusterSim(threeServers()).boot('server1', 'server2', 'server3');
    sim.crash('server3');
    const op = sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server3' });
    expect(sim.opResults.get(op)).toMatchObject({ ok: false, code: 'KUMO_E_SERVER_DOWN', message: expect.stringMatching(/server3 is down/) });
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('refuses a server that is not a startup server of the group', () => {
    const sim = new ClusterSim(threeServers([{ name: 'failover1', startupServers: ['server1', 'server2'] }])).boot('server1', 'server2', 'server3');
    const op = sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server3' });
    expect(sim.opResults.get(op)).toMatchObject({ ok: false, message: expect.stringMatching(/server3 is not a startup server of group failover1/) });
  });

  it('stops and starts a group', () => {
    const sim = started();
    const stop = sim.operate('server2', { op: 'group.stop', group: 'failover1' });
    expect(sim.opResults.get(stop)).toEqual({ ok: true });
    expect(sim.where('failover1')).toEqual([]);
    const start = sim.operate('server2', { op: 'group.start', group: 'failover1', server: 'server2' });
    expect(sim.opResults.get(start)).toEqual({ ok: true });
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('a stopped group stays stopped when its server is lost', () => {
    const sim = started();
    sim.operate('server1', { op: 'group.stop', group: 'failover1' });
    sim.crash('server1');
    expect(sim.where('failover1')).toEqual([]);
  });

  it('starting a group that is already online succeeds without doing anything', () => {
    const sim = started();
    const before = sim.executed.length;
    expect(sim.opResults.get(sim.operate('server1', { op: 'group.start', group: 'failover1' }))).toEqual({ ok: true });
    expect(sim.executed.length).toBe(before);
  });

  it('moving an offline group is refused: start it instead', () => {
    const sim = started();
    sim.operate('server1', { op: 'group.stop', group: 'failover1' });
    const op = sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server2' });
    expect(sim.opResults.get(op)).toMatchObject({ ok: false, message: expect.stringMatching(/start it instead/) });
  });

  it('refuses an operation while the group is already moving', () => {
    const config = twoServers();
    const sim = new ClusterSim(config).boot('server1', 'server2');
    const master = sim.state('server1');
    const first = decide(master, { type: 'operation', opId: 'a', operation: { op: 'group.move', group: 'failover1', server: 'server2' }, by: 't' });
    const second = decide(first.state, { type: 'operation', opId: 'b', operation: { op: 'group.stop', group: 'failover1' }, by: 't' });
    expect(second.actions).toContainEqual(expect.objectContaining({ type: 'op.done', opId: 'b', ok: false, code: 'KUMO_E_GROUP_BUSY', message: expect.stringMatching(/already starting, stopping or moving/) }));
  });

  it('a server that is not the master refuses an operation instead of acting on it', () => {
    const sim = started();
    const d = decide(sim.state('server2'), { type: 'operation', opId: 'x', operation: { op: 'group.stop', group: 'failover1' }, by: 't' });
    expect(d.actions).toEqual([{ type: 'op.done', opId: 'x', ok: false, code: 'KUMO_E_SERVER_DOWN', message: expect.stringMatching(/not the master/) }]);
  });

  it('a server refuses orders from a server that is not its master', () => {
    const sim = started();
    const d = decide(sim.state('server1'), { type: 'order', from: 'server2', order: { id: 'o', kind: 'group.deactivate', group: 'failover1', reason: 'stop' } });
    expect(d.actions).toEqual([{ type: 'send.result', to: 'server2', result: expect.objectContaining({ ok: false, message: expect.stringMatching(/does not take orders from server2/) }) }]);
  });

  it('stopping the whole cluster stops every group and every service, without failover', () => {
    const sim = new ClusterSim(threeServers([{ name: 'g1' }, { name: 'g2', startupServers: ['server2', 'server3'] }])).boot('server1', 'server2', 'server3');
    const op = sim.operate('server3', { op: 'cluster.stop', servers: ['server1', 'server2', 'server3'] });
    expect(sim.opResults.get(op)).toEqual({ ok: true });
    expect(sim.where('g1')).toEqual([]);
    expect(sim.where('g2')).toEqual([]);
    expect(['server1', 'server2', 'server3'].map((s) => sim.service(s))).toEqual(['stopped', 'stopped', 'stopped']);
  });

  it('stopping one server\'s cluster service stops its groups and does not fail them over', () => {
    const sim = started();
    const op = sim.operate('server2', { op: 'cluster.stop', servers: ['server1'] });
    expect(sim.opResults.get(op)).toEqual({ ok: true });
    expect(sim.service('server1')).toBe('stopped');
    expect(sim.where('failover1')).toEqual([]);
  });

  it('starts and stops a single resource where its group runs', () => {
    const sim = started({ groups: [{ name: 'failover1', resources: ['a', 'b'] }] });
    const stop = sim.operate('server1', { op: 'resource.stop', resource: 'b' });
    expect(sim.opResults.get(stop)).toEqual({ ok: true });
    expect(sim.executed.at(-1)).toBe('server1 resource.deactivate failover1');
    const start = sim.operate('server1', { op: 'resource.start', resource: 'b' });
    expect(sim.opResults.get(start)).toEqual({ ok: true });
  });
});

describe('activation and deactivation failures', () => {
  it('fails the group over to the next server when a resource cannot be activated', () => {
    const sim = new ClusterSim(twoServers());
    sim.activationFailures.set('server1/exec-failover1', 1);
    sim.boot('server1', 'server2');
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    expect(sim.alerts('server1')).toContain('Group(failover1) will be moved to server(server2) since activating resource(exec-failover1) failed.');
  });

  it('after failing on every server it takes the final action ("No operation") and stops trying', () => {
    const sim = new ClusterSim(twoServers());
    sim.activationFailures.set('server1/exec-failover1', Infinity);
    sim.activationFailures.set('server2/exec-failover1', Infinity);
    sim.boot('server1', 'server2');
    expect(sim.onlineOn('failover1')).toEqual([]);
    const activations = sim.executed.filter((e) => e.includes('group.activate'));
    expect(activations).toEqual(['server1 group.activate failover1', 'server2 group.activate failover1']);
    expect(sim.alertKeys('server1')).toContain('recoveryNoOperation');
  });

  it('with failover threshold 0 goes straight to the final action (stop the group)', () => {
    const sim = new ClusterSim(scenarioConfig({ groups: [{ name: 'failover1', failoverThreshold: 0, finalAction: 'stop-group' }] }));
    sim.activationFailures.set('server1/exec-failover1', Infinity);
    sim.boot('server1', 'server2');
    expect(sim.where('failover1')).toEqual([]);
    expect(sim.executed.filter((e) => e.startsWith('server2'))).toEqual([]);
    expect(sim.alerts('server1')).toContain('Group(failover1) will be stopped since activating resource(exec-failover1) failed.');
  });

  it('final action "stop cluster service" stops the failing server\'s service', () => {
    const sim = new ClusterSim(scenarioConfig({ groups: [{ name: 'failover1', failoverThreshold: 0, finalAction: 'stop-service' }] }));
    sim.activationFailures.set('server1/exec-failover1', Infinity);
    sim.boot('server1', 'server2');
    expect(sim.service('server1')).toBe('stopped');
    expect(sim.alerts('server1')).toContain('Cluster daemon will be stopped since activating resource(exec-failover1) failed.');
  });

  it('"No operation (activate next resource)" carries on with the other resources once no failover is left', () => {
    const sim = new ClusterSim(scenarioConfig({ groups: [{ name: 'failover1', resources: ['a', 'b'], failoverThreshold: 0, finalAction: 'none-continue' }] }));
    sim.activationFailures.set('server1/a', Infinity);
    sim.boot('server1', 'server2');
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('a failed deactivation takes the deactivation final action (shut down by default)', () => {
    const sim = started();
    sim.deactivationFailures.set('server1/exec-failover1', 1);
    sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server2' });
    expect(sim.alerts('server1')).toContain('The final action (shutdown) will be executed since stopping resource(exec-failover1) failed.');
    expect(sim.hostActions('server1')).toEqual(['shutdown']);
  });

  it('a failed deactivation with final action "No operation" leaves the group halted for the operator', () => {
    const sim = started({ groups: [{ name: 'failover1', deactivationFinalAction: 'none' }] });
    sim.deactivationFailures.set('server1/exec-failover1', 1);
    sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server2' });
    expect(sim.state('server1').table?.groups['failover1']?.halted).toBe(true);
    expect(sim.hostActions('server1')).toEqual([]);
  });
});

describe('monitor recovery', () => {
  const withMonitor = (m: Partial<Parameters<typeof scenarioConfig>[0]['monitors'] extends (infer T)[] | undefined ? T : never> = {}) =>
    started({ monitors: [{ name: 'genw1', target: { kind: 'resource', name: 'exec-failover1' }, ...m }] });

  it('walks the whole path: restart up to the maximum, fail over, and then the final action', () => {
    const sim = withMonitor();
    for (let i = 0; i < 3; i += 1) sim.monitorError('server1', 'genw1');
    expect(sim.executed.filter((e) => e === 'server1 resource.restart failover1')).toHaveLength(3);
    expect(sim.where('failover1')).toEqual(['server1']);
    sim.monitorError('server1', 'genw1');
    expect(sim.where('failover1')).toEqual(['server2']);
    expect(sim.alerts('server1')).toEqual(expect.arrayContaining([
      'Recovery target exec-failover1 has restarted because an error was detected in monitoring genw1.',
      'Recovery target exec-failover1 failed over because an error was detected in monitoring genw1.',
    ]));
    // On server2 the counters start from zero: three restarts, then back to server1.
    for (let i = 0; i < 4; i += 1) sim.monitorError('server2', 'genw1');
    expect(sim.where('failover1')).toEqual(['server1']);
    // server1 has used its restarts and its failover: the final action ("No operation") only reports.
    sim.monitorError('server1', 'genw1');
    expect(sim.where('failover1')).toEqual(['server1']);
    expect(sim.alerts(sim.master('server2') ?? 'server1')).toContain('Restart count exceeded the maximum of 3. Final action of monitoring genw1 will not be executed.');
  });

  it('a monitor that returns to normal resets its counters', () => {
    const sim = withMonitor({ maxRestarts: 1 });
    sim.monitorError('server1', 'genw1');
    sim.event('server1', { type: 'monitor.normal', server: 'server1', monitor: 'genw1' });
    sim.monitorError('server1', 'genw1');
    expect(sim.executed.filter((e) => e === 'server1 resource.restart failover1')).toHaveLength(2);
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('does not recover a target that is not active on that server', () => {
    const sim = withMonitor();
    sim.monitorError('server2', 'genw1');
    expect(sim.alerts('server1')).toContain('Recovery will not be executed since the recovery target exec-failover1 is not active.');
    expect(sim.executed.some((e) => e.includes('restart'))).toBe(false);
  });

  it('final action "stop the group" stops it after restarts and failovers are used up', () => {
    const sim = withMonitor({ maxRestarts: 0, maxFailovers: 0, finalAction: 'stop-group' });
    sim.monitorError('server1', 'genw1');
    expect(sim.where('failover1')).toEqual([]);
  });

  it('final action "stop cluster service" stops the server\'s service', () => {
    const sim = withMonitor({ maxRestarts: 0, maxFailovers: 0, finalAction: 'stop-service' });
    sim.monitorError('server1', 'genw1');
    expect(sim.service('server1')).toBe('stopped');
    expect(sim.alerts('server1')).toContain('Stopping the cluster has been required because an error was detected in monitoring genw1.');
  });

  it('recovery target LocalServer fails over every group of that server', () => {
    const sim = new ClusterSim(scenarioConfig({ groups: [{ name: 'g1' }, { name: 'g2' }], monitors: [{ name: 'awsazw1', target: { kind: 'local-server' } }] })).boot('server1', 'server2');
    expect(sim.where('g1')).toEqual(['server1']);
    sim.monitorError('server1', 'awsazw1');
    expect(sim.where('g1')).toEqual(['server2']);
    expect(sim.where('g2')).toEqual(['server2']);
  });

  it('a group recovery target restarts the whole group', () => {
    const sim = started({ monitors: [{ name: 'genw1', target: { kind: 'group', name: 'failover1' } }] });
    sim.monitorError('server1', 'genw1');
    expect(sim.executed.at(-1)).toBe('server1 group.restart failover1');
  });
});

describe('suspend and resume', () => {
  it('a suspended cluster takes no group over; resuming it does', () => {
    const sim = started();
    sim.event('server2', { type: 'service.suspend', by: 't' }).event('server1', { type: 'service.suspend', by: 't' });
    expect(sim.service('server2')).toBe('suspended');
    sim.crash('server1');
    expect(sim.onlineOn('failover1')).toEqual([]);
    sim.event('server2', { type: 'service.resume', by: 't' });
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    expect(sim.alerts('server2')).toEqual(expect.arrayContaining(['The cluster has been suspended.', 'The cluster has been resumed.']));
  });
});

describe('a cut interconnect while both servers reach the NP target', () => {
  it('with a witness, the lower-priority side stands down and exactly one server keeps the group', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.cut('server1', 'server2');
    // The first look only marks when the witness last heard the peer; the second, after the peer posted
    // again, proves it alive.
    expect(sim.service('server2')).toBe('running');
    sim.advance(6000);
    expect(sim.where('failover1')).toEqual(['server1']);
    expect(sim.service('server2')).toBe('isolated');
    expect(sim.alerts('server2')).toContain('Server server1 is still alive according to the witness; the interconnect is cut. This server has the lower priority and stands down.');
  });

  it('with a witness, a group on the lower-priority side moves to the higher one, never running twice', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server2' });
    expect(sim.where('failover1')).toEqual(['server2']);
    sim.cut('server1', 'server2');
    sim.advance(6000);
    expect(sim.where('failover1')).toEqual([]); // server2 stood down; server1 holds off while the witness hears server2 running
    expect(sim.state('server1').members['server2']?.view).toBe('held');
    sim.advance(6000); // re-check: the witness now says server2 stood down
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('with a witness, a peer that crashed just after posting to it is not taken for alive: the survivor takes over', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.crash('server1'); // the witness heard server1 a moment ago
    expect(sim.service('server2')).toBe('running');
    expect(sim.where('failover1')).toEqual(['server1']); // not before the witness lease has run out
    sim.advance(30_000);
    expect(sim.service('server2')).toBe('running');
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    expect(sim.alerts('server2').some((a) => a.includes('still alive according to the witness'))).toBe(false);
  });

  it('with a witness, the interconnect cut and then the active losing the witness: the standby takes over', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.cut('server1', 'server2');
    sim.advance(2000);
    sim.np['server1'] = false; // server1 can no longer reach the witness: its next check isolates it
    sim.advance(30_000);
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.service('server2')).toBe('running');
    expect(sim.where('failover1')).toEqual(['server2']);
  });

  it('a server whose witness lease runs out while its peer is lost stands down', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.cut('server1', 'server2');
    sim.event('server1', { type: 'witness.lease.expired' });
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.alerts('server1')).toContain('None of the network partition resolution targets could be reached from server server1.');
  });

  it('an expired witness lease is ignored while every peer is heard', () => {
    const sim = started({ witness: true }, { witness: true });
    sim.event('server1', { type: 'witness.lease.expired' });
    expect(sim.service('server1')).toBe('running');
  });

  it('with forced stop, the higher-priority server stops the other instance first; never both are stopped', () => {
    const sim = started({ forcedStop: true });
    sim.cut('server1', 'server2');
    sim.advance(60_000);
    expect(sim.instanceRunning('server1')).toBe(true);
    expect(sim.instanceRunning('server2')).toBe(false);
    expect(sim.where('failover1')).toEqual(['server1']);
    expect(sim.alerts('server1')).toEqual(expect.arrayContaining(['Forced stop of server server2 (instance i-0a1b2c3d4e5f60002) has completed.']));
  });

  it('with forced stop, a group on the lower-priority server is taken over after it is stopped', () => {
    const sim = started({ forcedStop: true });
    sim.operate('server1', { op: 'group.move', group: 'failover1', server: 'server2' });
    sim.cut('server1', 'server2');
    sim.advance(60_000);
    expect(sim.instanceRunning('server2')).toBe(false);
    expect(sim.onlineOn('failover1')).toEqual(['server1']);
  });

  it('with neither, both sides run the group (the guide\'s behaviour); after healing exactly one keeps it', () => {
    const sim = started();
    sim.cut('server1', 'server2');
    expect(sim.where('failover1').sort()).toEqual(['server1', 'server2']);
    sim.heal('server1', 'server2');
    expect(sim.where('failover1')).toHaveLength(1);
    expect(sim.alerts('server1')).toContain('Group failover1 is active on more than one server (server1, server2); it is kept on server2 and stopped elsewhere.');
  });

  it('when only one side reaches the NP target, the other isolates itself and its group moves', () => {
    const sim = started({}, { np: { server1: false } });
    sim.cut('server1', 'server2');
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.where('failover1')).toEqual(['server2']);
  });
});

describe('configuration changes', () => {
  it('starts a newly added auto-start group while the cluster runs', () => {
    const sim = started();
    sim.setConfig(scenarioConfig({ groups: [{ name: 'failover1' }, { name: 'failover2' }] }));
    expect(sim.where('failover2')).toEqual(['server1']);
  });

  it('stops a group that was removed from the configuration', () => {
    const sim = started({ groups: [{ name: 'failover1' }, { name: 'failover2', startupServers: ['server2', 'server1'] }] });
    expect(sim.where('failover2')).toEqual(['server2']);
    sim.setConfig(scenarioConfig({ groups: [{ name: 'failover1' }] }));
    expect(sim.where('failover2')).toEqual([]);
    expect(sim.where('failover1')).toEqual(['server1']);
  });

  it('a server removed from the configuration stops its service', () => {
    const sim = new ClusterSim(threeServers([{ name: 'g', startupServers: ['server1', 'server2'] }])).boot('server1', 'server2', 'server3');
    sim.setConfig(scenarioConfig({ servers: 2, groups: [{ name: 'g' }] }));
    expect(sim.service('server3')).toBe('stopped');
  });
});

describe('start-up races', () => {
  const report = (server: string, joined: boolean) => ({
    server, bootId: `${server}-b`, service: 'running' as const, joined, configHash: null, configVersion: null, groups: {}, monitors: {}, mirrors: {},
    members: {}, np: { reachable: true, targets: [] }, instanceId: null, intents: null, generatedAt: 0,
  });

  it('a server does not act as master while an earlier server\'s heartbeat says running but its report has not said joined', () => {
    let s = initialState('server2', 'b2', twoServers());
    for (const e of [
      { type: 'service.start', by: 't' },
      { type: 'probe.done', groups: {} },
      { type: 'heartbeat.up', server: 'server1', bootId: 'server1-b', service: 'running' },
      { type: 'peer.report', report: report('server1', false) },
    ] as const) s = decide(s, e).state;
    expect(s.service).toBe('running');
    const d = decide(s, { type: 'sync.elapsed' });
    expect(d.actions.some((a) => a.type === 'exec')).toBe(false);
    expect(d.state.table).toBeNull();
  });

  it('the master waits for a server whose heartbeat says running before its report says joined, and starts its group there', () => {
    const config = scenarioConfig({ groups: [{ name: 'g1' }, { name: 'g2', startupServers: ['server2', 'server1'] }] });
    let s = initialState('server1', 'b1', config);
    for (const e of [
      { type: 'service.start', by: 't' },
      { type: 'probe.done', groups: {} },
      { type: 'heartbeat.up', server: 'server2', bootId: 'server2-b', service: 'starting' },
      { type: 'peer.report', report: { ...report('server2', false), service: 'starting' as const } },
    ] as const) s = decide(s, e).state;
    expect(s.service).toBe('running');
    const early = decide(s, { type: 'heartbeat.up', server: 'server2', bootId: 'server2-b', service: 'running' });
    const orders = (actions: EngineAction[]) =>
      actions.flatMap((a) => {
        if (a.type === 'exec' && a.order.kind === 'group.activate') return [`server1 ${a.order.group}`];
        if (a.type === 'send.order' && a.order.kind === 'group.activate') return [`${a.to} ${a.order.group}`];
        return [];
      });
    expect(orders(early.actions)).not.toContain('server1 g2');
    const joined = decide(early.state, { type: 'peer.report', report: report('server2', true) });
    expect(orders([...early.actions, ...joined.actions]).sort()).toEqual(['server1 g1', 'server2 g2']);
  });

  it('adopts the current master\'s intent table even when its own has a higher epoch', () => {
    const sim = started();
    const s = sim.state('server2');
    const mine = { ...s.table!, epoch: 99, master: 'server2' };
    const theirs = { ...s.table!, epoch: 3, master: 'server1' };
    const d1 = decide({ ...s, table: mine }, { type: 'peer.table', table: theirs });
    expect(d1.state.table?.master).toBe('server1');
  });
});

describe('what a crash leaves behind', () => {
  const twoResources = () => scenarioConfig({ groups: [{ name: 'failover1', resources: ['vip', 'data'] }] });

  it('a group found half-started after both servers crashed is completed where it is', () => {
    const sim = new ClusterSim(twoResources()).boot('server1', 'server2');
    expect(sim.onlineOn('failover1')).toEqual(['server1']);
    sim.crash('server1').crash('server2');
    sim.servers.get('server1')!.host['failover1'] = { vip: true, data: false }; // the VIP survived, the disk did not
    sim.boot('server2', 'server1').advance(40_000);
    expect(sim.onlineOn('failover1')).toEqual(['server1']);
    expect(sim.where('failover1')).toEqual(['server1']);
    expect(sim.executed).toContain('server1 group.activate failover1');
  });

  it('a stale copy on a restarted server is released quietly, and the group stays where it runs', () => {
    const sim = new ClusterSim(twoResources()).boot('server1', 'server2');
    sim.crash('server1');
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    sim.servers.get('server1')!.host['failover1'] = { vip: true, data: false }; // the VIP is still on its NIC
    sim.boot('server1').advance(40_000);
    expect(sim.where('failover1')).toEqual(['server2']);
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    expect(sim.executed).toContain('server1 group.deactivate failover1');
    expect([...sim.alertKeys('server1'), ...sim.alertKeys('server2')]).not.toContain('splitBrain');
  });

  it('two full copies are a split brain: raised, and the lower-priority one released', () => {
    const sim = new ClusterSim(twoResources()).boot('server1', 'server2');
    sim.crash('server1');
    expect(sim.onlineOn('failover1')).toEqual(['server2']);
    sim.boot('server1').advance(40_000); // its host still has everything active
    expect(sim.where('failover1')).toEqual(['server2']);
    expect([...sim.alertKeys('server1'), ...sim.alertKeys('server2')]).toContain('splitBrain');
  });

  it('an isolated server whose deactivation fails takes the final action once instead of retrying forever', () => {
    const sim = new ClusterSim(twoServers(), { np: { server1: false } }).boot('server1', 'server2');
    sim.deactivationFailures.set('server1/exec-failover1', Infinity);
    sim.cut('server1', 'server2').advance(30_000);
    expect(sim.service('server1')).toBe('isolated');
    expect(sim.executed.filter((e) => e === 'server1 group.deactivate failover1')).toHaveLength(1);
    expect(sim.alerts('server1')).toContain('The final action (shutdown) will be executed since stopping resource(exec-failover1) failed.');
    expect(sim.hostActions('server1')).toEqual(['shutdown']);
  });
});

describe('the pure core', () => {
  it('does not change the state it is given', () => {
    const s: EngineState = initialState('server1', 'b', twoServers());
    const frozen = JSON.stringify({ ...s, config: null });
    decide(s, { type: 'service.start', by: 't' });
    expect(JSON.stringify({ ...s, config: null })).toBe(frozen);
  });

  it('never changes a state it was given, deep-frozen, on any kind of event (peer reports are shared, not copied)', () => {
    const deepFreeze = <T>(o: T): T => {
      if (o && typeof o === 'object' && !Object.isFrozen(o)) {
        Object.freeze(o);
        for (const v of Object.values(o)) deepFreeze(v);
      }
      return o;
    };
    const sim = started({ witness: true }, { witness: true });
    const s1 = sim.state('server1');
    const s2 = sim.state('server2');
    const report2 = s1.members['server2']!.report!;
    const events: EngineEvent[] = [
      { type: 'peer.report', report: structuredClone({ ...report2, generatedAt: 1 }) },
      { type: 'peer.table', table: structuredClone({ ...s2.table!, epoch: s2.table!.epoch + 5 }) },
      { type: 'monitor.error', server: 'server1', monitor: 'genw-failover1', message: 'x' },
      { type: 'operation', opId: 'o1', operation: { op: 'group.move', group: 'failover1', server: 'server2' }, by: 't' },
      { type: 'heartbeat.down', server: 'server2' },
      { type: 'np.result', reachable: true, witness: { server2: { alive: true, seenAt: 5, seenMsAgo: 0, service: 'running', activeGroups: [] } } },
      { type: 'witness.lease.expired' },
    ];
    let state: EngineState = { ...deepFreeze(structuredClone({ ...s1, config: null })), config: s1.config };
    for (const e of events) state = deepFreeze(decide(state, e).state); // throws if anything frozen is written
    expect(state.members['server2']?.view).not.toBe('alive');
  });

  it('asks for a probe and the server sync wait when the service starts', () => {
    const d = decide(initialState('server1', 'b', twoServers()), { type: 'service.start', by: 't' });
    expect(d.actions).toEqual([
      { type: 'service', service: 'starting' },
      { type: 'probe' },
      { type: 'timer.set', id: 'sync', ms: 30_000 },
    ]);
  });
});
