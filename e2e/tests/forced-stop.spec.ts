/**
 * Issue 6: with forced stop on, a cut interconnect ends with the lower-priority instance stopped by the emulator
 * and the group on the higher-priority server — and never both instances stopped. The interconnect (the UDP
 * heartbeats between the two servers) is cut for real with nftables; both servers still reach AWS.
 */
import { expect, test } from '@playwright/test';
import { Firewall } from '@kumo/agent/firewall';
import { KumoCluster, waitFor } from '../harness/cluster.js';

let cluster: KumoCluster;
const fw = new Firewall();

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.13', config: 'vip', heartbeat: { intervalS: 0.5, timeoutS: 2 }, forcedStop: true, witness: false });
  await cluster.waitOnline('failover1', 'server1', 'server1', 90_000);
  await cluster.waitMirrorsInSync();
});

test.afterAll(async () => {
  await fw.close();
  await cluster?.stop();
});

async function instanceStates(): Promise<Record<string, string>> {
  const state = cluster.cloud.state() as { instances: { id: string; state: string }[] };
  return Object.fromEntries(state.instances.map((i) => [i.id, i.state]));
}

test('a cut interconnect: server1 stops server2\'s instance; the group stays on server1', async () => {
  const states: Record<string, string>[] = [];
  const sampler = setInterval(() => void instanceStates().then((s) => states.push(s)), 100);
  try {
    await fw.cut(cluster.addresses[0]!, cluster.addresses[1]!);
    await waitFor('server2 to be stopped by the emulator', async () => (await instanceStates())[cluster.instanceOf('server2')] === 'stopped', 60_000, 200);
    await new Promise((r) => setTimeout(r, 8000)); // past server2's own (lower-priority) delay
  } finally {
    clearInterval(sampler);
  }
  const final = await instanceStates();
  expect(final[cluster.instanceOf('server1')]).toBe('running');
  expect(final[cluster.instanceOf('server2')]).toBe('stopped');
  // Never both instances stopped (or stopping) at any moment.
  const both = states.filter((s) => s[cluster.instanceOf('server1')] !== 'running' && s[cluster.instanceOf('server2')] !== 'running');
  expect(both).toEqual([]);
  const status = await cluster.status('server1');
  expect(status.groups[0]).toMatchObject({ name: 'failover1', state: 'online', current: 'server1' });
  const stops = cluster.cloud.requests().filter((r) => r.operation === 'StopInstances');
  expect(stops.map((r) => r.instanceId)).toEqual([cluster.instanceOf('server1')]); // only server1 stopped anyone
  const alerts = (await (await cluster.client('server1')).call('alerts.query', { limit: 200, module: 'fence' })).entries.map((a) => a.message);
  expect(alerts).toContain(`Forced stop of server server2 (instance ${cluster.instanceOf('server2')}) has completed.`);
});
