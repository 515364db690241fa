/**
 * EXEC resource: the start script at activation, the stop script at deactivation, with CLUSTERPRO's
 * environment variables. Exit code 0 is success. The scripts come from the config (distributed by Apply).
 * Probe: an exec resource has no observable state, so it reports what the last run on this boot left.
 */
import type { z } from 'zod';
import type { execType } from '@kumo/shared';
import type { ResourceContext, ResourceDriver } from '../driver.js';
import { fail, ok } from '../driver.js';

type Params = z.output<typeof execType.params>;

/** Which exec resources this agent started and has not stopped (scripts have no other state to probe). */
const started = new Set<string>();
const key = (ctx: ResourceContext<Params>) => `${ctx.server}/${ctx.group}/${ctx.resource}`;

function env(ctx: ResourceContext<Params>, event: string): Record<string, string> {
  return {
    CLP_EVENT: event,
    CLP_SERVER: ctx.server,
    CLP_GROUPNAME: ctx.group,
    CLP_RESOURCENAME: ctx.resource,
    CLP_FACTOR: event === 'FAILOVER' ? 'FAILOVER' : 'NORMAL',
  };
}

async function runPhase(ctx: ResourceContext<Params>, phase: 'start' | 'stop') {
  const script = phase === 'start' ? ctx.params.startScript : ctx.params.stopScript;
  const timeoutS = phase === 'start' ? ctx.params.startTimeoutS : ctx.params.stopTimeoutS;
  const r = await ctx.host.runScript(`${ctx.group}.${ctx.resource}.${phase}`, script, env(ctx, ctx.event), timeoutS * 1000, ctx.signal);
  if (r.timedOut) return fail(6, `Timeout occurred. (${phase}.sh did not finish within ${timeoutS} s)`, 'node');
  if (r.code !== 0) {
    const last = (r.stderr || r.stdout).trim().split('\n').at(-1) ?? '';
    return fail(r.code ?? 1, `${phase}.sh exited with ${r.code ?? r.signal ?? 'an error'}${last ? `: ${last}` : ''}`, 'node');
  }
  return ok();
}

export const execDriver: ResourceDriver<Params> = {
  type: 'exec',
  async activate(ctx) {
    const r = await runPhase(ctx, 'start');
    if (r.ok) started.add(key(ctx));
    return r;
  },
  async deactivate(ctx) {
    const r = await runPhase(ctx, 'stop');
    if (r.ok) started.delete(key(ctx));
    return r;
  },
  async probe(ctx) {
    return started.has(key(ctx)) ? 'active' : 'inactive';
  },
};
