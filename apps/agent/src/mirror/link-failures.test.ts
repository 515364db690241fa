/**
 * Link failures between two in-process mirror disks, through a TCP proxy that resets, drops or pauses the
 * mirror disk connect: differential recovery, split brain, stale promotion, rate control, resuming an
 * interrupted recovery. Each test gets its own loopback addresses in 127.0.4.0/24.
 */
import { describe, expect, it } from 'vitest';
import { MirrorError } from './errors.js';
import { MiB, type Pair, usePairFixture, bothNormal, filesIdentical, pairLayout, randomFile, waitFor, writeBlocks } from './testing/harness.js';
import { NbdTestClient } from './testing/nbd-test-client.js';

const NET = '127.0.4';
const SIZE = 16 * MiB;
const fx = usePairFixture('md');
let pair: Pair | null = null;

describe('MirrorDisk pair: link failures', { timeout: 20_000 }, () => {
  it('recovers only the blocks written while the link was cut (reset), then is identical', async () => {
    pair = await fx.openPair({ net: NET, n: 40, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
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
    await bothNormal(pair);
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
      pair = await fx.openPair({ net: NET, n, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
      await bothNormal(pair);
      await pair.a.promote();
      const c = await fx.client();
      const from = pair.aLog.length;
      pair.proxy?.cut(mode);
      await writeBlocks(c, 200, 8, 8, 0x33); // these wait for the ack timeout, then complete locally
      const down = await pair.aLog.next('disconnected', { from });
      // Whichever side's timer fires first: srv1's ack or ping timeout, or srv2's ping timeout (srv1 then
      // sees the proxy close the connection).
      expect(down.reason).toMatch(/ack timeout|ping|closed/);
      expect(pair.a.status().counters.localOnlyWrites).toBe(8);
      await writeBlocks(c, 300, 4, 4, 0x34);
      pair.proxy?.heal(); // a paused link now delivers stale frames to whoever still listens: harmless
      const done = await pair.aLog.next('recovery-completed', { from, timeoutMs: 15_000 });
      expect(done.bytes).toBe(12 * 4096);
      await bothNormal(pair);
      await c.flush();
      expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
    });
  }

  it('detects split brain, refuses it, and a forced recovery from the chosen side makes them identical', async () => {
    pair = await fx.openPair({ net: NET, n: 60, sizeBytes: SIZE, proxy: true, params: { initialCopy: false } });
    await bothNormal(pair);
    await pair.a.promote();
    const ca = await fx.client();
    await writeBlocks(ca, 0, 4);
    pair.proxy?.cut('reset');
    await pair.bLog.next('disconnected');
    await pair.b.promote(); // failover with the link down: allowed, the standby was up to date
    const cb = await NbdTestClient.connect(pair.layout.b.nbdSocketPath);
    fx.track({ close: () => cb.destroy() });
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
    await bothNormal(pair);
    await ca.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
    expect(pair.b.status().local).toMatchObject({ color: 'GREEN', diskState: 'uptodate' });
  });

  it('a stale side refuses to promote without force; with force it does', async () => {
    pair = await fx.openPair({ net: NET, n: 70, sizeBytes: SIZE, proxy: true, params: { initialCopy: false, autoRecovery: false } });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
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

  it('the primary going on alone outdates the standby over the other channel first: the standby refuses to promote', async () => {
    pair = await fx.openPair({ net: NET, n: 75, sizeBytes: SIZE, proxy: true, params: { initialCopy: false }, outdatePeerA: () => pair!.b.markOutdated() });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected');
    await writeBlocks(c, 10, 3); // acknowledged only after the standby confirmed it is outdated
    expect(pair.aLog.of('peer-outdated')).toEqual([expect.objectContaining({ confirmed: true })]);
    expect(pair.bLog.of('outdated-by-peer')).toHaveLength(1);
    expect(pair.b.status().local.diskState).toBe('outdated');
    c.destroy();
    await pair.a.demote(); // as if the active died: the standby's copy lacks those writes and must say so
    const refused = await pair.b.promote().catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'STALE' });
    pair.proxy?.heal();
    await pair.bLog.next('recovery-completed', { timeoutMs: 15_000 });
    await bothNormal(pair);
    await pair.b.promote();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('recovers on demand when auto recovery is off', async () => {
    pair = await fx.openPair({ net: NET, n: 80, sizeBytes: SIZE, proxy: true, params: { initialCopy: false, autoRecovery: false } });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
    pair.proxy?.cut('reset');
    await pair.aLog.next('disconnected');
    await writeBlocks(c, 40, 5);
    pair.proxy?.heal();
    await pair.bLog.next('recovery-pending');
    await pair.b.recover(); // asked on the target: the source starts
    const done = await pair.aLog.next('recovery-completed');
    expect(done.bytes).toBe(5 * 4096);
    await bothNormal(pair);
  });

  it('rate-limits recovery, reports progress, and resumes an interrupted recovery after reconnecting', async () => {
    const layout = pairLayout(fx.dir, NET, 130, true);
    await randomFile(layout.a.dataPath, SIZE);
    pair = await fx.openPair({ net: NET, n: 130, sizeBytes: SIZE, proxy: true, params: { recoveryMaxRateBytesPerSec: 8 * MiB } });
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
    await bothNormal(pair);
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

  it('throttles recovery to the minimum rate while the application writes', async () => {
    pair = await fx.openPair({
      net: NET,
      n: 140,
      sizeBytes: SIZE,
      proxy: true,
      params: { initialCopy: false, recoveryMaxRateBytesPerSec: 0, recoveryMinRateBytesPerSec: 1 * MiB },
    });
    await bothNormal(pair);
    await pair.a.promote();
    const c = await fx.client();
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
    await bothNormal(pair);
    await c.flush();
    expect(await filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath)).toBe(true);
  });

});
