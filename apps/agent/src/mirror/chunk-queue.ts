/**
 * A queue of received socket chunks that hands out exact byte counts without Buffer.concat: a request that
 * lies inside one chunk comes back as a zero-copy view; only one that spans chunks is copied, once, into a
 * buffer of its exact size.
 */
export class ChunkQueue {
  private chunks: Buffer[] = [];
  private head = 0; // read offset into chunks[0]
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns the next `n` bytes; the caller checks `length >= n` first. */
  take(n: number): Buffer {
    if (n > this.total) throw new RangeError(`take(${n}) with ${this.total} bytes queued`);
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (!c) break;
      const m = Math.min(c.length - this.head, n - filled);
      c.copy(out, filled, this.head, this.head + m);
      filled += m;
      this.advance(m);
    }
    return out;
  }

  /**
   * Removes the next `n` bytes as zero-copy views of the received chunks: for payloads that go straight to
   * pwritev and writev (NBD writes, replicated writes), so a 1 MiB write is never copied in user space.
   */
  takeList(n: number): Buffer[] {
    if (n > this.total) throw new RangeError(`takeList(${n}) with ${this.total} bytes queued`);
    const out: Buffer[] = [];
    let left = n;
    while (left > 0) {
      const c = this.chunks[0];
      if (!c) break;
      const m = Math.min(c.length - this.head, left);
      out.push(c.subarray(this.head, this.head + m));
      this.advance(m);
      left -= m;
    }
    return out;
  }

  /** Returns the next `n` bytes without consuming them (a copy when they span chunks). */
  peek(n: number): Buffer {
    if (n > this.total) throw new RangeError(`peek(${n}) with ${this.total} bytes queued`);
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let head = this.head;
    for (const c of this.chunks) {
      if (filled >= n) break;
      const m = Math.min(c.length - head, n - filled);
      c.copy(out, filled, head, head + m);
      filled += m;
      head = 0;
    }
    return out;
  }

  /** Discards `n` bytes (an oversized option the server refuses, for example). */
  skip(n: number): number {
    let left = Math.min(n, this.total);
    const skipped = left;
    while (left > 0) {
      const c = this.chunks[0];
      if (!c) break;
      const m = Math.min(c.length - this.head, left);
      this.advance(m);
      left -= m;
    }
    return skipped;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.total = 0;
  }

  private advance(n: number): void {
    this.head += n;
    this.total -= n;
    const c = this.chunks[0];
    if (c && this.head >= c.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
