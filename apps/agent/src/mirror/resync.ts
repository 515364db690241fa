/**
 * The sending side of mirror recovery: walks the out-of-sync bitmap in linear order, reads each dirty run
 * (at most one chunk) under the same range lock application writes take, sends it and clears the bits when
 * the target acknowledges. A window bounds the bytes in flight; a token bucket bounds the rate, which drops
 * to the minimum while application I/O is active so that recovery leaves room for it (DRBD's c-min-rate).
 */
import type { Bitmap } from './bitmap.js';
import type { BlockFile } from './block-file.js';
import { BLOCK_BYTES } from './cluster-partition.js';
import type { MdcLink } from './mdc-link.js';
import { FrameType } from './mdc-protocol.js';
import type { RangeLock } from './range-lock.js';

export interface ResyncDeps {
  oos: Bitmap;
  sizeBytes: number;
  data: BlockFile;
  locks: RangeLock;
  link: MdcLink;
  /** Current allowed rate in bytes/s (0 = unlimited); asked before each chunk. */
  rate: () => number;
  maxChunkBytes: number;
  maxInflightBytes: number;
  onChunkDone: (bytes: number) => void;
}

export type ResyncResult = { ok: true } | { ok: false; reason: string };

export class ResyncSource {
  private readonly d: ResyncDeps;
  private aborted: string | null = null;
  private inflightBytes = 0;
  private inflight = 0;
  private wake: (() => void) | null = null;
  private failure: string | null = null;
  private bucketNext = performance.now();

  constructor(deps: ResyncDeps) {
    this.d = deps;
  }

  abort(reason: string): void {
    this.aborted ??= reason;
    this.poke();
  }

  async run(): Promise<ResyncResult> {
    const { oos, sizeBytes } = this.d;
    const blocks = Math.ceil(sizeBytes / BLOCK_BYTES);
    let cursor = 0;
    for (;;) {
      if (this.aborted || this.failure) break;
      const b = oos.nextSet(cursor);
      if (b < 0) {
        if (this.inflight > 0) {
          await this.waitForCompletion();
          continue;
        }
        if (oos.count === 0) return { ok: true };
        cursor = 0; // bits behind the cursor: a chunk failed and was not cleared; go round again
        continue;
      }
      const rate = this.d.rate();
      const chunkBytes = rate > 0 ? clamp(Math.floor(rate / 10 / BLOCK_BYTES) * BLOCK_BYTES, 64 * 1024, this.d.maxChunkBytes) : this.d.maxChunkBytes;
      const e = Math.min(oos.nextClear(b), b + chunkBytes / BLOCK_BYTES, blocks);
      const offset = b * BLOCK_BYTES;
      const length = Math.min(e * BLOCK_BYTES, sizeBytes) - offset;
      cursor = e;
      while (!this.aborted && (this.inflightBytes + length > this.d.maxInflightBytes && this.inflight > 0)) await this.waitForCompletion();
      if (this.aborted) break;
      await this.throttle(length, rate);
      if (this.aborted) break;
      const release = await this.d.locks.acquire(offset, offset + length);
      if (this.aborted) {
        release();
        break;
      }
      this.inflight += 1;
      this.inflightBytes += length;
      const buf = Buffer.allocUnsafe(length);
      let sent: Promise<boolean>;
      try {
        await this.d.data.read(offset, buf);
        sent = this.d.link.request(FrameType.RS_DATA, 0, offset, 0, buf).then((ack) => {
          if (ack === null) {
            this.failure ??= 'the mirror disk connect was lost';
            return false;
          }
          if (ack.arg !== 0) {
            this.failure ??= `the target failed to write (errno ${ack.arg})`;
            return false;
          }
          return true;
        });
      } catch (err) {
        sent = Promise.resolve(false);
        this.failure ??= `reading the source failed: ${err instanceof Error ? err.message : String(err)}`;
      }
      void sent.then((ok) => {
        if (ok) {
          oos.clearRange(b, e);
          this.d.onChunkDone(length);
        }
        release();
        this.inflight -= 1;
        this.inflightBytes -= length;
        this.poke();
      });
    }
    while (this.inflight > 0) await this.waitForCompletion();
    return { ok: false, reason: this.aborted ?? this.failure ?? 'stopped' };
  }

  private async throttle(bytes: number, rate: number): Promise<void> {
    if (rate <= 0) return;
    const now = performance.now();
    // Allow a burst of up to 100 ms worth of data after an idle spell, no more.
    this.bucketNext = Math.max(this.bucketNext, now - 100) + (bytes / rate) * 1000;
    const wait = this.bucketNext - now;
    if (wait > 1) await this.sleepOrAbort(wait);
  }

  private sleepOrAbort(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        if (!this.aborted) return;
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private waitForCompletion(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = null;
        resolve();
      };
    });
  }

  private poke(): void {
    this.wake?.();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

/** Bytes per second over a sliding window, for status (rate and time remaining). */
export class RateMeter {
  private samples: { t: number; bytes: number }[] = [];
  private readonly windowMs: number;

  constructor(windowMs = 2000) {
    this.windowMs = windowMs;
  }

  add(bytes: number, t = performance.now()): void {
    this.samples.push({ t, bytes });
    this.trim(t);
  }

  rate(t = performance.now()): number {
    this.trim(t);
    const first = this.samples[0];
    if (!first) return 0;
    const total = this.samples.reduce((s, x) => s + x.bytes, 0);
    const span = Math.max(250, t - first.t);
    return (total * 1000) / span;
  }

  private trim(t: number): void {
    while (this.samples.length > 0 && t - (this.samples[0]?.t ?? t) > this.windowMs) this.samples.shift();
  }
}
