/**
 * Mirror disk monitor (`mdw`) and mirror disk connect monitor (`mdnw`). mdw: an up-to-date mirror is normal,
 * a recovering or broken (peer away) one a warning — CLUSTERPRO's "Caution" — and one that needs the operator
 * (split brain, unrelated data) an error. mdnw: the mirror disk connect is up, or an error.
 */
import type { z } from 'zod';
import type { mdnwType, mdwType } from '@kumo/shared';
import type { MonitorDriver, MonitorResult } from '../../resources/driver.js';

type Params = z.output<typeof mdwType.params>;

export const mdwDriver: MonitorDriver<Params> = {
  type: 'mdw',
  async check(ctx): Promise<MonitorResult> {
    const st = (await ctx.mirrors?.get(ctx.params.mirrorDisk))?.status();
    if (!st) return { state: 'unknown', code: 99, text: `mirror disk ${ctx.params.mirrorDisk} is not open on this server`, cause: 'api' };
    switch (st.mirrorState) {
      case 'normal':
        return { state: 'normal' };
      case 'recovering':
        return { state: 'warning', code: 2, text: `Mirror recovery of ${st.name} is in progress (${Math.round((st.recovery?.progress ?? 0) * 100)} %).` };
      case 'recovery-pending':
      case 'no-construction':
        return { state: 'warning', code: 3, text: `Mirror disk ${st.name} needs a mirror recovery; run "kumo md recover ${st.name}".` };
      case 'broken':
      case 'isolated':
        return { state: 'warning', code: 4, text: `Mirror disk ${st.name} is not mirrored (${st.mirrorState}).` };
      case 'split-brain':
      case 'unrelated':
      case 'refused':
        return { state: 'error', code: 5, text: `Mirror disk ${st.name} cannot be reconciled (${st.mirrorState}); choose the up-to-date server with "kumo md force".` };
      case 'closed':
        return { state: 'unknown', code: 99, text: `mirror disk ${st.name} is closed`, cause: 'api' };
      default: {
        const check: never = st.mirrorState;
        throw new Error(`unhandled mirror state ${String(check)}`);
      }
    }
  },
};

type NwParams = z.output<typeof mdnwType.params>;

export const mdnwDriver: MonitorDriver<NwParams> = {
  type: 'mdnw',
  async check(ctx): Promise<MonitorResult> {
    const st = (await ctx.mirrors?.get(ctx.params.mirrorDisk))?.status();
    if (!st) return { state: 'unknown', code: 99, text: `mirror disk ${ctx.params.mirrorDisk} is not open on this server`, cause: 'api' };
    return st.connection === 'connected' ? { state: 'normal' } : { state: 'error', code: 1, text: `The mirror disk connect of ${st.name} to ${st.peer.server} is down (${st.connection}).` };
  },
};
