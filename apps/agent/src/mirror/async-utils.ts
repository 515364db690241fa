/** Small promise tools for the mirror's control plane. */

/** Runs tasks one at a time, in submission order; a failing task does not stop the ones after it. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  get busy(): boolean {
    return this.depth > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth += 1;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => {
        this.depth -= 1;
      },
      () => {
        this.depth -= 1;
      },
    );
    return result;
  }
}

/**
 * Coalesces requests to persist something: `request()` resolves after a run of `fn` that started after the
 * call, so every caller's change is covered, and callers that arrive during a run share the next one.
 */
export class Coalescer {
  private readonly fn: () => Promise<void>;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(fn: () => Promise<void>) {
    this.fn = fn;
  }

  request(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const after = this.running.catch(() => undefined);
    this.queued = after.then(() => {
      this.queued = null;
      return this.start();
    });
    return this.queued;
  }

  /** Resolves when no run is in progress or queued. */
  async idle(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running)?.catch(() => undefined);
  }

  private start(): Promise<void> {
    const run = this.fn().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }
}

/** A gate that async callers wait at while it is closed. */
export class Gate {
  private waiting: Promise<void> | null = null;
  private release: (() => void) | null = null;

  get isOpen(): boolean {
    return this.waiting === null;
  }

  /** null when open (callers skip the await on the hot path). */
  get wait(): Promise<void> | null {
    return this.waiting;
  }

  close(): void {
    if (this.waiting) return;
    this.waiting = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    const r = this.release;
    this.waiting = null;
    this.release = null;
    r?.();
  }
}

/** Counts operations in flight and lets callers wait until there are none. */
export class InflightCounter {
  private n = 0;
  private waiters: (() => void)[] = [];

  get count(): number {
    return this.n;
  }

  enter(): void {
    this.n += 1;
  }

  leave(): void {
    this.n -= 1;
    if (this.n === 0) for (const w of this.waiters.splice(0)) w();
  }

  idle(): Promise<void> {
    if (this.n === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
