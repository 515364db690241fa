/**
 * HTTPS with a configured certificate: after the apply says a restart is needed and the agents restart, the
 * WebUI, the REST status and the agents' own links run over TLS; a page from another server of the cluster may
 * open the WebSocket, a page from anywhere else may not.
 */
import { execFile } from 'node:child_process';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient } from './cli/client.js';
import { AgentProcesses, waitFor } from './testing/agent-processes.js';

const run = promisify(execFile);
const SERVERS = [
  { name: 'server1', address: '127.0.1.31' },
  { name: 'server2', address: '127.0.1.32' },
];
let t: AgentProcesses;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

beforeAll(async () => {
  process.env['KUMO_TLS_INSECURE'] = '1';
  t = await AgentProcesses.create('kumo-https-');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=kumo-test', '-keyout', path.join(t.dir, 'tls.key'), '-out', path.join(t.dir, 'tls.crt')]);
  await Promise.all(SERVERS.map((s) => t.start(s)));
}, 90_000);

afterAll(async () => {
  await t?.stop();
});

describe('HTTPS', () => {
  it('an apply that turns HTTPS on asks for a restart, after which everything runs over TLS', async () => {
    const c1 = await t.client('server1');
    const r = await c1.call('config.apply', {
      config: {
        cluster: { name: 'tls', heartbeat: { intervalS: 0.5, timeoutS: 2 }, serverSyncWaitS: 2, webui: { https: { certFile: path.join(t.dir, 'tls.crt'), keyFile: path.join(t.dir, 'tls.key') } } },
        servers: SERVERS,
        interconnects: [{ priority: 1, addresses: { server1: '127.0.1.31', server2: '127.0.1.32' } }],
        groups: [{ name: 'failover1', resources: [{ name: 'exec1', type: 'exec' }] }],
      },
    });
    expect(r.requires).toBe('nothing'); // the first config: nothing was running
    c1.close();
    await Promise.all(SERVERS.map((s) => t.restart(s.name)));
    expect(t.get('server1').url).toBe('https://127.0.1.31:29003');
    const health = await get('https://127.0.1.31:29003/api/health');
    expect(health.status).toBe(200);
    const c2 = await t.client('server2');
    await waitFor('the servers to see each other over wss', async () => {
      const s = await c2.call('status.get', {});
      return s.servers.every((x) => x.state === 'online') && s.groups[0]?.current === 'server1';
    }, 30_000);
  }, 90_000);

  it('accepts a WebSocket from a page of another cluster server, and refuses one from elsewhere', async () => {
    const fromPeer = await AgentClient.connect('https://127.0.1.32:29003', { origin: 'https://127.0.1.31:29003' });
    expect((await fromPeer.call('session.info', {})).server).toBe('server2');
    fromPeer.close();
    await expect(AgentClient.connect('https://127.0.1.32:29003', { origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });
});
