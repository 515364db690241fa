/**
 * Two in-process mirror disks on small files: initial construction, replication of overlapping writes,
 * roles, breakMirror, authentication, write intent. Each test gets its own loopback pair in 127.0.4.0/24
 * (link failures are in link-failures.test.ts).
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { MirrorDisk } from './mirror-disk.js';
import {
  EventLog,
  MiB,
  type Pair,
  usePairFixture,
  bothNormal,
  filesIdentical,
  optionsFor,
  pairLayout,
  randomFile,
  waitFor,
  writeBlocks,
} from './testing/harness.js';

const NET = '127.0.4';
const SIZE = 16 * MiB;
const fx = usePairFixture('md');
let pair: Pair | null = null;

describe('MirrorDisk pair', { timeout: 20_000 }, () => {
  it('runs the initial mirror construction as a full copy, then mirrors writes', async () => {
    const layout = pairLayout(fx.dir, NET, 10, false);
    await randomFile(layout.a.dataPath, SIZE); // srv1 holds data, srv2's disk is new
    pair = await fx.openPair({ net: NET, n: 10, sizeBytes: SIZE });
    const started = await pair.aLog.next('recovery-started');
    expect(started).toMatchObject({ kind: 'full', bytes: SIZE, source: 'srv1', target: 'srv2', direction: 'send' });
    await pair.bLog.next('recovery-completed');
    await bothNormal(pair);
    const st = pair.a.status();
    expect(st.local.color).toBe('GREEN');
    expect(st.peer.color).toBe('GREEN');
    expect(st.counters.lastRecovery).toMatchObject({ kind: 'full', bytes: SIZE });
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);

    await pair.a.promote();
    expect(pair.a.status()).toMatchObject({ exporting: true, local: { role: 'primary' }, peer: { role: 'secondary' } });
    await expect(fsp.stat(layout.b.nbdSocketPath)).rejects.toThrow(); // the standby never exports
    const c = await fx.client();
    await writeBlocks(c, 100, 64);
    await c.flush();
    expect(pair.a.status().counters.replicatedWrites).toBe(64);
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);
  });

  it('skips the copy when initialCopy is false, and applies overlapping concurrent writes in one order', async () => {
    pair = await fx.openPair({ net: NET, n: 20, sizeBytes: SIZE, params: { initialCopy: false } });
    await bothNormal(pair);
    expect(pair.aLog.of('recovery-started')).toHaveLength(0);
    await pair.a.promote();
    const c = await fx.client();
    // 400 writes into the same 64 KiB, overlapping at odd offsets, all in flight together.
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 400; i += 1) {
      const off = ((i * 7919) % 60) * 1024;
      writes.push(c.write(off, randomBytes(512 + ((i * 31) % 8) * 512)));
    }
    await Promise.all(writes);
    await c.writeZeroes(8 * 1024, 4096);
    await c.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('refuses a second primary while connected', async () => {
    pair = await fx.openPair({ net: NET, n: 30, sizeBytes: SIZE, params: { initialCopy: false } });
    await bothNormal(pair);
    await pair.a.promote();
    await waitFor(() => pair?.b.status().peer.role === 'primary', 'peer role seen');
    await expect(pair.b.promote()).rejects.toMatchObject({ code: 'PEER_IS_PRIMARY' });
    await expect(pair.b.promote({ force: true })).rejects.toMatchObject({ code: 'PEER_IS_PRIMARY' });
    await pair.a.demote();
    await pair.a.demote(); // idempotent
    await waitFor(() => pair?.b.status().peer.role === 'secondary', 'peer demoted');
    await pair.b.promote();
    expect(pair.b.status().exporting).toBe(true);
  });

  it('breakMirror isolates the standby until recover()', async () => {
    pair = await fx.openPair({ net: NET, n: 90, sizeBytes: SIZE, params: { initialCopy: false } });
    await bothNormal(pair);
    await pair.a.promote();
    await expect(pair.a.breakMirror()).rejects.toMatchObject({ code: 'IS_PRIMARY' });
    await pair.b.breakMirror();
    expect(pair.b.status()).toMatchObject({ mirrorState: 'isolated', connection: 'standalone', local: { color: 'RED' } });
    await pair.aLog.next('disconnected');
    const c = await fx.client();
    await writeBlocks(c, 7, 2);
    await new Promise((r) => setTimeout(r, 400)); // the dialer must not get back in while isolated
    expect(pair.b.status().connection).toBe('standalone');
    await pair.b.recover();
    await pair.bLog.next('recovery-completed');
    await bothNormal(pair);
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('refuses a peer with the wrong cluster key, and survives garbage on the MDC port', async () => {
    const layout = pairLayout(fx.dir, NET, 100, false);
    const aLog = new EventLog();
    const bLog = new EventLog();
    const a = await MirrorDisk.open(optionsFor(layout, 'a', { sizeBytes: SIZE, onEvent: aLog.push }));
    fx.track(a);
    const b = await MirrorDisk.open(optionsFor(layout, 'b', { sizeBytes: SIZE, onEvent: bLog.push, key: Buffer.from('another-key-entirely-0123456789') }));
    fx.track(b);
    const fa = await aLog.next('peer-auth-failed');
    const fb = await bLog.next('peer-auth-failed');
    expect(fa.kind).toBe('bad-proof');
    expect(fb.kind).toBe('bad-proof');
    // Garbage and a half-open handshake on srv2's port: no crash, nothing accepted.
    const junk = net.connect(layout.b.port, layout.b.host);
    junk.on('error', () => undefined);
    junk.write(Buffer.alloc(200, 0xee));
    await new Promise((r) => setTimeout(r, 200));
    junk.destroy();
    expect(a.status().connection).not.toBe('connected');
    expect(b.status().connection).not.toBe('connected');
    // Only one alert per failure streak, not one per retry.
    await new Promise((r) => setTimeout(r, 600));
    expect(aLog.of('peer-auth-failed')).toHaveLength(1);
    expect(a.status().counters.authFailures).toBeGreaterThan(1);
  });

  it('persists write intent before writing, then retires idle regions and caps the active set', async () => {
    pair = await fx.openPair({
      net: NET,
      n: 120,
      sizeBytes: SIZE,
      params: { initialCopy: false, checkpointIntervalMs: 100 },
      paramsA: { writeIntentIdleMs: 60_000, maxActiveRegions: 2 },
    });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
    for (let r = 0; r < 6; r += 1) await c.write(r * 256 * 1024, Buffer.alloc(4096, r)); // six 256 KiB regions
    expect(pair.a.status().counters.writeIntentActivations).toBe(6);
    await waitFor(() => pair?.a.status().activeRegions === 2, 'active set capped at 2');
    await c.write(5 * 256 * 1024 + 8192, Buffer.alloc(4096, 9)); // the most recent region is still active
    expect(pair.a.status().counters.writeIntentActivations).toBe(6);
  });

  it('a never-constructed side alone refuses to promote without force', async () => {
    const layout = pairLayout(fx.dir, NET, 110, false);
    const log = new EventLog();
    const a = await MirrorDisk.open(optionsFor(layout, 'a', { sizeBytes: SIZE, onEvent: log.push }));
    fx.track(a);
    expect(a.status()).toMatchObject({ mirrorState: 'no-construction', local: { color: 'RED', diskState: 'no-construction' }, peer: { color: 'GRAY' } });
    await expect(a.promote()).rejects.toMatchObject({ code: 'NOT_CONSTRUCTED' });
    await a.promote({ force: true });
    expect(a.status().local).toMatchObject({ color: 'GREEN', role: 'primary' });
    // The peer appears later with a new disk: a full copy from srv1.
    const bLog = new EventLog();
    const b = await MirrorDisk.open(optionsFor(layout, 'b', { sizeBytes: SIZE, onEvent: bLog.push }));
    fx.track(b);
    const done = await bLog.next('recovery-completed');
    expect(done).toMatchObject({ kind: 'full', bytes: SIZE });
    await a.close();
    await a.close(); // idempotent
    await expect(a.promote()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
