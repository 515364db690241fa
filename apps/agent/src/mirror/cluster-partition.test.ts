import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bitmap } from './bitmap.js';
import { ClusterPartition, SbFlag, computeLayout, decodeSuperblock, encodeSuperblock } from './cluster-partition.js';
import { MirrorError } from './errors.js';
import { makeTempDir } from './testing/harness.js';

const MiB = 1024 * 1024;
let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('cp');
});
afterEach(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const base = (file: string) => ({
  path: path.join(dir, file),
  dataSize: 64 * MiB,
  regionBytes: 4 * MiB,
  resourceName: 'md1',
  serverName: 'srv1',
  allowCreate: true,
  now: 1_700_000_000_000,
});

describe('cluster partition', () => {
  it('lays out two superblock slots, the write-intent and the out-of-sync bitmaps', () => {
    const l = computeLayout(1024 * MiB, 4 * MiB);
    expect(l).toMatchObject({ wiOffset: 8192, wiBytes: 4096, oosOffset: 12288, oosBytes: 32768, regions: 256, blocks: 262144 });
  });

  it('creates a just-created superblock, then reads back the newest valid slot', async () => {
    const first = await ClusterPartition.open(base('a.cp'));
    expect(first.created).toBe(true);
    expect(first.superblock.current).toBe(0n);
    const sb = { ...first.superblock, current: 0x1234n, bitmap: 0x99n, history: [0x77n], flags: SbFlag.PRIMARY, breakTime: 5 };
    await first.partition.writeSuperblock(sb);
    await first.partition.writeSuperblock({ ...sb, current: 0x5678n });
    await first.partition.close();

    const again = await ClusterPartition.open(base('a.cp'));
    expect(again.created).toBe(false);
    expect(again.superblock).toMatchObject({ current: 0x5678n, bitmap: 0x99n, history: [0x77n], flags: SbFlag.PRIMARY, breakTime: 5, seq: 3 });
    await again.partition.close();
  });

  it('falls back to the other slot when the newest one is torn', async () => {
    const first = await ClusterPartition.open(base('b.cp'));
    await first.partition.writeSuperblock({ ...first.superblock, current: 0xaaan }); // seq 2 → slot 0
    await first.partition.writeSuperblock({ ...first.superblock, current: 0xbbbn }); // seq 3 → slot 1
    await first.partition.close();
    const fh = await fsp.open(path.join(dir, 'b.cp'), 'r+');
    await fh.write(Buffer.from('garbage!'), 0, 8, 4096 + 100); // corrupt slot 1
    await fh.close();
    const again = await ClusterPartition.open(base('b.cp'));
    expect(again.superblock.current).toBe(0xaaan);
    await again.partition.close();
  });

  it('persists bitmap pages', async () => {
    const { partition } = await ClusterPartition.open(base('c.cp'));
    const oos = new Bitmap(partition.layout.blocks);
    oos.setRange(100, 200);
    oos.set(16_000);
    await partition.writeBitmapPages('oos', oos, oos.takeDirtyPages());
    const wi = new Bitmap(partition.layout.regions);
    wi.set(3);
    await partition.writeBitmapPages('wi', wi, wi.takeDirtyPages());
    await partition.close();
    const { partition: p2 } = await ClusterPartition.open(base('c.cp'));
    expect(new Bitmap(p2.layout.blocks, await p2.readBitmap('oos')).count).toBe(101);
    expect(new Bitmap(p2.layout.regions, await p2.readBitmap('wi')).get(3)).toBe(true);
    await p2.close();
  });

  it('rejects a partition of another resource or size', async () => {
    const { partition } = await ClusterPartition.open(base('d.cp'));
    await partition.close();
    await expect(ClusterPartition.open({ ...base('d.cp'), resourceName: 'md2' })).rejects.toBeInstanceOf(MirrorError);
    await expect(ClusterPartition.open({ ...base('d.cp'), dataSize: 32 * MiB })).rejects.toThrow(/data partition/);
  });

  it('encodes and checks the superblock checksum', () => {
    const layout = computeLayout(64 * MiB, 4 * MiB);
    const sb = {
      seq: 9,
      flags: SbFlag.OUTDATED,
      blockBytes: 4096,
      regionBytes: 4 * MiB,
      sizeBytes: 64 * MiB,
      current: 1n,
      bitmap: 2n,
      history: [3n, 4n],
      lastUpdateTime: 10,
      breakTime: null,
      createdTime: 11,
      resourceName: 'md1',
      serverName: 'srv2',
    };
    const buf = encodeSuperblock(sb, layout);
    expect(decodeSuperblock(buf)).toEqual(sb);
    buf[200] = (buf[200] ?? 0) ^ 1;
    expect(decodeSuperblock(buf)).toBeNull();
  });
});
