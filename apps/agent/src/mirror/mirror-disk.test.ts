/**
 * Two in-process mirror disks on small files: construction, replication, link cuts through a proxy,
 * split brain, stale promotion, authentication. Each test gets its own loopback pair in 127.0.4.0/24.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MirrorError } from './errors.js';
import { MirrorDisk } from './mirror-disk.js';
import { EventLog, MiB, type Pair, filesIdentical, makeTempDir, openPair, optionsFor, pairLayout, randomFile, waitFor } from './testing/harness.js';
import { NbdTestClient } from './testing/nbd-test-client.js';

const NET = '127.0.4';
const SIZE = 16 * MiB;
let dir: string;
let pair: Pair | null = null;
const extra: { close: () => Promise<void> }[] = [];

beforeEach(async () => {
  dir = await makeTempDir('md');
});

afterEach(async () => {
  await pair?.close();
  pair = null;
  for (const x of extra.splice(0)) await x.close().catch(() => undefined);
  await fsp.rm(dir, { recursive: true, force: true });
});

async function normal(p: Pair): Promise<void> {
  await waitFor(() => p.a.status().mirrorState === 'normal' && p.b.status().mirrorState === 'normal', 'both sides normal');
}

async function client(p: Pair): Promise<NbdTestClient> {
  const c = await NbdTestClient.connect(p.layout.a.nbdSocketPath);
  extra.push({ close: async () => c.destroy() });
  return c;
}

/** Writes `count` distinct 4 KiB blocks starting at block `first`, `depth` at a time. */
async function writeBlocks(c: NbdTestClient, first: number, count: number, depth = 16, fill = 0x5a): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await c.write((first + i) * 4096, Buffer.alloc(4096, (fill + i) & 0xff));
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
}

describe('MirrorDisk pair', { timeout: 20_000 }, () => {
  it('runs the initial mirror construction as a full copy, then mirrors writes', async () => {
    const layout = pairLayout(dir, NET, 10, false);
    await randomFile(layout.a.dataPath, SIZE); // srv1 holds data, srv2's disk is new
    pair = await openPair({ dir, net: NET, n: 10, sizeBytes: SIZE });
    const started = await pair.aLog.next('recovery-started');
    expect(started).toMatchObject({ kind: 'full', bytes: SIZE, source: 'srv1', target: 'srv2', direction: 'send' });
    await pair.bLog.next('recovery-completed');
    await normal(pair);
    const st = pair.a.status();
    expect(st.local.color).toBe('GREEN');
    expect(st.peer.color).toBe('GREEN');
    expect(st.counters.lastRecovery).toMatchObject({ kind: 'full', bytes: SIZE });
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);

    await pair.a.promote();
    expect(pair.a.status()).toMatchObject({ exporting: true, local: { role: 'primary' }, peer: { role: 'secondary' } });
    await expect(fsp.stat(layout.b.nbdSocketPath)).rejects.toThrow(); // the standby never exports
    const c = await client(pair);
    await writeBlocks(c, 100, 64);
    await c.flush();
    expect(pair.a.status().counters.replicatedWrites).toBe(64);
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);
  });

  it('skips the copy when initialCopy is false, and applies overlapping concurrent writes in one order', async () => {
    pair = await openPair({ dir, net: NET, n: 20, sizeBytes: SIZE, params: { initialCopy: false } });
    await normal(pair);
    expect(pair.aLog.of('recovery-started')).toHaveLength(0);
    await pair.a.promote();
    const c = await client(pair);
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
    pair = await openPair({ dir, net: NET, n: 30, sizeBytes: SIZE, params: { initialCopy: false } });
    await normal(pair);
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

  it('recovers only the blocks written while the link was cut (reset), then is identical', async () => {
    pair = await openPair({ dir, net: NET, n: 40, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
    await normal(pair);
    await pair.a.promote();
    const c = await client(pair);
    await writeBlocks(c, 0, 32);
    const from = pair.aLog.length;
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected', { from });
    await writeBlocks(c, 1000, 10, 4, 0x11); // 10 blocks while apart
    await writeBlocks(c, 3000, 3, 1, 0x22);
    expect(pair.a.status()).toMatchObject({ mirrorState: 'broken', outOfSyncBytes: 13 * 4096, peer: { color: 'GRAY' } });
    expect(pair.a.status().local.breakTime).not.toBeNull();
    pair.proxy?.heal();
    const done = await pair.aLog.next('recovery-completed', { from });
    expect(done).toMatchObject({ kind: 'differential', bytes: 13 * 4096, regions: 2 });
    await normal(pair);
    expect(pair.b.status().counters.lastRecovery).toMatchObject({ kind: 'differential', bytes: 13 * 4096 });
    await c.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
    expect(pair.a.status().local.breakTime).toBeNull();
  });

  for (const [mode, n] of [
    ['drop', 50],
    ['pause', 55],
  ] as const) {
    it(`completes writes locally when the link goes silent (${mode}, ack timeout), then recovers them`, async () => {
      pair = await openPair({ dir, net: NET, n, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
      await normal(pair);
      await pair.a.promote();
      const c = await client(pair);
      const from = pair.aLog.length;
      pair.proxy?.cut(mode);
      await writeBlocks(c, 200, 8, 8, 0x33); // these wait for the ack timeout, then complete locally
      const down = await pair.aLog.next('disconnected', { from });
      expect(down.reason).toMatch(/ack timeout|ping/);
      expect(pair.a.status().counters.localOnlyWrites).toBe(8);
      await writeBlocks(c, 300, 4, 4, 0x34);
      pair.proxy?.heal(); // a paused link now delivers stale frames to whoever still listens: harmless
      const done = await pair.aLog.next('recovery-completed', { from, timeoutMs: 15_000 });
      expect(done.bytes).toBe(12 * 4096);
      await normal(pair);
      await c.flush();
      expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
    });
  }

  it('detects split brain, refuses it, and a forced recovery from the chosen side makes them identical', async () => {
    pair = await openPair({ dir, net: NET, n: 60, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
    await normal(pair);
    await pair.a.promote();
    const ca = await client(pair);
    await writeBlocks(ca, 0, 4);
    pair.proxy?.cut('reset');
    await pair.bLog.next('disconnected');
    await pair.b.promote(); // failover with the link down: allowed, the standby was up to date
    const cb = await NbdTestClient.connect(pair.layout.b.nbdSocketPath);
    extra.push({ close: async () => cb.destroy() });
    await writeBlocks(ca, 500, 5, 2, 0x44);
    await writeBlocks(cb, 900, 7, 2, 0x55);
    const fromA = pair.aLog.length;
    pair.proxy?.heal();
    const sb = await pair.aLog.next('split-brain', { from: fromA });
    expect(sb.message).toMatch(/forceRecover/);
    await pair.bLog.next('split-brain');
    expect(pair.a.status()).toMatchObject({ mirrorState: 'split-brain', local: { color: 'RED' } });
    expect(pair.b.status().local.diskState).toBe('split-brain');

    cb.destroy();
    await pair.b.demote();
    await waitFor(() => pair?.a.status().peer.role === 'secondary', 'srv1 sees srv2 demoted');
    await expect(pair.b.promote()).rejects.toMatchObject({ code: 'SPLIT_BRAIN' });
    await expect(pair.b.recover()).rejects.toMatchObject({ code: 'SPLIT_BRAIN' });
    await pair.a.forceRecover('local'); // keep srv1's data
    const done = await pair.aLog.next('recovery-completed', { from: fromA, timeoutMs: 15_000 });
    expect(done.kind).toBe('differential'); // both bitmaps share the parent generation
    expect(done.bytes).toBe(12 * 4096); // srv1's 5 blocks plus srv2's 7
    await normal(pair);
    await ca.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
    expect(pair.b.status().local).toMatchObject({ color: 'GREEN', diskState: 'uptodate' });
  });

  it('a stale side refuses to promote without force; with force it does', async () => {
    pair = await openPair({ dir, net: NET, n: 70, sizeBytes: SIZE, proxy: true, params: { initialCopy: false, autoRecovery: false } });
    await normal(pair);
    await pair.a.promote();
    const c = await client(pair);
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected');
    await writeBlocks(c, 10, 3);
    pair.proxy?.heal();
    const pending = await pair.bLog.next('recovery-pending');
    expect(pending).toMatchObject({ kind: 'differential', source: 'srv1', target: 'srv2' });
    expect(pair.b.status()).toMatchObject({ mirrorState: 'recovery-pending', local: { color: 'RED', diskState: 'outdated' } });
    await waitFor(() => pair?.a.status().peer.color === 'RED', 'srv1 sees srv2 RED');
    c.destroy();
    await pair.a.demote();
    await waitFor(() => pair?.b.status().peer.role === 'secondary', 'srv2 sees srv1 demoted');
    const refused = await pair.b.promote().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MirrorError);
    expect(refused).toMatchObject({ code: 'STALE' });
    expect((refused as MirrorError).message).toMatch(/recover/);
    expect(pair.bLog.of('stale-refused')).toHaveLength(1);
    await pair.b.promote({ force: true });
    expect(pair.b.status()).toMatchObject({ exporting: true, local: { role: 'primary' } });
  });

  it('recovers on demand when auto recovery is off', async () => {
    pair = await openPair({ dir, net: NET, n: 80, sizeBytes: SIZE, proxy: true, params: { initialCopy: false, autoRecovery: false } });
    await normal(pair);
    await pair.a.promote();
    const c = await client(pair);
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected');
    await writeBlocks(c, 40, 5);
    pair.proxy?.heal();
    await pair.bLog.next('recovery-pending');
    await pair.b.recover(); // asked on the target: the source starts
    const done = await pair.aLog.next('recovery-completed');
    expect(done.bytes).toBe(5 * 4096);
    await normal(pair);
  });

  it('breakMirror isolates the standby until recover()', async () => {
    pair = await openPair({ dir, net: NET, n: 90, sizeBytes: SIZE, params: { initialCopy: false } });
    await normal(pair);
    await pair.a.promote();
    await expect(pair.a.breakMirror()).rejects.toMatchObject({ code: 'IS_PRIMARY' });
    await pair.b.breakMirror();
    expect(pair.b.status()).toMatchObject({ mirrorState: 'isolated', connection: 'standalone', local: { color: 'RED' } });
    await pair.aLog.next('disconnected');
    const c = await client(pair);
    await writeBlocks(c, 7, 2);
    await new Promise((r) => setTimeout(r, 400)); // the dialer must not get back in while isolated
    expect(pair.b.status().connection).toBe('standalone');
    await pair.b.recover();
    await pair.bLog.next('recovery-completed');
    await normal(pair);
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('refuses a peer with the wrong cluster key, and survives garbage on the MDC port', async () => {
    const layout = pairLayout(dir, NET, 100, false);
    const aLog = new EventLog();
    const bLog = new EventLog();
    const a = await MirrorDisk.open(optionsFor(layout, 'a', { sizeBytes: SIZE, onEvent: aLog.push }));
    extra.push(a);
    const b = await MirrorDisk.open(optionsFor(layout, 'b', { sizeBytes: SIZE, onEvent: bLog.push, key: Buffer.from('another-key-entirely-0123456789') }));
    extra.push(b);
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

  it('rate-limits recovery, reports progress, and resumes an interrupted recovery after reconnecting', async () => {
    const layout = pairLayout(dir, NET, 130, true);
    await randomFile(layout.a.dataPath, SIZE);
    pair = await openPair({ dir, net: NET, n: 130, sizeBytes: SIZE, proxy: true, params: { recoveryMaxRateBytesPerSec: 8 * MiB } });
    await pair.bLog.next('recovery-started');
    await waitFor(() => (pair?.b.status().recovery?.doneBytes ?? 0) > 2 * MiB, 'some progress');
    const mid = pair.b.status();
    expect(mid).toMatchObject({ mirrorState: 'recovering', local: { color: 'YELLOW', diskState: 'inconsistent' } });
    expect(mid.recovery).toMatchObject({ kind: 'full', direction: 'receive', source: 'srv1', target: 'srv2', totalBytes: SIZE });
    expect(mid.recovery?.progress).toBeGreaterThan(0);
    expect(mid.recovery?.progress).toBeLessThan(1);
    expect(mid.recovery?.rateBytesPerSec).toBeGreaterThan(0);
    expect(mid.recovery?.rateBytesPerSec).toBeLessThan(12 * MiB); // the 8 MiB/s cap, with slack for bursts
    expect(mid.recovery?.remainingMs).not.toBeNull();
    expect(pair.a.status().peer.color).toBe('YELLOW');
    await expect(pair.b.promote()).rejects.toMatchObject({ code: 'STALE' }); // inconsistent while recovering

    pair.proxy?.cut('reset');
    const failed = await pair.aLog.next('recovery-failed');
    expect(failed.direction).toBe('send');
    await pair.bLog.next('recovery-failed');
    expect(pair.b.status().local).toMatchObject({ color: 'RED', diskState: 'inconsistent' });
    const sent = pair.a.status().counters.recoveryBytesSent;
    const from = pair.aLog.length;
    pair.proxy?.heal();
    const resumed = await pair.aLog.next('recovery-started', { from });
    expect(resumed.kind).toBe('differential');
    expect(resumed.bytes).toBe(SIZE - sent); // only what the first attempt did not finish
    await pair.aLog.next('recovery-completed', { from, timeoutMs: 15_000 });
    await normal(pair);
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('throttles recovery to the minimum rate while the application writes', async () => {
    pair = await openPair({
      dir,
      net: NET,
      n: 140,
      sizeBytes: SIZE,
      proxy: true,
      params: { initialCopy: false, recoveryMaxRateBytesPerSec: 0, recoveryMinRateBytesPerSec: 1 * MiB },
    });
    await normal(pair);
    await pair.a.promote();
    const c = await client(pair);
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected');
    await writeBlocks(c, 0, 1024, 32); // 4 MiB dirty
    let writing = true;
    const app = (async () => {
      for (let i = 0; writing; i += 1) {
        await c.write((2048 + (i % 256)) * 4096, Buffer.alloc(4096, i & 0xff));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    pair.proxy?.heal();
    await pair.aLog.next('recovery-started');
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const done = pair.a.status().recovery?.doneBytes ?? 0;
    const elapsed = (performance.now() - t0) / 1000;
    // At 1 MiB/s plus a 100 ms burst and one chunk, whatever the machine's speed.
    expect(done).toBeLessThanOrEqual((elapsed + 0.2) * MiB + 256 * 1024);
    writing = false;
    await app;
    await pair.aLog.next('recovery-completed', { timeoutMs: 15_000 }); // full speed once the writes stop
    await normal(pair);
    await c.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('persists write intent before writing, then retires idle regions and caps the active set', async () => {
    pair = await openPair({
      dir,
      net: NET,
      n: 120,
      sizeBytes: SIZE,
      params: { initialCopy: false, checkpointIntervalMs: 100 },
      paramsA: { writeIntentIdleMs: 60_000, maxActiveRegions: 2 },
    });
    await normal(pair);
    await pair.a.promote();
    const c = await client(pair);
    for (let r = 0; r < 6; r += 1) await c.write(r * 256 * 1024, Buffer.alloc(4096, r)); // six 256 KiB regions
    expect(pair.a.status().counters.writeIntentActivations).toBe(6);
    await waitFor(() => pair?.a.status().activeRegions === 2, 'active set capped at 2');
    await c.write(5 * 256 * 1024 + 8192, Buffer.alloc(4096, 9)); // the most recent region is still active
    expect(pair.a.status().counters.writeIntentActivations).toBe(6);
  });

  it('a never-constructed side alone refuses to promote without force', async () => {
    const layout = pairLayout(dir, NET, 110, false);
    const log = new EventLog();
    const a = await MirrorDisk.open(optionsFor(layout, 'a', { sizeBytes: SIZE, onEvent: log.push }));
    extra.push(a);
    expect(a.status()).toMatchObject({ mirrorState: 'no-construction', local: { color: 'RED', diskState: 'no-construction' }, peer: { color: 'GRAY' } });
    await expect(a.promote()).rejects.toMatchObject({ code: 'NOT_CONSTRUCTED' });
    await a.promote({ force: true });
    expect(a.status().local).toMatchObject({ color: 'GREEN', role: 'primary' });
    // The peer appears later with a new disk: a full copy from srv1.
    const bLog = new EventLog();
    const b = await MirrorDisk.open(optionsFor(layout, 'b', { sizeBytes: SIZE, onEvent: bLog.push }));
    extra.push(b);
    const done = await bLog.next('recovery-completed');
    expect(done).toMatchObject({ kind: 'full', bytes: SIZE });
    await a.close();
    await a.close(); // idempotent
    await expect(a.promote()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
