/**
 * A peer link over a real TCP path that can be made to drop everything silently (a TCP relay on 127.0.7.1 that
 * stops forwarding, as a security group or firewall changed under a running cluster would): both ends notice
 * from their pings, instead of keeping a dead link open.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { ClusterKey } from '../crypto/cluster-key.js';
import { acceptPeer, dialPeer } from './peer-link.js';
import type { Liveness, PeerLink } from './peer-link.js';

const HOST = '127.0.7.1';
const LIVENESS = { intervalMs: 50, timeoutMs: 300 };

/** Forwards TCP to `targetPort` until `drop` is set; from then on it reads and discards, as a blackholed path does. */
class Relay {
  drop = false;
  private readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((client) => {
    const upstream = net.connect(this.targetPort, HOST);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(from);
      from.on('data', (d) => {
        if (!this.drop) to.write(d);
      });
      // Nor does a dropped path carry the closing of the other end.
      from.on('error', () => !this.drop && to.destroy());
      from.on('close', () => !this.drop && to.destroy());
    }
  });

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, HOST, resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const closeReason = (link: PeerLink) => new Promise<string>((resolve) => link.once('close', resolve));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('peer link liveness', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });

  async function pair(liveness: () => Liveness = () => LIVENESS): Promise<{ relay: Relay; dialled: PeerLink; accepted: PeerLink }> {
    const key = ClusterKey.generate();
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    await new Promise<void>((resolve) => wss.once('listening', resolve));
    const accepted = new Promise<PeerLink>((resolve, reject) => {
      wss.once('connection', (ws) => void acceptPeer(ws, HOST, { key, self: 'server1', selfAddress: HOST, liveness }).then(resolve, reject));
    });
    const relay = new Relay((wss.address() as AddressInfo).port);
    cleanups.push(() => relay.close());
    const dialled = await dialPeer(HOST, await relay.listen(), { key, self: 'server2', selfAddress: HOST, liveness });
    const links = { relay, dialled, accepted: await accepted };
    cleanups.push(() => {
      links.dialled.close();
      links.accepted.close();
    });
    return links;
  }

  it('a quiet but healthy link stays open: the pings are answered', async () => {
    const { dialled, accepted } = await pair();
    await sleep(LIVENESS.timeoutMs * 3);
    expect(dialled.open).toBe(true);
    expect(accepted.open).toBe(true);
  });

  it('a healthy link is not taken for dead when the timing shrinks below its current interval (a config applied)', async () => {
    let timing = { intervalMs: 400, timeoutMs: 2000 };
    const { dialled, accepted } = await pair(() => timing);
    await sleep(50);
    timing = { intervalMs: 50, timeoutMs: 150 };
    await sleep(1000);
    expect(dialled.open).toBe(true);
    expect(accepted.open).toBe(true);
  });

  it('a link whose path silently drops everything is closed as dead on both ends', async () => {
    const { relay, dialled, accepted } = await pair();
    const reasons = Promise.all([closeReason(dialled), closeReason(accepted)]);
    relay.drop = true;
    const [a, b] = await reasons;
    expect(a).toMatch(/^nothing heard from server1 for \d+ s: the connection is dead$/);
    expect(b).toMatch(/^nothing heard from server2 for \d+ s: the connection is dead$/);
    expect(dialled.open).toBe(false);
    expect(accepted.open).toBe(false);
  });
});
