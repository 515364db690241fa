/**
 * One AWS call as CLUSTERPRO's "AWS CLI command": a single deadline (the type's AWS CLI timeout) over every
 * attempt, bounded retries with full jitter for throttling, 5xx and broken connections, and a token from the
 * shared rate limiter before each attempt. And `confirm`, which polls a read with backoff until a write is
 * visible, because EC2 is eventually consistent (peers.md §1.4, §6.3).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../util/log.js';
import { AWS_TIMEOUT, AwsCallError, sdkErrorFacts, toAwsCallError } from './errors.js';
import type { TokenBucket } from './rate-limit.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5000 };

export interface Backoff {
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_VERIFY: Backoff = { initialDelayMs: 250, maxDelayMs: 4000 };

/** A signal that fires when `parent` fires or `ms` pass. Call `done()` after use. */
export function deadlineSignal(ms: number, parent: AbortSignal | undefined): { signal: AbortSignal; done: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${ms} ms`)), Math.max(0, ms));
  const signal = parent ? AbortSignal.any([controller.signal, parent]) : controller.signal;
  return { signal, done: () => clearTimeout(timer) };
}

export interface CallContext {
  limiter: TokenBucket;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  retry: RetryPolicy;
  log: Logger;
  random?: () => number;
}

/** Runs `send` as one call: retried while retryable, always finished (with an `AwsCallError`) by the deadline. */
export async function runCall<T>(operation: string, send: (signal: AbortSignal) => Promise<T>, ctx: CallContext): Promise<T> {
  const deadline = deadlineSignal(ctx.timeoutMs, ctx.signal);
  const random = ctx.random ?? Math.random;
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await ctx.limiter.acquire(deadline.signal);
        return await send(deadline.signal);
      } catch (e) {
        if (deadline.signal.aborted) throw toAwsCallError(operation, e, true);
        const facts = sdkErrorFacts(e);
        if (!facts.retryable || attempt >= ctx.retry.maxAttempts) throw toAwsCallError(operation, e, false);
        const delay = random() * Math.min(ctx.retry.maxDelayMs, ctx.retry.baseDelayMs * 2 ** (attempt - 1));
        ctx.log.debug(`${operation} failed, retrying`, { attempt, delayMs: Math.round(delay), error: facts.detail });
        await sleep(delay, undefined, { signal: deadline.signal }).catch(() => undefined);
        if (deadline.signal.aborted) throw toAwsCallError(operation, e, true);
      }
    }
  } finally {
    deadline.done();
  }
}

/**
 * Polls `check` (a read) until it says the write is visible: at once, then after a growing, jittered delay.
 * Ends with code 6 when `timeoutMs` passes first; an API error of a read ends it with that error.
 */
export async function confirm(
  what: string,
  check: (signal: AbortSignal) => Promise<boolean>,
  opts: { timeoutMs: number; signal?: AbortSignal | undefined; backoff: Backoff; random?: () => number },
): Promise<void> {
  const deadline = deadlineSignal(opts.timeoutMs, opts.signal);
  const random = opts.random ?? Math.random;
  try {
    for (let round = 0; ; round++) {
      try {
        if (await check(deadline.signal)) return;
      } catch (e) {
        if (deadline.signal.aborted) throw new AwsCallError(what, 'timeout', AWS_TIMEOUT, undefined, undefined, 'not confirmed in time');
        throw e;
      }
      const ceiling = Math.min(opts.backoff.maxDelayMs, opts.backoff.initialDelayMs * 2 ** round);
      await sleep(ceiling * (0.5 + random() / 2), undefined, { signal: deadline.signal }).catch(() => undefined);
      if (deadline.signal.aborted) throw new AwsCallError(what, 'timeout', AWS_TIMEOUT, undefined, undefined, 'not confirmed in time');
    }
  } finally {
    deadline.done();
  }
}
