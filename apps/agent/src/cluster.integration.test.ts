/**
 * Three real agents on 127.0.1.11–13: the two-phase apply, its refusals, peer authentication and replay
 * protection, and an agent that restarts or lost its database.
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AgentRequestError } from './cli/client.js';
import type { AgentClient } from './cli/client.js';
import { ClusterKey } from './crypto/cluster-key.js';
import { dialPeer, PeerAuthError } from './peers/peer-link.js';
import { AgentProcesses, waitFor } from './testing/agent-processes.js';

const SERVERS = [
  { name: 'server1', address: '127.0.1.11' },
  { name: 'server2', address: '127.0.1.12' },
  { name: 'server3', address: '127.0.1.13' },
];

function config(comment = '') {
  return {
    cluster: { name: 'it3', comment, heartbeat: { intervalS: 0.5, timeoutS: 3 }, serverSyncWaitS: 3 },
    servers: SERVERS,
    interconnects: [{ priority: 1, addresses: Object.fromEntries(SERVERS.map((s) => [s.name, s.address])) }],
    groups: [{ name: 'failover1', resources: [{ name: 'exec1', type: 'exec' }] }],
  };
}

let t: AgentProcesses;
let c1: AgentClient;

async function versions(): Promise<(number | null)[]> {
  return Promise.all(
    SERVERS.map(async (s) => {
      const c = await t.client(s.name);
      return (await c.call('config.get', {})).version;
    }),
  );
}

async function refused(fn: () => Promise<unknown>): Promise<AgentRequestError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AgentRequestError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

beforeAll(async () => {
  t = await AgentProcesses.create();
  await Promise.all(SERVERS.map((s) => t.start(s)));
  c1 = await t.client('server1');
}, 60_000);

afterAll(async () => {
  await t?.stop();
});

describe('three agents on loopback', () => {
  it('a fresh agent has no config and says so', async () => {
    const s = await c1.call('status.get', {});
    expect(s.cluster.state).toBe('unconfigured');
    const probe = await c1.call('servers.probe', { address: '127.0.1.12' });
    expect(probe).toMatchObject({ name: 'server2', configHash: null });
  });

  it('the first apply pushes the config to every server', async () => {
    const r = await c1.call('config.apply', { config: config() });
    expect(r).toMatchObject({ outcome: 'applied', version: 1, requires: 'nothing' });
    expect(r.servers.map((s) => [s.server, s.ok])).toEqual([['server1', true], ['server2', true], ['server3', true]]);
    expect(await versions()).toEqual([1, 1, 1]);
    const hashes = await Promise.all(SERVERS.map(async (s) => (await (await t.client(s.name)).call('config.get', {})).hash));
    expect(new Set(hashes).size).toBe(1);
    await waitFor('the cluster to start', async () => (await c1.call('status.get', {})).groups[0]?.current === 'server1');
  }, 30_000);

  it('applying the same config again is a no-op', async () => {
    const r = await c1.call('config.apply', { config: config() });
    expect(r).toMatchObject({ outcome: 'unchanged', version: 1 });
    expect(await versions()).toEqual([1, 1, 1]);
  });

  it('an invalid config is refused with every error and no server changes', async () => {
    const bad = config('bad');
    bad.servers = [SERVERS[0]!, { ...SERVERS[1]!, name: 'server1' }, SERVERS[2]!];
    const e = await refused(() => c1.call('config.apply', { config: bad }));
    expect(e.code).toBe('KUMO_E_VALIDATION');
    expect(JSON.stringify(e.body.details)).toMatch(/the server name \\"server1\\" is used more than once/);
    expect(await versions()).toEqual([1, 1, 1]);
  });

  it('an oversized request is refused with its size by the client, and by the agent if sent anyway, and no server changes', async () => {
    const junk = { ...config('junk'), notes: 'x'.repeat(9 * 1024 * 1024) };
    // The client does not send it: the agent could not say which request it refused, and the call would wait.
    const e = await refused(() => c1.call('config.apply', { config: junk }));
    expect(e.code).toBe('KUMO_E_BAD_REQUEST');
    expect(e.message).toMatch(/^the request is 9\.0 MiB; the agent takes messages of up to 8 MiB .*: remove what does not belong in it$/);
    // A client that sends it anyway gets the agent's refusal, and the socket goes on answering.
    const ws = new WebSocket('ws://127.0.1.11:29003/api/ws');
    try {
      const answers: { id: string; ok: boolean; error?: { code: string; message: string } }[] = [];
      ws.on('message', (d) => {
        const m = JSON.parse((d as Buffer).toString('utf8')) as { kind: string; id: string; ok: boolean; error?: { code: string; message: string } };
        if (m.kind === 'response') answers.push(m);
      });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.send(JSON.stringify({ kind: 'request', id: 'big', method: 'config.apply', params: { config: junk } }));
      ws.send(JSON.stringify({ kind: 'request', id: 'next', method: 'session.info', params: {} }));
      await waitFor('both answers', () => answers.length === 2, 10_000);
      expect(answers[0]).toMatchObject({ id: '', ok: false, error: { code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/^the request is 9\.0 MiB;/) } });
      expect(answers[1]).toMatchObject({ id: 'next', ok: true });
    } finally {
      ws.close();
    }
    expect(await versions()).toEqual([1, 1, 1]);
  }, 30_000);

  it('with one agent down the apply aborts, says which server, and no server changes', async () => {
    await t.kill('server3');
    const e = await refused(() => c1.call('config.apply', { config: config('while server3 is down') }));
    expect(e.code).toBe('KUMO_E_APPLY_PEER_UNREACHABLE');
    expect(e.message).toMatch(/nothing was applied anywhere: server3: cannot reach the agent at 127\.0\.1\.13:29003/);
    const c2 = await t.client('server2');
    expect((await c1.call('config.get', {})).version).toBe(1);
    expect((await c2.call('config.get', {})).version).toBe(1);
    expect((await c1.call('config.get', {})).config).toMatchObject({ cluster: { comment: '' } });
    // A request for every server that reaches only some says where it took effect.
    const partial = await refused(() => c1.call('monitor.suspend', {}));
    expect(partial.code).toBe('KUMO_E_SERVER_DOWN');
    expect(partial.message).toMatch(/^done on server1, server2; not done on server3: .* repeat it there once the server is back$/);
    await c1.call('monitor.resume', {}).catch(() => undefined);
    await t.start(SERVERS[2]!);
  }, 60_000);

  it('a peer without the cluster key is refused, and the refusal is logged', async () => {
    const wrong = ClusterKey.generate();
    await expect(dialPeer('127.0.1.11', 29003, { key: wrong, self: 'intruder', selfAddress: '127.0.1.99' })).rejects.toThrow(PeerAuthError);
    await waitFor('the refusal in the alert log', async () => {
      const { entries } = await c1.call('alerts.query', { limit: 50, module: 'cfmgr' });
      return entries.some((a) => a.key === 'peerRefused' && /does not hold the cluster key/.test(a.message));
    });
  });

  it('a replayed peer message is refused, on the same connection and on another', async () => {
    const key = await ClusterKey.load(t.keyFile);
    const sent: string[] = [];
    const original = WebSocket.prototype.send;
    const link = await dialPeer('127.0.1.11', 29003, { key, self: 'server3', selfAddress: '127.0.1.13' });
    WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      if (typeof data === 'string') sent.push(data);
      return (original as (...a: unknown[]) => void).call(this, data, ...rest);
    } as typeof original;
    try {
      link.send({ type: 'req', id: 'replay-1', req: { op: 'probe' } });
    } finally {
      WebSocket.prototype.send = original;
    }
    const frame = sent[0]!;
    const other = await dialPeer('127.0.1.11', 29003, { key, self: 'server3', selfAddress: '127.0.1.13' });
    const closed = new Promise<string>((resolve) => other.once('close', (reason) => resolve(reason)));
    other.sendRawForTest(frame);
    expect(await closed).toMatch(/connection closed|refused/);
    const sameClosed = new Promise<string>((resolve) => link.once('close', (reason) => resolve(reason)));
    link.sendRawForTest(frame);
    expect(await sameClosed).toMatch(/connection closed|refused/);
    await waitFor('both refusals in the alert log', async () => {
      const { entries } = await c1.call('alerts.query', { limit: 100, module: 'cfmgr' });
      const texts = entries.filter((a) => a.key === 'peerRefused').map((a) => a.message).join('\n');
      return /bad MAC: a replayed or forged message/.test(texts) && /out of sequence/.test(texts);
    });
  });

  it('a restarted agent keeps its config and its alerts', async () => {
    const before = (await (await t.client('server2')).call('alerts.query', { limit: 500 })).entries.length;
    await t.restart('server2');
    const c2 = await t.client('server2');
    expect((await c2.call('config.get', {})).version).toBe(1);
    const after = (await c2.call('alerts.query', { limit: 500 })).entries.length;
    expect(after).toBeGreaterThanOrEqual(before);
  }, 30_000);

  it('an agent that lost its database takes the current config from its peers', async () => {
    await t.kill('server3');
    const dir = t.get('server3').dataDir;
    for (const f of ['kumo.db', 'kumo.db-wal', 'kumo.db-shm']) {
      try {
        renameSync(path.join(dir, f), path.join(dir, `${f}.aside`));
      } catch {
        /* not every file exists */
      }
    }
    await t.start(SERVERS[2]!);
    const c3 = await t.client('server3');
    const doc = await waitFor('server3 to catch up', async () => {
      const d = await c3.call('config.get', {});
      return d.version === 1 ? d : undefined;
    });
    expect(doc.hash).toBe((await c1.call('config.get', {})).hash);
    const { entries } = await c3.call('alerts.query', { limit: 200, server: 'server3' });
    expect(entries.some((a) => a.key === 'configCaughtUp')).toBe(true);
  }, 40_000);

  it('every server shows the same cluster status', async () => {
    const statuses = await Promise.all(SERVERS.map(async (s) => (await t.client(s.name)).call('status.get', {})));
    for (const st of statuses) {
      expect(st.cluster.name).toBe('it3');
      expect(st.servers.map((x) => x.name)).toEqual(['server1', 'server2', 'server3']);
    }
  });
});
