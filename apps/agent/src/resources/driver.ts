/**
 * The resource and monitor driver contract (the OCF verbs of Pacemaker's resource agents, fixed where they hurt):
 *  - `activate` and `deactivate` are idempotent: activating an active resource and deactivating an inactive one
 *    succeed; deactivate tries everything before it reports a failure, because a failed stop escalates;
 *  - `probe` only observes (what is active on this server right now), used when an agent starts;
 *  - a monitor's `check` answers normal / warning / error / unknown: "unknown" is for when it could not tell
 *    (the AWS API did not answer) and never fails anything over by itself;
 *  - the engine owns timeouts: every call gets an AbortSignal and must stop promptly when it fires.
 * Failures carry CLUSTERPRO's numeric code and text: `(5 : The vpc ID 'vpc-…' does not exist)`.
 */
import type { MonitorTypeId, ResourceTypeId } from '@kumo/shared';
import type { AwsApi } from '../aws/api.js';
import type { MirrorManager } from '../integrations/mirrors.js';
import type { Host } from '../host/host.js';
import type { Logger } from '../util/log.js';

/** How a failure should be treated: retry in place, move to another server, or stop and tell the operator. */
export type FailureClass = 'transient' | 'node' | 'config';

export type DriverResult = { ok: true; detail?: string } | { ok: false; code: number; text: string; failure: FailureClass };

export function ok(detail?: string): DriverResult {
  return detail === undefined ? { ok: true } : { ok: true, detail };
}

export function fail(code: number, text: string, failure: FailureClass = 'node'): DriverResult {
  return { ok: false, code, text, failure };
}

/**
 * `stale`: part of the resource is left on this server though it is not in effect here (a VIP on the NIC whose
 * routes point at another server, after a crash): the master releases or completes it, never ignores it.
 */
export type ProbeResult = 'active' | 'inactive' | 'stale' | 'unknown';

export type MonitorResult =
  | { state: 'normal' }
  | { state: 'warning'; code: number; text: string }
  | { state: 'error'; code: number; text: string }
  /** Could not tell: the AWS API failed (`api`) or timed out (`timeout`); `code` is CLUSTERPRO's 5 or 6. */
  | { state: 'unknown'; code: number; text: string; cause: 'api' | 'timeout' };

/** Services a driver may use; what a type does not need, it ignores. */
export interface DriverServices {
  host: Host;
  log: Logger;
  /** AWS access for the AWS types (clients, this instance's identity, rate limiting). */
  aws?: AwsApi;
  /** The mirror disks of this server (for md, mdw, mdnw). */
  mirrors?: MirrorManager;
}

export interface ResourceContext<P> extends DriverServices {
  server: string;
  group: string;
  resource: string;
  params: P;
  signal: AbortSignal;
  /** CLUSTERPRO's CLP_EVENT: START, FAILOVER (activation) / END, FAILOVER (deactivation). */
  event: 'START' | 'FAILOVER' | 'END';
  /** Servers of the group and their effective params (awsvip's monitor compares with every peer's ENI). */
  peers: readonly { server: string; params: P }[];
}

export interface MonitorContext<P> extends DriverServices {
  server: string;
  monitor: string;
  params: P;
  signal: AbortSignal;
  /** The monitored resource (common target or resource param), with its effective params on this server. */
  target?: { group: string; resource: string; type: ResourceTypeId; params: unknown; peers: readonly { server: string; params: unknown }[] };
}

export interface ResourceDriver<P = unknown> {
  readonly type: ResourceTypeId;
  activate(ctx: ResourceContext<P>): Promise<DriverResult>;
  deactivate(ctx: ResourceContext<P>): Promise<DriverResult>;
  probe(ctx: ResourceContext<P>): Promise<ProbeResult>;
}

export interface MonitorDriver<P = unknown> {
  readonly type: MonitorTypeId;
  check(ctx: MonitorContext<P>): Promise<MonitorResult>;
}

/** Runs a driver call under the engine's deadline; a call that ignores the signal still loses the race. */
export async function withDeadline<T>(ms: number, run: (signal: AbortSignal) => Promise<T>, onTimeout: () => T): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`timed out after ${ms} ms`));
      resolve(onTimeout());
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
