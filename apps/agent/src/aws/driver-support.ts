/**
 * What every AWS driver does the same way: find the AWS access among its services, bound each call by the
 * type's AWS CLI timeout and the engine's signal, parse a monitor's target params (they arrive untyped), and
 * report a host failure or a missing service as CLUSTERPRO's internal error (99). A driver's own params come
 * typed and complete from the validated config (common params with defaults merged with its server's own).
 */
import type { z } from 'zod';
import type { DriverResult, MonitorContext, MonitorResult, ProbeResult, ResourceContext } from '../resources/driver.js';
import { fail } from '../resources/driver.js';
import type { AwsApi, CallOptions } from './api.js';

export function internalError(why: string): { code: 99; text: string } {
  return { code: 99, text: `Internal error. (${why})` };
}

/** The per-call options of a driver: its AWS CLI timeout and the engine's signal. */
export function callOptions(ctx: { signal: AbortSignal }, params: { awsCliTimeoutS: number }): CallOptions {
  return { signal: ctx.signal, timeoutMs: params.awsCliTimeoutS * 1000 };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; why: string };

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, what: string): Parsed<z.output<S>> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  const first = r.error.issues[0];
  return { ok: false, why: `invalid ${what}: ${first ? `${first.path.join('.') || '(params)'}: ${first.message}` : 'unknown problem'}` };
}

/** The AWS access and the params of a resource call, or the failure to report. */
export function resourceSetup<P>(ctx: { aws?: AwsApi | undefined; params: P }): { ok: true; aws: AwsApi; params: P } | { ok: false; result: DriverResult } {
  if (!ctx.aws) {
    const e = internalError('the agent has no AWS access configured');
    return { ok: false, result: fail(e.code, e.text, 'config') };
  }
  return { ok: true, aws: ctx.aws, params: ctx.params };
}

/**
 * The AWS access, the monitor's params and its target resource's params (which arrive untyped and are parsed
 * here), or the error to report.
 */
export function monitorSetup<P, T extends z.ZodType>(
  ctx: MonitorContext<P>,
  targetSchema: T,
  targetType: string,
): { ok: true; aws: AwsApi; params: P; target: z.output<T> } | { ok: false; result: MonitorResult } {
  const error = (why: string): { ok: false; result: MonitorResult } => ({ ok: false, result: { state: 'error', ...internalError(why) } });
  if (!ctx.aws) return error('the agent has no AWS access configured');
  if (!ctx.target || ctx.target.type !== targetType) return error(`${ctx.monitor} has no ${targetType} target resource`);
  const target = parseWith(targetSchema, ctx.target.params, `params of ${ctx.target.resource}`);
  if (!target.ok) return error(target.why);
  return { ok: true, aws: ctx.aws, params: ctx.params, target: target.value };
}

/** Runs a host step (NIC addresses); a failure is reported as an internal error rather than thrown. */
export async function hostStep(what: string, run: () => Promise<void>): Promise<DriverResult | undefined> {
  try {
    await run();
    return undefined;
  } catch (e) {
    const err = internalError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    return fail(err.code, err.text, 'node');
  }
}

/**
 * A probe: only observes. `observe` says whether the resource is active on this server; when AWS cannot be
 * asked the answer is `unknown`, never a guess.
 */
export async function probeWith<P extends { awsCliTimeoutS: number }>(
  ctx: ResourceContext<P>,
  observe: (aws: AwsApi, opts: CallOptions) => Promise<boolean | ProbeResult>,
): Promise<ProbeResult> {
  if (!ctx.aws) return 'unknown';
  try {
    const seen = await observe(ctx.aws, callOptions(ctx, ctx.params));
    return seen === true ? 'active' : seen === false ? 'inactive' : seen;
  } catch (e) {
    ctx.log.warn(`${ctx.resource}: probe could not tell`, { error: e instanceof Error ? e.message : String(e) });
    return 'unknown';
  }
}
