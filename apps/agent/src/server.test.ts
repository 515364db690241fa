/**
 * The agent's routes and WebUI messages through Fastify's inject() and injectWS(): no listening socket.
 * The agent is a one-server cluster on 127.0.1.51 (its heartbeat socket binds there).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createHmac } from 'node:crypto';
import { Agent } from './agent.js';
import { ClusterKey } from './crypto/cluster-key.js';
import { builtinMonitorDrivers, builtinResourceDrivers } from './drivers.js';
import { buildServer } from './server.js';
import { silentLogger } from './util/log.js';

const ADDRESS = '127.0.1.51';
const CONFIG = {
  cluster: { name: 'inject', heartbeat: { intervalS: 0.5, timeoutS: 2 }, serverSyncWaitS: 0 },
  servers: [{ name: 'solo', address: ADDRESS }],
  interconnects: [{ priority: 1, addresses: { solo: ADDRESS } }],
  groups: [{ name: 'failover1', resources: [{ name: 'exec1', type: 'exec' }] }],
};

let dir: string;
let agent: Agent;
let app: FastifyInstance;
let webui: string;
let key: ClusterKey;

interface Reply {
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string; details?: unknown };
}

async function open(headers: Record<string, string> = {}): Promise<WebSocket> {
  return app.injectWS('/api/ws', { headers: { host: `${ADDRESS}:29003`, ...headers } });
}

function call(ws: WebSocket, method: string, params: unknown = {}, raw?: string): Promise<Reply> {
  const id = `t${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { kind: string; id?: string } & Reply;
      if (msg.kind === 'response' && (msg.id === id || raw !== undefined)) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(raw ?? JSON.stringify({ kind: 'request', id, method, params }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kumo-inject-'));
  webui = path.join(dir, 'webui');
  mkdirSync(webui);
  writeFileSync(path.join(webui, 'index.html'), '<!doctype html><title>Cluster WebUI</title>');
  key = ClusterKey.generate();
  agent = new Agent({
    dataDir: path.join(dir, 'data'),
    name: 'solo',
    listenHost: ADDRESS,
    listenPort: 29003,
    key,
    hostMode: 'simulated',
    log: silentLogger,
    resourceDrivers: builtinResourceDrivers,
    monitorDrivers: builtinMonitorDrivers,
  });
  await agent.start();
  app = await buildServer(agent, { webuiDir: webui });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await agent?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP routes', () => {
  it('GET /api/health answers who and how this agent is', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ ok: true, server: 'solo', configured: false, service: 'stopped' });
  });

  it('GET /api/v1/status answers the status model as JSON', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ from: 'solo', cluster: { state: 'unconfigured' } });
  });

  it('serves the built WebUI, with the single-page fallback, and a JSON 404 under /api', async () => {
    expect((await app.inject({ method: 'GET', url: '/' })).body).toContain('Cluster WebUI');
    expect((await app.inject({ method: 'GET', url: '/operation/groups' })).body).toContain('Cluster WebUI');
    const miss = await app.inject({ method: 'GET', url: '/api/nothing' });
    expect(miss.statusCode).toBe(404);
    expect(miss.json()).toMatchObject({ error: { code: 'KUMO_E_NOT_FOUND' } });
  });

  it('says how to build the WebUI when it is not built', async () => {
    const bare = await buildServer(agent, { webuiDir: path.join(dir, 'missing') });
    const r = await bare.inject({ method: 'GET', url: '/' });
    expect(r.body).toMatch(/not built\. Run <code>pnpm build<\/code>/);
    await bare.close();
  });
});

describe('the WebUI socket', () => {
  it('answers session.info before any login', async () => {
    const ws = await open();
    const r = await call(ws, 'session.info');
    expect(r.result).toMatchObject({ server: 'solo', role: 'operate', passwordRequired: false, configured: false });
    ws.terminate();
  });

  it('refuses malformed JSON, unknown methods and bad params with a sentence', async () => {
    const ws = await open();
    expect((await call(ws, 'x', {}, 'not json')).error).toMatchObject({ code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/not JSON/) });
    expect((await call(ws, 'group.explode')).error).toMatchObject({ code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/malformed/) });
    expect((await call(ws, 'group.move', { group: 5 })).error).toMatchObject({ code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/parameters of group.move are invalid: group/) });
    ws.terminate();
  });

  it('refuses a cross-origin browser connection at the upgrade', async () => {
    await expect(open({ origin: 'http://evil.example' })).rejects.toThrow(/403/);
    const same = await open({ origin: `http://${ADDRESS}:29003` });
    same.terminate();
  });

  it('validates a config and returns every error', async () => {
    const ws = await open();
    const r = await call(ws, 'config.validate', { config: { ...CONFIG, servers: [{ name: 'Solo', address: 'x' }] } });
    expect(r.result).toMatchObject({ ok: false });
    const where = (r.result as { errors: { where: string }[] }).errors.map((e) => e.where);
    expect(where).toEqual(expect.arrayContaining(['servers[0].name', 'servers[0].address']));
    ws.terminate();
  });

  it('refuses an operation before there is a configuration', async () => {
    const ws = await open();
    expect((await call(ws, 'group.start', { group: 'failover1' })).error).toMatchObject({ code: 'KUMO_E_CLUSTER_STOPPED' });
    expect((await call(ws, 'cluster.start', {})).error).toMatchObject({ code: 'KUMO_E_NO_CONFIG' });
    ws.terminate();
  });

  it('applies a config with passwords; the browser never receives the hashes', async () => {
    const ws = await open();
    const r = await call(ws, 'config.apply', { config: CONFIG, passwords: { operation: 'op-secret', reference: 'ref-secret' } });
    expect(r.result).toMatchObject({ outcome: 'applied', version: 1 });
    const doc = await call(ws, 'config.get');
    const text = JSON.stringify(doc.result);
    expect(text).not.toMatch(/scrypt|PasswordHash/);
    expect(agent.config?.cluster.webui.operationPasswordHash).toMatch(/^scrypt\$/);
    ws.terminate();
  });

  it('with passwords set, nothing works before login; a wrong password is refused and logged', async () => {
    const ws = await open();
    expect((await call(ws, 'status.get')).error).toMatchObject({ code: 'KUMO_E_AUTH_REQUIRED' });
    expect((await call(ws, 'session.login', { password: 'nope' })).error).toMatchObject({ code: 'KUMO_E_AUTH_FAILED' });
    expect(agent.alerts.query({ limit: 20 }).some((a) => a.key === 'loginFailed')).toBe(true);
    const http = await app.inject({ method: 'GET', url: '/api/v1/status' });
    expect(http.statusCode).toBe(401);
    const basic = await app.inject({ method: 'GET', url: '/api/v1/status', headers: { authorization: `Basic ${Buffer.from('admin:ref-secret').toString('base64')}` } });
    expect(basic.statusCode).toBe(200);
    ws.terminate();
  });

  it('a reference login can look but not operate', async () => {
    const ws = await open();
    expect((await call(ws, 'session.login', { password: 'ref-secret' })).result).toMatchObject({ role: 'reference' });
    expect((await call(ws, 'status.get')).result).toMatchObject({ cluster: { name: 'inject' } });
    expect((await call(ws, 'group.stop', { group: 'failover1' })).error).toMatchObject({ code: 'KUMO_E_FORBIDDEN' });
    ws.terminate();
  });

  it('an operation login operates, and its token resumes a session on a new connection', async () => {
    const ws = await open();
    const login = await call(ws, 'session.login', { password: 'op-secret' });
    expect(login.result).toMatchObject({ role: 'operate' });
    const token = (login.result as { token: string }).token;
    ws.terminate();
    const again = await open();
    expect((await call(again, 'session.login', { token })).result).toMatchObject({ role: 'operate' });
    expect((await call(again, 'alerts.query', { limit: 5 })).result).toMatchObject({ entries: expect.any(Array) });
    expect((await call(again, 'aws.discover', { what: 'vpcs' })).error).toMatchObject({ code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/not available on this agent/) });
    again.terminate();
  });

  it('pushes status and alert events to a logged-in connection', async () => {
    const ws = await open();
    const events: string[] = [];
    ws.on('message', (d: Buffer) => {
      const m = JSON.parse(d.toString('utf8')) as { kind: string; event?: string };
      if (m.kind === 'event' && m.event) events.push(m.event);
    });
    await call(ws, 'session.login', { password: 'op-secret' });
    await call(ws, 'monitor.suspend', {});
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toContain('status');
    expect(events).toContain('alert');
    ws.terminate();
  });
});

describe('the peer socket', () => {
  it('challenges, and refuses a hello whose proof is not made with the cluster key', async () => {
    const messages: unknown[] = [];
    const ws = await app.injectWS('/api/peer', {}, { onInit: (w) => w.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString('utf8')))) });
    await new Promise((r) => setTimeout(r, 50));
    expect(messages[0]).toMatchObject({ type: 'challenge', server: 'solo' });
    const fake = createHmac('sha256', 'not the key').update('x').digest('hex');
    ws.send(JSON.stringify({ type: 'hello', nonce: 'a'.repeat(64), server: 'server9', address: '127.0.1.99', proof: fake }));
    await new Promise((r) => setTimeout(r, 100));
    expect(messages[1]).toMatchObject({ type: 'refused', reason: expect.stringMatching(/does not hold the cluster key/) });
    ws.terminate();
  });
});
