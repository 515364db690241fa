/**
 * The engine with real agents on 127.0.2.x in simulated host mode: cluster start, kill -9 and failover, manual
 * move, a monitor failure walking the whole recovery path, NP resolution reachable from one side only, a cut
 * interconnect with a witness, a path that drops only the agents' link, and a rejoining server. Interconnects are cut for real with nftables.
 */
import http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '@kumo/shared';
import type { AgentClient } from '../cli/client.js';
import { ClusterKey } from '../crypto/cluster-key.js';
import { AgentProcesses, waitFor } from '../testing/agent-processes.js';
import { Firewall } from '../testing/firewall.js';
import { silentLogger } from '../util/log.js';
import { buildWitness } from '../witness/server.js';

const NP_HOST = '127.0.2.100';
const NP_PORT = 18080;
const WITNESS_PORT = 29009;

function servers(n: number) {
  return Array.from({ length: n }, (_, i) => ({ name: `server${i + 1}`, address: `127.0.2.${11 + i}` }));
}

function clusterConfig(n: number, extra: { np?: unknown[]; monitors?: unknown[]; groups?: unknown[] } = {}) {
  const s = servers(n);
  return {
    cluster: {
      name: 'engine-it',
      heartbeat: { intervalS: 0.3, timeoutS: 1.5 },
      serverSyncWaitS: 2,
      np: { targets: extra.np ?? [{ kind: 'http', host: NP_HOST, port: NP_PORT, intervalS: 1, timeoutS: 0.5, retryCount: 0 }], isolationAction: 'stop-service' },
    },
    servers: s,
    interconnects: [{ priority: 1, addresses: Object.fromEntries(s.map((x) => [x.name, x.address])) }],
    groups: extra.groups ?? [{ name: 'failover1', resources: [{ name: 'exec1', type: 'exec' }] }],
    monitors: extra.monitors ?? [],
  };
}

let npServer: http.Server;
let witness: Awaited<ReturnType<typeof buildWitness>> | undefined;
let t: AgentProcesses;
let fw: Firewall;

async function status(c: AgentClient): Promise<ClusterStatus> {
  return c.call('status.get', {});
}

async function groupOn(c: AgentClient, group = 'failover1'): Promise<string | null> {
  const g = (await status(c)).groups.find((x) => x.name === group);
  return g && g.state === 'online' ? g.current : null;
}

async function bootCluster(n: number, extra: Parameters<typeof clusterConfig>[1] = {}): Promise<AgentClient> {
  await Promise.all(servers(n).map((s) => t.start(s)));
  const c1 = await t.client('server1');
  await c1.call('config.apply', { config: clusterConfig(n, extra) });
  await waitFor('the cluster to start failover1 on server1', async () => (await groupOn(c1)) === 'server1', 20_000);
  return c1;
}

beforeAll(async () => {
  npServer = http.createServer((_req, res) => res.writeHead(200).end());
  await new Promise<void>((r) => npServer.listen(NP_PORT, NP_HOST, () => r()));
});

afterAll(async () => {
  await new Promise((r) => npServer.close(r));
});

afterEach(async () => {
  await fw?.close();
  await t?.stop();
  if (witness) {
    await witness.close();
    witness = undefined;
  }
});

async function fresh(): Promise<void> {
  t = await AgentProcesses.create('kumo-engine-it-');
  fw = new Firewall();
}

describe('two agents', () => {
  it('cluster start puts failover1 on server1, and every server agrees', async () => {
    await fresh();
    await bootCluster(2);
    const c2 = await t.client('server2');
    expect(await groupOn(c2)).toBe('server1');
    expect((await status(c2)).cluster.master).toBe('server1');
  }, 60_000);

  it('kill -9 of server1\'s agent brings failover1 online on server2', async () => {
    await fresh();
    await bootCluster(2);
    const c2 = await t.client('server2');
    const killed = Date.now();
    await t.kill('server1');
    await waitFor('failover1 on server2', async () => (await groupOn(c2)) === 'server2', 15_000);
    const took = Date.now() - killed;
    expect(took).toBeLessThan(15_000); // bounded by the 1.5 s heartbeat timeout plus a wide margin; the benchmark measures it
    // Past the link's grace too (the heartbeat timeout after the link closed): a dead server is down, not unreachable.
    await new Promise((r) => setTimeout(r, 2500));
    const alerts = (await c2.call('alerts.query', { limit: 50, server: 'server2' })).entries.map((a) => a.message);
    expect(alerts).toEqual(expect.arrayContaining(['Server server1 has been stopped.', 'The group failover1 has been failed over to server2.']));
    expect(alerts).not.toContain('Cannot communicate with server server1.');
  }, 60_000);

  it('moves failover1 by hand, from any server', async () => {
    await fresh();
    await bootCluster(2);
    const c2 = await t.client('server2');
    await c2.call('group.move', { group: 'failover1', server: 'server2' });
    expect(await groupOn(c2)).toBe('server2');
    const refused = await c2.call('group.move', { group: 'failover1', server: 'server9' }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(refused).toMatch(/server9 is not a startup server of group failover1/);
  }, 60_000);

  it('a monitor failure walks the whole recovery path: restart, failover, final action', async () => {
    await fresh();
    const c1 = await bootCluster(2, {
      monitors: [
        {
          name: 'genw1',
          type: 'genw',
          common: { intervalS: 0.3, timeoutS: 5, retryCount: 0 },
          params: { script: '#!/bin/sh\nexit 3\n' },
          recovery: { target: { kind: 'resource', name: 'exec1' }, maxRestarts: 1, maxFailovers: 1, finalAction: 'none' },
        },
      ],
    });
    const master = async () => (await status(c1)).cluster.master ?? 'server1';
    await waitFor(
      'the final action',
      async () => {
        const m = await master();
        const c = await t.client(m);
        const msgs = (await c.call('alerts.query', { limit: 200 })).entries.map((a) => a.message);
        return msgs.some((x) => x.includes('Final action of monitoring genw1 will not be executed'));
      },
      30_000,
    );
    const msgs = (await c1.call('alerts.query', { limit: 300 })).entries.map((a) => a.message);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Detected an error in monitoring genw1\. \(11 : the monitor script exited with 3\)/),
        'Recovery target exec1 has restarted because an error was detected in monitoring genw1.',
        'Recovery target exec1 failed over because an error was detected in monitoring genw1.',
      ]),
    );
  }, 60_000);

  it('a lost server with the NP target reachable from one side only: the other side stops its groups', async () => {
    await fresh();
    const np = [
      { kind: 'http', host: NP_HOST, port: NP_PORT, intervalS: 1, timeoutS: 0.5, retryCount: 0, servers: ['server1'] },
      { kind: 'http', host: NP_HOST, port: NP_PORT + 1, intervalS: 1, timeoutS: 0.5, retryCount: 0, servers: ['server2'] },
    ];
    const c1 = await bootCluster(2, { np, groups: [{ name: 'failover1', resources: [{ name: 'exec1', type: 'exec' }] }, { name: 'failover2', startupServers: ['server2', 'server1'], resources: [{ name: 'exec2', type: 'exec' }] }] });
    const c2 = await t.client('server2');
    await waitFor('failover2 on server2', async () => (await groupOn(c2, 'failover2')) === 'server2');
    await fw.cut('127.0.2.11', '127.0.2.12');
    await waitFor('server2 to isolate itself', async () => (await c2.call('session.info', {})) && (await status(c2)).servers.find((s) => s.name === 'server2')?.state === 'isolated', 15_000);
    await waitFor('failover2 to move to server1', async () => (await groupOn(c1, 'failover2')) === 'server1', 15_000);
    expect(await groupOn(c1)).toBe('server1');
    const s2 = await status(c2);
    expect(s2.groups.find((g) => g.name === 'failover2')?.activeOn ?? []).not.toContain('server2');
  }, 60_000);

  it('a cut interconnect with a witness reachable from both sides: exactly one server keeps the group', async () => {
    await fresh();
    witness = buildWitness({ key: await ClusterKey.load(t.keyFile), log: silentLogger });
    await witness.listen({ host: NP_HOST, port: WITNESS_PORT });
    const c1 = await bootCluster(2, { np: [{ kind: 'witness', host: NP_HOST, port: WITNESS_PORT, intervalS: 0.5, timeoutS: 1, retryCount: 0 }] });
    const c2 = await t.client('server2');
    await fw.cut('127.0.2.11', '127.0.2.12');
    await waitFor('server2 to stand down', async () => (await status(c2)).servers.find((s) => s.name === 'server2')?.state === 'isolated', 15_000);
    expect(await groupOn(c1)).toBe('server1');
    const view2 = await status(c2);
    expect(view2.groups[0]?.activeOn).not.toContain('server2');
    const msgs = (await c2.call('alerts.query', { limit: 100, server: 'server2' })).entries.map((a) => a.message);
    expect(msgs.some((m) => /still alive according to the witness.*stands down/.test(m))).toBe(true);
  }, 60_000);

  it('a path that drops the agents\' link while heartbeats pass: the link is found dead, "Cannot communicate" is said, nothing fails over, and the recovery is said', async () => {
    await fresh();
    const c1 = await bootCluster(2);
    const c2 = await t.client('server2');
    const said = async (c: AgentClient, server: string, key: string, message: string) =>
      (await c.call('alerts.query', { limit: 200, server })).entries.some((a) => a.key === key && a.message === message);
    await fw.cut('127.0.2.11', '127.0.2.12', 'tcp');
    await waitFor('server1 to say it cannot communicate with server2', () => said(c1, 'server1', 'cannotCommunicate', 'Cannot communicate with server server2.'), 20_000);
    await waitFor('server2 to say it cannot communicate with server1', () => said(c2, 'server2', 'cannotCommunicate', 'Cannot communicate with server server1.'), 20_000);
    // The heartbeats still arrive: both servers are online to each other and failover1 stays where it is.
    expect(await groupOn(c1)).toBe('server1');
    expect((await status(c2)).servers.map((s) => s.state)).toEqual(['online', 'online']);
    await fw.heal('127.0.2.11', '127.0.2.12');
    await waitFor('server1 to say the link recovered', () => said(c1, 'server1', 'communicationRecovered', 'Recovered from the communication failure with server server2.'), 20_000);
    expect(await groupOn(c1)).toBe('server1');
    expect(await groupOn(c2)).toBe('server1');
  }, 60_000);

  it('a rejoining server leaves alone what runs elsewhere', async () => {
    await fresh();
    await bootCluster(2);
    const c2 = await t.client('server2');
    await t.kill('server1');
    await waitFor('failover1 on server2', async () => (await groupOn(c2)) === 'server2', 15_000);
    const restartedAt = Date.now();
    await t.start(servers(2)[0]!);
    const c1 = await t.client('server1');
    await waitFor('server1 to rejoin', async () => (await status(c1)).servers.find((s) => s.name === 'server1')?.state === 'online' && (await status(c1)).cluster.master === 'server1', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await groupOn(c1)).toBe('server2');
    const s1Alerts = (await c1.call('alerts.query', { limit: 200, server: 'server1' })).entries;
    const sinceRestart = s1Alerts.filter((a) => a.time >= restartedAt);
    expect(sinceRestart.some((a) => a.key === 'groupStarted' || a.key === 'resourceActivating')).toBe(false);
  }, 60_000);
});

describe('three agents', () => {
  it('when the master dies the next server becomes master and takes its group in startup order', async () => {
    await fresh();
    await bootCluster(3, { groups: [{ name: 'failover1', startupServers: ['server1', 'server3', 'server2'], resources: [{ name: 'exec1', type: 'exec' }] }] });
    const c2 = await t.client('server2');
    await t.kill('server1');
    await waitFor('failover1 on server3', async () => (await groupOn(c2)) === 'server3', 15_000);
    expect((await status(c2)).cluster.master).toBe('server2');
  }, 60_000);
});
