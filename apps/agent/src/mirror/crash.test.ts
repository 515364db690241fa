/**
 * Real crashes: each mirror node runs in its own process (standalone.ts) and is killed with SIGKILL in the
 * middle of a stream of writes. After the restart, recovery must copy only the dirty regions (asserted from
 * the counters), bring back a crashed primary's in-flight regions, lose no acknowledged write and leave
 * both data partitions identical. Loopback 127.0.5.x.
 */
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MiB, type PairLayout, filesIdentical, makeTempDir, pairLayout, standaloneConfig, waitFor } from './testing/harness.js';
import { MirrorProcess } from './testing/mirror-process.js';
import { NbdTestClient } from './testing/nbd-test-client.js';
import type { MirrorParams } from './types.js';

const SIZE = 16 * MiB;
const REGION = 256 * 1024;
const PARAMS: Partial<MirrorParams> = { initialCopy: false, regionBytes: REGION };
let dir: string;
const procs: MirrorProcess[] = [];
const clients: NbdTestClient[] = [];

beforeEach(async () => {
  dir = await makeTempDir('crash');
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(procs.splice(0).map((p) => p.kill9()));
  await fsp.rm(dir, { recursive: true, force: true });
});

async function start(layout: PairLayout, which: 'a' | 'b'): Promise<MirrorProcess> {
  const p = await MirrorProcess.start(standaloneConfig(layout, which, SIZE, PARAMS));
  procs.push(p);
  return p;
}

async function startPair(layout: PairLayout): Promise<[MirrorProcess, MirrorProcess]> {
  const [a, b] = await Promise.all([start(layout, 'a'), start(layout, 'b')]);
  await waitFor(async () => (await a.status()).mirrorState === 'normal', 'mirror normal', 15_000, 50);
  return [a, b];
}

/** A stream of writes to distinct blocks, recording the ones acknowledged. */
class Writer {
  readonly acked = new Map<number, Buffer>();
  private stopped = false;
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly client: NbdTestClient,
    private readonly blocks: number[],
    depth: number,
  ) {
    let next = 0;
    for (let w = 0; w < depth; w += 1) {
      this.running.push(
        (async () => {
          while (!this.stopped && next < this.blocks.length) {
            const block = this.blocks[next++] ?? 0;
            const data = randomBytes(4096);
            try {
              await this.client.write(block * 4096, data);
              this.acked.set(block, data);
            } catch {
              return; // the server died: this write may or may not have landed
            }
          }
        })(),
      );
    }
  }

  async done(): Promise<void> {
    await Promise.all(this.running);
  }

  stop(): void {
    this.stopped = true;
  }
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/** Every acknowledged block holds what was written, on both data partitions. */
async function assertAckedPresent(layout: PairLayout, acked: Map<number, Buffer>): Promise<void> {
  for (const file of [layout.a.dataPath, layout.b.dataPath]) {
    const fh = await fsp.open(file, 'r');
    try {
      const buf = Buffer.alloc(4096);
      for (const [block, data] of acked) {
        await fh.read(buf, 0, 4096, block * 4096);
        if (!buf.equals(data)) throw new Error(`${file}: acknowledged write to block ${block} is lost`);
      }
    } finally {
      await fh.close();
    }
  }
}

describe('kill -9 of a mirror node during writes', { timeout: 45_000 }, () => {
  it('a crashed primary restarts, its write-intent regions are recovered, no acknowledged write is lost', async () => {
    const layout = pairLayout(dir, '127.0.5', 10, false);
    const pair = await startPair(layout);
    let a = pair[0];
    const b = pair[1];
    expect((await a.command('promote')).ok).toBe(true);
    const c = await NbdTestClient.connect(layout.a.nbdSocketPath);
    clients.push(c);
    // Writes only in the first 2 MiB: 8 regions of 256 KiB.
    const writer = new Writer(c, range(0, 512).sort(() => Math.random() - 0.5), 16);
    await waitFor(() => writer.acked.size >= 150, '150 acknowledged writes');
    await a.kill9();
    writer.stop();
    await writer.done();
    await waitFor(async () => (await b.status()).connection !== 'connected', 'srv2 notices');
    expect((await b.status()).local.color).toBe('GREEN'); // it was in sync when srv1 died

    a = await start(layout, 'a');
    const opened = await a.log.next('opened');
    expect(opened.crashedPrimary).toBe(true);
    expect(opened.dirtyBytes).toBeGreaterThan(0);
    expect(opened.dirtyBytes).toBeLessThanOrEqual(2 * MiB);
    const done = await a.log.next('recovery-completed', { timeoutMs: 15_000 });
    expect(done).toMatchObject({ kind: 'differential', direction: 'send' });
    expect(done.bytes).toBe(opened.dirtyBytes);
    expect(done.regions).toBeGreaterThan(0);
    expect(done.regions).toBeLessThanOrEqual(8);
    await waitFor(async () => (await b.status()).mirrorState === 'normal', 'normal again');
    expect((await b.status()).counters.lastRecovery?.bytes).toBe(done.bytes);
    await Promise.all([a.stop(), b.stop()]);
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);
    await assertAckedPresent(layout, writer.acked);
  });

  it('after a primary crash the standby takes over; the old primary comes back as target, its in-flight regions overwritten', async () => {
    const layout = pairLayout(dir, '127.0.5', 20, false);
    const pair = await startPair(layout);
    let a = pair[0];
    const b = pair[1];
    await a.command('promote');
    const ca = await NbdTestClient.connect(layout.a.nbdSocketPath);
    clients.push(ca);
    const w1 = new Writer(ca, range(0, 256), 16); // first MiB: 4 regions
    await waitFor(() => w1.acked.size >= 100, 'writes on srv1');
    await a.kill9();
    w1.stop();
    await w1.done();
    await waitFor(async () => (await b.status()).connection !== 'connected', 'srv2 notices');
    expect((await b.command('promote')).ok).toBe(true); // failover: no force needed, srv2 was in sync
    const cb = await NbdTestClient.connect(layout.b.nbdSocketPath);
    clients.push(cb);
    const w2 = new Writer(cb, range(2048, 20), 4); // 20 blocks in region 32
    await w2.done();
    const bDirty = (await b.status()).outOfSyncBytes;
    expect(bDirty).toBe(20 * 4096);

    a = await start(layout, 'a');
    const opened = await a.log.next('opened');
    expect(opened.crashedPrimary).toBe(true);
    const done = await b.log.next('recovery-completed', { timeoutMs: 15_000 });
    expect(done).toMatchObject({ kind: 'differential', direction: 'send' }); // srv2 is the source
    // srv2's own 20 blocks plus srv1's write-intent regions (at most the first MiB), nothing else.
    expect(done.bytes).toBe(bDirty + opened.dirtyBytes);
    expect(done.bytes).toBeLessThanOrEqual(bDirty + 1 * MiB);
    await waitFor(async () => (await a.status()).mirrorState === 'normal', 'normal again');
    expect((await a.status()).local).toMatchObject({ color: 'GREEN', role: 'secondary' });
    await cb.flush();
    await Promise.all([a.stop(), b.stop()]);
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);
    await assertAckedPresent(layout, w1.acked);
    await assertAckedPresent(layout, w2.acked);
  });

  it('a crashed standby restarts and receives exactly the blocks it missed', async () => {
    const layout = pairLayout(dir, '127.0.5', 30, false);
    const pair = await startPair(layout);
    const a = pair[0];
    let b = pair[1];
    await a.command('promote');
    const c = await NbdTestClient.connect(layout.a.nbdSocketPath);
    clients.push(c);
    const w1 = new Writer(c, range(1024, 512), 16);
    await waitFor(() => w1.acked.size >= 100, 'writes');
    await b.kill9();
    await w1.done(); // the primary completes the rest on its own
    expect(w1.acked.size).toBe(512);
    const w2 = new Writer(c, range(3000, 30), 4);
    await w2.done();
    const st = await a.status();
    expect(st.mirrorState).toBe('broken');
    expect(st.local.color).toBe('GREEN');
    const dirty = st.outOfSyncBytes;
    expect(dirty).toBeGreaterThanOrEqual(30 * 4096);
    expect(dirty).toBeLessThanOrEqual((512 + 30) * 4096);

    b = await start(layout, 'b');
    expect((await b.log.next('opened')).crashedPrimary).toBe(false);
    const done = await a.log.next('recovery-completed', { timeoutMs: 15_000 });
    expect(done).toMatchObject({ kind: 'differential', bytes: dirty });
    await waitFor(async () => (await b.status()).mirrorState === 'normal', 'normal again');
    await c.flush();
    await Promise.all([a.stop(), b.stop()]);
    expect(await filesIdentical(layout.a.dataPath, layout.b.dataPath)).toBe(true);
    await assertAckedPresent(layout, w1.acked);
    await assertAckedPresent(layout, w2.acked);
  });
});
