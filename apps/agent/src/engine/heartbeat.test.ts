/**
 * Heartbeats over real UDP sockets on 127.0.2.201/202: up and down, and the packets that must be refused — a
 * wrong key, a replay, a stale new boot, another cluster, a stranger — plus the delay warning.
 */
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import type { ValidConfig } from '@kumo/shared';
import { ClusterKey } from '../crypto/cluster-key.js';
import { silentLogger } from '../util/log.js';
import { HeartbeatService } from './heartbeat.js';

function config(): ValidConfig {
  const r = validateClusterConfig({
    cluster: { name: 'hb', heartbeat: { intervalS: 0.1, timeoutS: 0.6 }, ports: { heartbeat: 29102 } },
    servers: [
      { name: 'a', address: '127.0.2.201' },
      { name: 'b', address: '127.0.2.202' },
    ],
    interconnects: [{ priority: 1, addresses: { a: '127.0.2.201', b: '127.0.2.202' } }],
  });
  if (!r.ok) throw new Error(r.errors[0]?.message.en);
  return r.config;
}

const services: HeartbeatService[] = [];
afterEach(() => {
  for (const s of services.splice(0)) s.close();
});

function service(self: string, key: ClusterKey, events: Partial<Record<'up' | 'down' | 'refused' | 'delayed', (...a: string[]) => void>> = {}, now?: () => number) {
  const s = new HeartbeatService({
    key,
    self,
    bootId: `${self}-boot`,
    log: silentLogger,
    ...(now ? { now } : {}),
    events: {
      up: (server, bootId, svc) => events.up?.(server, bootId, svc),
      down: (server) => events.down?.(server),
      refused: (from, reason) => events.refused?.(from, reason),
      delayed: (server, ic, gap) => events.delayed?.(server, String(ic), String(gap)),
    },
  });
  services.push(s);
  return s;
}

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('heartbeats', () => {
  it('a server is up while its heartbeats arrive, and down after the timeout once they stop', async () => {
    const key = ClusterKey.generate();
    const seen: string[] = [];
    const a = service('a', key, { up: (s) => seen.push(`up ${s}`), down: (s) => seen.push(`down ${s}`) });
    const b = service('b', key);
    await a.configure(config());
    await b.configure(config());
    b.setService('running');
    await until(() => seen.includes('up b'));
    expect(a.status()[0]?.interconnects[0]?.state).toBe('normal');
    b.close();
    await until(() => seen.includes('down b'));
  });

  it('refuses packets signed with another key, replays, another cluster and strangers', async () => {
    const key = ClusterKey.generate();
    const refused: string[] = [];
    const a = service('a', key, { refused: (_from, reason) => refused.push(reason) });
    await a.configure(config());
    // Packets made by hand, signed with the right or a wrong key.
    const packet = (k: ClusterKey, hb: Record<string, unknown>) => {
      const body = JSON.stringify(hb);
      return Buffer.from(`{"hb":${body},"mac":"${k.hmac(body)}"}`);
    };
    const hb = { v: 1, cluster: 'hb', server: 'b', bootId: 'b-1', seq: 5, time: Date.now(), service: 'running', configHash: null, interconnect: 1 };
    a.receive(packet(ClusterKey.generate(), hb), 'x', 1);
    expect(refused.at(-1)).toMatch(/bad signature: the sender does not hold the cluster key/);
    a.receive(packet(key, hb), 'x', 1);
    expect(a.isAlive('b')).toBe(true);
    a.receive(packet(key, hb), 'x', 1);
    expect(refused.at(-1)).toMatch(/replayed heartbeat from b \(sequence 5 already seen\)/);
    a.receive(packet(key, { ...hb, bootId: 'b-0', seq: 1, time: Date.now() - 10 * 60_000 }), 'y', 1);
    expect(refused.at(-1)).toMatch(/stale heartbeat/);
    a.receive(packet(key, { ...hb, cluster: 'other', seq: 6 }), 'z', 1);
    expect(refused.at(-1)).toMatch(/heartbeat of another cluster \(other\)/);
    a.receive(packet(key, { ...hb, server: 'mallory', seq: 7 }), 'w', 1);
    expect(refused.at(-1)).toMatch(/from mallory, which is not a server of this cluster/);
    a.receive(Buffer.from('garbage'), 'v', 1);
    expect(refused.at(-1)).toMatch(/malformed/);
  });

  it('warns when heartbeats arrive late (past half the timeout)', async () => {
    const key = ClusterKey.generate();
    let t = 1_000_000;
    const delayed: string[] = [];
    const a = service('a', key, { delayed: (s, _ic, gap) => delayed.push(`${s} ${gap}`) }, () => t);
    await a.configure(config());
    const send = (seq: number) => {
      const hb = { v: 1, cluster: 'hb', server: 'b', bootId: 'b-1', seq, time: t, service: 'running', configHash: null, interconnect: 1 };
      const body = JSON.stringify(hb);
      a.receive(Buffer.from(`{"hb":${body},"mac":"${key.hmac(body)}"}`), 'b', 1);
    };
    send(1);
    t += 100;
    send(2);
    expect(delayed).toEqual([]);
    t += 400; // > 300 ms = half of the 0.6 s timeout
    send(3);
    expect(delayed).toEqual(['b 400']);
  });

  it('really sends over UDP: a real socket receives signed datagrams', async () => {
    const key = ClusterKey.generate();
    const sock = dgram.createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    await new Promise<void>((r) => sock.bind(29102, '127.0.2.202', () => r()));
    try {
      const a = service('a', key);
      await a.configure(config());
      await until(() => got.length > 0);
      const outer = JSON.parse(got[0]!.toString('utf8')) as { hb: unknown; mac: string };
      expect(key.verify(JSON.stringify(outer.hb), outer.mac)).toBe(true);
    } finally {
      sock.close();
    }
  });
});
