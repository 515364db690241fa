/**
 * NP resolution against real HTTP servers on 127.0.2.210: a target is alive only when HEAD answers 200; the
 * witness answers with what it heard from the peers, signed with the cluster key, and a witness without the
 * key is not believed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import type { ValidConfig } from '@kumo/shared';
import { ClusterKey } from '../crypto/cluster-key.js';
import { silentLogger } from '../util/log.js';
import { buildWitness } from '../witness/server.js';
import { NpResolver } from './np-resolution.js';

const HOST = '127.0.2.210';
let ok: http.Server;
let notFound: http.Server;
const ports = { ok: 0, notFound: 0, witness: 0, fakeWitness: 0 };
const key = ClusterKey.generate();
const witness = buildWitness({ key, log: silentLogger });
const fakeWitness = buildWitness({ key: ClusterKey.generate(), log: silentLogger });

function config(targets: unknown[]): ValidConfig {
  const r = validateClusterConfig({
    cluster: { name: 'np', heartbeat: { intervalS: 1, timeoutS: 3 }, np: { targets } },
    servers: [
      { name: 'a', address: '127.0.2.211' },
      { name: 'b', address: '127.0.2.212' },
      { name: 'c', address: '127.0.2.213' },
    ],
    interconnects: [{ priority: 1, addresses: { a: '127.0.2.211', b: '127.0.2.212', c: '127.0.2.213' } }],
  });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message.en).join('; '));
  return r.config;
}

function resolver(self: string, service: 'running' | 'isolated' = 'running', k = key, now?: () => number): NpResolver {
  return new NpResolver({ self, bootId: `${self}-1`, key: k, log: silentLogger, state: () => ({ service, activeGroups: service === 'running' ? ['failover1'] : [] }), ...(now ? { now } : {}) });
}

const listen = (s: http.Server) => new Promise<number>((r) => s.listen(0, HOST, () => r((s.address() as AddressInfo).port)));

beforeAll(async () => {
  ok = http.createServer((_q, res) => res.writeHead(200).end());
  notFound = http.createServer((_q, res) => res.writeHead(404).end());
  ports.ok = await listen(ok);
  ports.notFound = await listen(notFound);
  await witness.listen({ host: HOST, port: 0 });
  ports.witness = (witness.server.address() as AddressInfo).port;
  await fakeWitness.listen({ host: HOST, port: 0 });
  ports.fakeWitness = (fakeWitness.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await Promise.all([new Promise((r) => ok.close(r)), new Promise((r) => notFound.close(r)), witness.close(), fakeWitness.close()]);
});

const http1 = (port: number, extra: object = {}) => ({ kind: 'http', host: HOST, port, timeoutS: 0.5, retryCount: 0, ...extra });

describe('NP resolution', () => {
  it('an HTTP target is alive when HEAD answers 200, and not when it answers 404 or nothing', async () => {
    const r = resolver('a');
    r.configure(config([http1(ports.ok)]));
    expect((await r.check()).reachable).toBe(true);
    r.configure(config([http1(ports.notFound), http1(1, { retryCount: 1 })]));
    const res = await r.check();
    expect(res.reachable).toBe(false);
    expect(res.targets.map((t) => t.ok)).toEqual([false, false]);
    r.stop();
  });

  it('only the targets this server uses count (the per-server Use column)', async () => {
    const r = resolver('a');
    r.configure(config([http1(ports.notFound, { servers: ['a'] }), http1(ports.ok, { servers: ['b'] })]));
    expect((await r.check()).reachable).toBe(false);
    r.stop();
  });

  it('the witness tells a server what its peer last reported', async () => {
    const cfg = config([{ kind: 'witness', host: HOST, port: ports.witness, timeoutS: 1, retryCount: 0 }]);
    const b = resolver('b');
    b.configure(cfg);
    await b.check(); // b reports to the witness
    const a = resolver('a');
    a.configure(cfg);
    const res = await a.check();
    expect(res.reachable).toBe(true);
    expect(res.witness?.['b']).toMatchObject({ alive: true, service: 'running', activeGroups: ['failover1'] });
    expect(res.witness?.['b']?.seenMsAgo).toBeGreaterThanOrEqual(0);
    expect(res.witness?.['b']?.seenAt).toBeTypeOf('number');
    expect(res.witness?.['c']).toMatchObject({ alive: false, seenAt: null, seenMsAgo: null });
    a.stop();
    b.stop();
  });

  it('the witness lease runs out when the witness has not answered for its interval and a second', async () => {
    let t = Date.now();
    const a = resolver('a', 'running', key, () => t);
    a.configure(config([{ kind: 'witness', host: HOST, port: ports.fakeWitness, intervalS: 60, timeoutS: 1, retryCount: 0 }]));
    expect(a.witnessLeaseExpired()).toBe(false);
    t += 61_000;
    expect(a.witnessLeaseExpired()).toBe(false);
    t += 1;
    expect(a.witnessLeaseExpired()).toBe(true);
    expect((await a.check()).reachable).toBe(false); // a witness without the key renews nothing
    expect(a.witnessLeaseExpired()).toBe(true);
    t = Date.now();
    a.configure(config([{ kind: 'witness', host: HOST, port: ports.witness, intervalS: 60, timeoutS: 1, retryCount: 0 }]));
    t += 61_001;
    expect(a.witnessLeaseExpired()).toBe(true);
    t -= 40_000; // the witness refuses reports whose time is more than a minute off its own
    expect((await a.check()).reachable).toBe(true);
    expect(a.witnessLeaseExpired()).toBe(false);
    a.stop();
  });

  it('a witness that does not hold the cluster key is not believed', async () => {
    const a = resolver('a');
    a.configure(config([{ kind: 'witness', host: HOST, port: ports.fakeWitness, timeoutS: 1, retryCount: 0 }]));
    const res = await a.check();
    expect(res.reachable).toBe(false);
    expect(res.witness).toBeNull();
    a.stop();
  });

  it('the witness answers HEAD / with 200, so it also works as a plain HTTP NP target', async () => {
    const r = resolver('a');
    r.configure(config([http1(ports.witness)]));
    expect((await r.check()).reachable).toBe(true);
    r.stop();
  });
});
