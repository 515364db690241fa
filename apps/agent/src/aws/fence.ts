/**
 * Forced stop (fencing on AWS, DESIGN §4): before taking over a lost server's groups, stop its instance and
 * wait until it is stopped. As `fence_aws` does (peers.md §2.2): the lower-priority server waits `delayMs`
 * first, so two survivors never stop each other; a server whose own instance is not `running` refuses (it is
 * itself being stopped, fence_aws PR #323); StopInstances with Force; then DescribeInstances with backoff until
 * `stopped`, bounded by `stopTimeoutMs`. An instance already stopped or terminated counts as fenced.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger, type Logger } from '../util/log.js';
import type { AwsApi } from './api.js';
import { AwsCallError } from './errors.js';

export interface FenceOptions {
  aws: AwsApi;
  selfInstanceId: string;
  targetInstanceId: string;
  /** How long this server waits before acting (its priority rank × the cluster's delay per priority). */
  delayMs: number;
  /** How long to wait for `stopped` after StopInstances. */
  stopTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Deadline of each API call (default: the AwsApi's). */
  callTimeoutMs?: number | undefined;
  log?: Logger | undefined;
}

export interface FenceResult {
  ok: boolean;
  message: string;
}

const FENCED_STATES = new Set(['stopped', 'terminated']);

function why(e: unknown): string {
  if (e instanceof AwsCallError) return `${e.code} : ${e.text}`;
  return e instanceof Error ? e.message : String(e);
}

export async function fenceServer(o: FenceOptions): Promise<FenceResult> {
  const log = o.log ?? silentLogger;
  const opts = { signal: o.signal, timeoutMs: o.callTimeoutMs };
  if (o.selfInstanceId === o.targetInstanceId) return { ok: false, message: `Refusing to stop ${o.targetInstanceId}: it is this server's own instance.` };
  try {
    if (o.delayMs > 0) await sleep(o.delayMs, undefined, { signal: o.signal });
  } catch {
    return { ok: false, message: `Forced stop of ${o.targetInstanceId} was cancelled while waiting ${o.delayMs} ms before acting.` };
  }
  let last = 'unknown';
  try {
    const [self] = await o.aws.describeInstances({ ids: [o.selfInstanceId] }, opts);
    if (self?.state !== 'running') {
      return {
        ok: false,
        message: `Refusing to stop ${o.targetInstanceId}: this server's own instance ${o.selfInstanceId} is ${self?.state ?? 'unknown'}, not running (it may itself be being stopped).`,
      };
    }
    const [target] = await o.aws.describeInstances({ ids: [o.targetInstanceId] }, opts);
    if (target && FENCED_STATES.has(target.state)) return { ok: true, message: `Instance ${o.targetInstanceId} is already ${target.state}.` };
    log.warn(`forced stop: stopping ${o.targetInstanceId}`, { state: target?.state ?? null });
    await o.aws.stopInstances({ ids: [o.targetInstanceId], force: true }, opts);
    await o.aws.confirm(
      `stop of ${o.targetInstanceId}`,
      async (co) => {
        const [now] = await o.aws.describeInstances({ ids: [o.targetInstanceId] }, co);
        last = now?.state ?? 'unknown';
        return FENCED_STATES.has(last);
      },
      { signal: o.signal, timeoutMs: o.stopTimeoutMs },
    );
    return { ok: true, message: `Instance ${o.targetInstanceId} has been stopped.` };
  } catch (e) {
    if (e instanceof AwsCallError && e.kind === 'timeout' && e.operation.startsWith('stop of')) {
      return { ok: false, message: `Instance ${o.targetInstanceId} did not stop within ${o.stopTimeoutMs / 1000} s (last state: ${last}).` };
    }
    return { ok: false, message: `Forced stop of ${o.targetInstanceId} failed. (${why(e)})` };
  }
}
