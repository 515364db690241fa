/**
 * A fixed-size bitmap with a running population count and dirty-page tracking, used for the 4 KiB
 * out-of-sync bitmap (one bit per block) and the write-intent bitmap (one bit per region).
 *
 * Bit `i` lives in byte `i >> 3` at position `i & 7`, so the byte array is the on-disk format. The bytes are
 * padded to whole 4 KiB pages; `takeDirtyPages()` names the pages changed since the last checkpoint so that
 * only those are written back.
 */

export const BITMAP_PAGE_BYTES = 4096;

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i += 1) POPCOUNT[i] = (POPCOUNT[i >> 1] ?? 0) + (i & 1);

export class Bitmap {
  readonly bits: number;
  readonly bytes: Uint8Array;
  private readonly words: Uint32Array;
  private setCount = 0;
  private readonly dirty = new Set<number>();

  constructor(bits: number, from?: Uint8Array) {
    if (!Number.isSafeInteger(bits) || bits < 0) throw new RangeError(`bad bitmap size ${bits}`);
    this.bits = bits;
    const byteLength = Bitmap.byteLengthFor(bits);
    const buf = new ArrayBuffer(byteLength);
    this.bytes = new Uint8Array(buf);
    this.words = new Uint32Array(buf);
    if (from) {
      this.bytes.set(from.subarray(0, Math.min(from.length, byteLength)));
      // Bits past the end are padding: never let a corrupt or foreign page make them count.
      this.clearTail();
      this.setCount = this.recount();
    }
  }

  /** Bytes needed on disk for `bits` bits, rounded up to whole pages. */
  static byteLengthFor(bits: number): number {
    const raw = Math.ceil(bits / 8);
    return Math.max(BITMAP_PAGE_BYTES, Math.ceil(raw / BITMAP_PAGE_BYTES) * BITMAP_PAGE_BYTES);
  }

  get count(): number {
    return this.setCount;
  }

  get(i: number): boolean {
    return ((this.bytes[i >> 3] ?? 0) & (1 << (i & 7))) !== 0;
  }

  /** Sets bits [from, to); returns how many were newly set. */
  setRange(from: number, to: number): number {
    return this.apply(Math.max(0, from), Math.min(to, this.bits), true);
  }

  /** Clears bits [from, to); returns how many were set before. */
  clearRange(from: number, to: number): number {
    return this.apply(Math.max(0, from), Math.min(to, this.bits), false);
  }

  set(i: number): boolean {
    return this.setRange(i, i + 1) === 1;
  }

  clear(i: number): boolean {
    return this.clearRange(i, i + 1) === 1;
  }

  /** How many bits are set in [from, to). */
  countRange(from: number, to: number): number {
    let n = 0;
    let i = Math.max(0, from);
    const end = Math.min(to, this.bits);
    while (i < end && (i & 7) !== 0) n += this.get(i++) ? 1 : 0;
    while (i + 8 <= end) {
      n += POPCOUNT[this.bytes[i >> 3] ?? 0] ?? 0;
      i += 8;
    }
    while (i < end) n += this.get(i++) ? 1 : 0;
    return n;
  }

  /** The first set bit at or after `from`, or -1. Skips zero words, so sparse bitmaps scan fast. */
  nextSet(from: number): number {
    let i = Math.max(0, from);
    while (i < this.bits) {
      if ((i & 31) === 0 && this.words[i >> 5] === 0) {
        i += 32;
        continue;
      }
      if (this.get(i)) return i;
      i += 1;
    }
    return -1;
  }

  /** The first clear bit at or after `from`, or `bits` when there is none. */
  nextClear(from: number): number {
    let i = Math.max(0, from);
    while (i < this.bits) {
      if ((i & 31) === 0 && this.words[i >> 5] === 0xffffffff) {
        i += 32;
        continue;
      }
      if (!this.get(i)) return i;
      i += 1;
    }
    return this.bits;
  }

  /** ORs another bitmap of the same size into this one; returns how many bits were newly set. */
  unionWith(other: Uint8Array): number {
    const len = Math.min(other.length, this.bytes.length);
    let added = 0;
    for (let b = 0; b < len; b += 1) {
      const o = other[b] ?? 0;
      if (o === 0) continue;
      const cur = this.bytes[b] ?? 0;
      const next = cur | o;
      if (next !== cur) {
        this.bytes[b] = next;
        added += (POPCOUNT[next] ?? 0) - (POPCOUNT[cur] ?? 0);
        this.dirty.add(Math.floor(b / BITMAP_PAGE_BYTES));
      }
    }
    if (added > 0) {
      const tailCleared = this.clearTail();
      this.setCount += added - tailCleared;
    }
    return added;
  }

  clearAll(): void {
    if (this.setCount === 0) return;
    for (let p = 0; p < this.bytes.length / BITMAP_PAGE_BYTES; p += 1) {
      const page = this.bytes.subarray(p * BITMAP_PAGE_BYTES, (p + 1) * BITMAP_PAGE_BYTES);
      if (page.some((v) => v !== 0)) {
        page.fill(0);
        this.dirty.add(p);
      }
    }
    this.setCount = 0;
  }

  /** Page indexes changed since the last call, in ascending order. */
  takeDirtyPages(): number[] {
    const pages = [...this.dirty].sort((a, b) => a - b);
    this.dirty.clear();
    return pages;
  }

  get hasDirtyPages(): boolean {
    return this.dirty.size > 0;
  }

  markAllDirty(): void {
    for (let p = 0; p < this.bytes.length / BITMAP_PAGE_BYTES; p += 1) this.dirty.add(p);
  }

  /** Returns to the dirty set pages a failed write-back could not persist. */
  remarkDirty(pages: readonly number[]): void {
    for (const p of pages) this.dirty.add(p);
  }

  private apply(from: number, to: number, value: boolean): number {
    if (to <= from) return 0;
    let changed = 0;
    let i = from;
    // Unaligned head, whole bytes, then the tail.
    while (i < to && ((i & 7) !== 0 || to - i < 8)) changed += this.applyBit(i++, value);
    while (i + 8 <= to) {
      const byteIndex = i >> 3;
      const cur = this.bytes[byteIndex] ?? 0;
      const next = value ? 0xff : 0;
      if (cur !== next) {
        const pc = POPCOUNT[cur] ?? 0;
        changed += value ? 8 - pc : pc;
        this.bytes[byteIndex] = next;
        this.dirty.add(Math.floor(byteIndex / BITMAP_PAGE_BYTES));
      }
      i += 8;
    }
    while (i < to) changed += this.applyBit(i++, value);
    this.setCount += value ? changed : -changed;
    return changed;
  }

  /** Sets or clears one bit without touching the count; returns 1 if it changed. */
  private applyBit(i: number, value: boolean): number {
    const byteIndex = i >> 3;
    const mask = 1 << (i & 7);
    const cur = this.bytes[byteIndex] ?? 0;
    if (((cur & mask) !== 0) === value) return 0;
    this.bytes[byteIndex] = value ? cur | mask : cur & ~mask;
    this.dirty.add(Math.floor(byteIndex / BITMAP_PAGE_BYTES));
    return 1;
  }

  private clearTail(): number {
    let cleared = 0;
    for (let i = this.bits; i < this.bytes.length * 8; i += 1) {
      if ((i & 7) === 0 && this.bytes[i >> 3] === 0) {
        i += 7;
        continue;
      }
      const byteIndex = i >> 3;
      const mask = 1 << (i & 7);
      const cur = this.bytes[byteIndex] ?? 0;
      if (cur & mask) {
        this.bytes[byteIndex] = cur & ~mask;
        cleared += 1;
      }
    }
    return cleared;
  }

  private recount(): number {
    let n = 0;
    for (const b of this.bytes) n += POPCOUNT[b] ?? 0;
    return n;
  }
}
