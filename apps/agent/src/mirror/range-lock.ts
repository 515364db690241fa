/**
 * A FIFO range lock over byte ranges. Overlapping requests are granted strictly in arrival order, so the
 * primary applies, sends and completes overlapping writes (and resync chunks) in one order, and the
 * secondary, which takes the same lock in frame order, applies them in that order too. Requests that overlap
 * nothing ahead of them are granted at once.
 *
 * The number of entries is bounded by the I/O depth (tens), so a linear list beats a tree here.
 */

interface Entry {
  start: number;
  end: number;
  granted: boolean;
  grant: (() => void) | null;
}

export type Release = () => void;

export class RangeLock {
  private entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Resolves with a release function once no earlier request overlaps [start, end). */
  acquire(start: number, end: number): Promise<Release> {
    const entry: Entry = { start, end: Math.max(end, start + 1), granted: false, grant: null };
    const blocked = this.entries.some((e) => overlaps(e, entry));
    this.entries.push(entry);
    const release = (): void => {
      this.release(entry);
    };
    if (!blocked) {
      entry.granted = true;
      return Promise.resolve(release);
    }
    return new Promise<Release>((resolve) => {
      entry.grant = () => {
        resolve(release);
      };
    });
  }

  /** Grants at once or returns null: for callers that must not wait (none yet besides tests). */
  tryAcquire(start: number, end: number): Release | null {
    const entry: Entry = { start, end: Math.max(end, start + 1), granted: true, grant: null };
    if (this.entries.some((e) => overlaps(e, entry))) return null;
    this.entries.push(entry);
    return () => {
      this.release(entry);
    };
  }

  private release(entry: Entry): void {
    const idx = this.entries.indexOf(entry);
    if (idx < 0) return; // released twice: harmless
    this.entries.splice(idx, 1);
    for (let i = idx; i < this.entries.length; i += 1) {
      const e = this.entries[i];
      if (!e || e.granted) continue;
      let free = true;
      for (let j = 0; j < i; j += 1) {
        const before = this.entries[j];
        if (before && overlaps(before, e)) {
          free = false;
          break;
        }
      }
      if (free) {
        e.granted = true;
        const grant = e.grant;
        e.grant = null;
        grant?.();
      }
    }
  }
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}
