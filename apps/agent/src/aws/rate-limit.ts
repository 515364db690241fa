/**
 * The AWS API budget as one shared resource (peers.md §6.4): EC2 throttles per account and region, Route 53
 * at about 5 requests per second per account. Every resource and monitor on a server draws from the same
 * token bucket for its account and region, so ten monitors cannot together trip the throttle that then makes
 * a failover's ReplaceRoute wait. Waiters are served in order; a waiter whose signal fires leaves the queue.
 */

export interface RateSpec {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket size: how many calls may go at once after a quiet period. */
  burst: number;
}

/** Conservative defaults, well under AWS's published buckets (EC2 non-mutating: 20/s refill, 100 burst). */
export const DEFAULT_RATES: { ec2: RateSpec; route53: RateSpec } = {
  ec2: { perSecond: 10, burst: 20 },
  route53: { perSecond: 4, burst: 5 },
};

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: RateSpec,
    private readonly now: () => number = Date.now,
  ) {
    if (!(spec.perSecond > 0) || !(spec.burst >= 1)) throw new Error(`invalid rate: ${JSON.stringify(spec)}`);
    this.tokens = spec.burst;
    this.last = now();
  }

  /** Resolves when the caller may send one request; rejects with the signal's reason if it fires first. */
  acquire(signal?: AbortSignal): Promise<void> {
    this.refill();
    if (this.queue.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.queue.indexOf(waiter);
          if (i >= 0) this.queue.splice(i, 1);
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.schedule();
    });
  }

  /** Waiting callers (for tests and diagnostics). */
  get waiting(): number {
    return this.queue.length;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.spec.burst, this.tokens + ((now - this.last) / 1000) * this.spec.perSecond);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queue.length === 0) return;
    const waitMs = Math.max(0, ((1 - this.tokens) / this.spec.perSecond) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= 1) {
        const waiter = this.queue.shift();
        if (!waiter) break;
        this.tokens -= 1;
        waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.resolve();
      }
      this.schedule();
    }, Math.ceil(waitMs));
  }
}

/** Buckets by key (`ec2/<account>/<region>`, `route53/<account>`); the first spec given for a key wins. */
export class RateLimiters {
  private readonly buckets = new Map<string, TokenBucket>();

  get(key: string, spec: RateSpec): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(spec);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

/** The process-wide registry: every `AwsApi` of this agent draws from it. */
export const sharedRateLimiters = new RateLimiters();
