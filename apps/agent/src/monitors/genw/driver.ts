/** Custom monitor (genw): runs its script every interval; exit code 0 is normal, anything else an error. */
import type { z } from 'zod';
import type { genwType } from '@kumo/shared';
import type { MonitorDriver } from '../../resources/driver.js';

type Params = z.output<typeof genwType.params>;

export const genwDriver: MonitorDriver<Params> = {
  type: 'genw',
  async check(ctx) {
    const r = await ctx.host.runScript(`monitor.${ctx.monitor}`, ctx.params.script, { CLP_SERVER: ctx.server, CLP_MONITORNAME: ctx.monitor }, 3_600_000, ctx.signal);
    if (r.timedOut) return { state: 'unknown', code: 6, text: 'Timeout occurred.', cause: 'timeout' };
    if (r.code === 0) return { state: 'normal' };
    const last = (r.stderr || r.stdout).trim().split('\n').at(-1) ?? '';
    return { state: 'error', code: 11, text: `the monitor script exited with ${r.code ?? r.signal ?? 'an error'}${last ? `: ${last}` : ''}` };
  },
};
