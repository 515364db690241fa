/**
 * The cluster partition: a small file or device beside the data partition that holds the mirror's
 * management data (CLUSTERPRO's "cluster partition", DRBD's external meta data).
 *
 *   offset 0      superblock slot 0 (4 KiB)
 *   offset 4096   superblock slot 1 (4 KiB)
 *   offset 8192   write-intent bitmap, 1 bit per region (default 4 MiB), whole 4 KiB pages
 *   then          out-of-sync bitmap, 1 bit per 4 KiB block, whole 4 KiB pages
 *
 * The superblock is written alternately to the two slots with a sequence number and a CRC32C, so a torn
 * write leaves the previous slot valid. Every superblock and write-intent write ends with fdatasync; they
 * are rare (state changes, the first write to a clean region). The out-of-sync bitmap is checkpointed.
 */
import { Bitmap } from './bitmap.js';
import { BlockFile } from './block-file.js';
import { crc32c } from './crc32c.js';
import { MirrorError } from './errors.js';

export const BLOCK_BYTES = 4096;
const SLOT_BYTES = 4096;
const MAGIC = Buffer.from('KUMOMDCP', 'ascii');
const VERSION = 1;
const HISTORY_SLOTS = 4;
const NAME_BYTES = 64;

/** Persistent state flags. */
export const SbFlag = {
  /** Set while this server is primary: found set at open, the last run crashed while active. */
  PRIMARY: 1 << 0,
  /** The last run crashed while primary; its write-intent regions were merged into the out-of-sync bitmap. */
  CRASHED_PRIMARY: 1 << 1,
  /** A resync into this side started and has not finished: the data is not usable as it is. */
  INCONSISTENT: 1 << 2,
  /** This side is known to lack writes the peer has. */
  OUTDATED: 1 << 3,
  /** Both sides changed while apart; cleared only by a forced recovery. */
  SPLIT_BRAIN: 1 << 4,
  /** The operator chose this side as the latest (clpmdctrl -f): it is the source at the next connect. */
  FORCE_SOURCE: 1 << 5,
  /** The operator chose the peer as the latest: this side is the target at the next connect. */
  DISCARD_MY_DATA: 1 << 6,
  /** Cut off by breakMirror(): no connection until recover(). */
  ISOLATED: 1 << 7,
} as const;

export interface Superblock {
  seq: number;
  flags: number;
  blockBytes: number;
  regionBytes: number;
  sizeBytes: number;
  /** Generation UUIDs; 0n means "none" (current 0n: just created, the initial construction never ran). */
  current: bigint;
  bitmap: bigint;
  history: bigint[];
  lastUpdateTime: number | null;
  breakTime: number | null;
  createdTime: number;
  resourceName: string;
  serverName: string;
}

export interface Layout {
  wiOffset: number;
  wiBytes: number;
  oosOffset: number;
  oosBytes: number;
  totalBytes: number;
  regions: number;
  blocks: number;
}

export function computeLayout(sizeBytes: number, regionBytes: number): Layout {
  const regions = Math.ceil(sizeBytes / regionBytes);
  const blocks = Math.ceil(sizeBytes / BLOCK_BYTES);
  const wiOffset = 2 * SLOT_BYTES;
  const wiBytes = Bitmap.byteLengthFor(regions);
  const oosOffset = wiOffset + wiBytes;
  const oosBytes = Bitmap.byteLengthFor(blocks);
  return { wiOffset, wiBytes, oosOffset, oosBytes, totalBytes: oosOffset + oosBytes, regions, blocks };
}

export function encodeSuperblock(sb: Superblock, layout: Layout): Buffer {
  const b = Buffer.alloc(SLOT_BYTES);
  MAGIC.copy(b, 0);
  b.writeUInt32BE(VERSION, 8);
  b.writeBigUInt64BE(BigInt(sb.seq), 16);
  b.writeUInt32BE(sb.flags >>> 0, 24);
  b.writeUInt32BE(sb.blockBytes, 28);
  b.writeUInt32BE(sb.regionBytes, 32);
  b.writeBigUInt64BE(BigInt(sb.sizeBytes), 40);
  b.writeBigUInt64BE(sb.current, 48);
  b.writeBigUInt64BE(sb.bitmap, 56);
  for (let i = 0; i < HISTORY_SLOTS; i += 1) b.writeBigUInt64BE(sb.history[i] ?? 0n, 64 + 8 * i);
  b.writeBigUInt64BE(BigInt(sb.lastUpdateTime ?? 0), 96);
  b.writeBigUInt64BE(BigInt(sb.breakTime ?? 0), 104);
  b.writeBigUInt64BE(BigInt(sb.createdTime), 112);
  b.writeBigUInt64BE(BigInt(layout.wiOffset), 120);
  b.writeBigUInt64BE(BigInt(layout.wiBytes), 128);
  b.writeBigUInt64BE(BigInt(layout.oosOffset), 136);
  b.writeBigUInt64BE(BigInt(layout.oosBytes), 144);
  writeName(b, 152, sb.resourceName);
  writeName(b, 152 + NAME_BYTES, sb.serverName);
  b.writeUInt32BE(crc32c(b), 12);
  return b;
}

/** Returns null for a slot that is empty, foreign or fails its checksum. */
export function decodeSuperblock(b: Buffer): Superblock | null {
  if (b.length < SLOT_BYTES || !b.subarray(0, 8).equals(MAGIC) || b.readUInt32BE(8) !== VERSION) return null;
  const stored = b.readUInt32BE(12);
  const copy = Buffer.from(b.subarray(0, SLOT_BYTES));
  copy.writeUInt32BE(0, 12);
  if (crc32c(copy) !== stored) return null;
  const history: bigint[] = [];
  for (let i = 0; i < HISTORY_SLOTS; i += 1) {
    const h = b.readBigUInt64BE(64 + 8 * i);
    if (h !== 0n) history.push(h);
  }
  const time = (off: number): number | null => {
    const v = Number(b.readBigUInt64BE(off));
    return v === 0 ? null : v;
  };
  return {
    seq: Number(b.readBigUInt64BE(16)),
    flags: b.readUInt32BE(24),
    blockBytes: b.readUInt32BE(28),
    regionBytes: b.readUInt32BE(32),
    sizeBytes: Number(b.readBigUInt64BE(40)),
    current: b.readBigUInt64BE(48),
    bitmap: b.readBigUInt64BE(56),
    history,
    lastUpdateTime: time(96),
    breakTime: time(104),
    createdTime: Number(b.readBigUInt64BE(112)),
    resourceName: readName(b, 152),
    serverName: readName(b, 152 + NAME_BYTES),
  };
}

export interface OpenedClusterPartition {
  partition: ClusterPartition;
  superblock: Superblock;
  /** True when no valid superblock existed: the mirror on this side is "just created". */
  created: boolean;
  /** True when the partition held data that was not a valid superblock (a foreign or damaged partition). */
  reinitialised: boolean;
}

export class ClusterPartition {
  readonly layout: Layout;
  private readonly file: BlockFile;
  private sbChain: Promise<void> = Promise.resolve();
  private seq: number;

  private constructor(file: BlockFile, layout: Layout, seq: number) {
    this.file = file;
    this.layout = layout;
    this.seq = seq;
  }

  get path(): string {
    return this.file.path;
  }

  static async open(opts: {
    path: string;
    dataSize: number;
    regionBytes: number;
    resourceName: string;
    serverName: string;
    allowCreate: boolean;
    now: number;
  }): Promise<OpenedClusterPartition> {
    const wanted = computeLayout(opts.dataSize, opts.regionBytes);
    const file = await BlockFile.open(
      opts.path,
      opts.allowCreate ? { createSize: wanted.totalBytes, minSize: wanted.totalBytes } : { minSize: wanted.totalBytes },
    );
    try {
      const head = Buffer.alloc(2 * SLOT_BYTES);
      await file.read(0, head);
      const slots = [decodeSuperblock(head.subarray(0, SLOT_BYTES)), decodeSuperblock(head.subarray(SLOT_BYTES))];
      const valid = slots.filter((s): s is Superblock => s !== null);
      const best = valid.sort((a, b) => b.seq - a.seq)[0];
      if (best) {
        if (best.sizeBytes !== opts.dataSize) {
          throw new MirrorError(
            'BAD_CONFIG',
            `${opts.path} describes a ${best.sizeBytes}-byte data partition but the data partition has ${opts.dataSize} bytes; ` +
              're-create the cluster partition (the next connect then runs a full copy)',
          );
        }
        if (best.resourceName !== opts.resourceName || best.serverName !== opts.serverName) {
          throw new MirrorError(
            'BAD_CONFIG',
            `${opts.path} belongs to ${best.resourceName} on ${best.serverName}, not ${opts.resourceName} on ${opts.serverName}; check the cluster partition path`,
          );
        }
        const layout = computeLayout(best.sizeBytes, best.regionBytes);
        if (file.size < layout.totalBytes) throw tooSmall(opts.path, file.size, layout.totalBytes);
        return { partition: new ClusterPartition(file, layout, best.seq), superblock: best, created: false, reinitialised: false };
      }
      if (file.size < wanted.totalBytes) throw tooSmall(opts.path, file.size, wanted.totalBytes);
      const reinitialised = head.some((v) => v !== 0);
      const partition = new ClusterPartition(file, wanted, 0);
      // Zero both bitmaps: a recycled device may hold anything there.
      await file.writeZeroes(wanted.wiOffset, wanted.totalBytes - wanted.wiOffset);
      const sb: Superblock = {
        seq: 0,
        flags: 0,
        blockBytes: BLOCK_BYTES,
        regionBytes: opts.regionBytes,
        sizeBytes: opts.dataSize,
        current: 0n,
        bitmap: 0n,
        history: [],
        lastUpdateTime: null,
        breakTime: null,
        createdTime: opts.now,
        resourceName: opts.resourceName,
        serverName: opts.serverName,
      };
      await partition.writeSuperblock(sb);
      return { partition, superblock: { ...sb, seq: partition.seq }, created: true, reinitialised };
    } catch (err) {
      await file.close().catch(() => undefined);
      throw err;
    }
  }

  /** Writes the next slot and syncs. Calls are serialised; each one gets the next sequence number. */
  writeSuperblock(sb: Omit<Superblock, 'seq'>): Promise<void> {
    const run = async (): Promise<void> => {
      const seq = this.seq + 1;
      const buf = encodeSuperblock({ ...sb, seq }, this.layout);
      await this.file.write((seq % 2) * SLOT_BYTES, buf);
      await this.file.sync();
      this.seq = seq;
    };
    const next = this.sbChain.then(run);
    this.sbChain = next.catch(() => undefined);
    return next;
  }

  async readBitmap(area: 'wi' | 'oos'): Promise<Uint8Array> {
    const { offset, bytes } = this.area(area);
    const buf = Buffer.alloc(bytes);
    await this.file.read(offset, buf);
    return buf;
  }

  /** Writes the given 4 KiB pages of a bitmap, then syncs. On failure the pages are marked dirty again. */
  async writeBitmapPages(area: 'wi' | 'oos', bitmap: Bitmap, pages: readonly number[]): Promise<void> {
    if (pages.length === 0) return;
    const { offset } = this.area(area);
    try {
      // Coalesce runs of adjacent pages into one write each.
      let i = 0;
      while (i < pages.length) {
        const first = pages[i] ?? 0;
        let last = first;
        while (i + 1 < pages.length && pages[i + 1] === last + 1) {
          i += 1;
          last += 1;
        }
        const from = first * 4096;
        const to = (last + 1) * 4096;
        // Copy: the live bitmap keeps changing while the write is in flight.
        await this.file.write(offset + from, Buffer.from(bitmap.bytes.subarray(from, to)));
        i += 1;
      }
      await this.file.sync();
    } catch (err) {
      bitmap.remarkDirty(pages);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.sbChain;
    await this.file.close();
  }

  private area(area: 'wi' | 'oos'): { offset: number; bytes: number } {
    return area === 'wi'
      ? { offset: this.layout.wiOffset, bytes: this.layout.wiBytes }
      : { offset: this.layout.oosOffset, bytes: this.layout.oosBytes };
  }
}

function tooSmall(path: string, have: number, need: number): MirrorError {
  return new MirrorError('BAD_CONFIG', `cluster partition ${path} has ${have} bytes; it needs at least ${need}`);
}

function writeName(b: Buffer, off: number, name: string): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > NAME_BYTES) throw new MirrorError('BAD_CONFIG', `name "${name}" is longer than ${NAME_BYTES} bytes`);
  bytes.copy(b, off);
}

function readName(b: Buffer, off: number): string {
  const raw = b.subarray(off, off + NAME_BYTES);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? NAME_BYTES : end).toString('utf8');
}
