/**
 * AWS AZ monitor (awsazw): the state of this server's availability zone through DescribeAvailabilityZones.
 * available → normal; impaired / information → warning; unavailable → error. An AZ the region does not have is
 * "Invalid availability zone: [x]" (5, or 105 as a warning), and trouble reaching AWS follows the monitor's mode
 * like every AWS monitor.
 *
 * CLUSTERPRO documents only 5/105 and 6/106 for this monitor; the state codes are Kumo's, in CLUSTERPRO's
 * pattern (type-specific errors from 7, warnings + 100): 7 unavailable, 108 impaired, 109 information.
 */
import type { z } from 'zod';
import type { awsazwType } from '@kumo/shared';
import { callOptions, internalError } from '../../aws/driver-support.js';
import { apiTrouble, monitorApiFailure } from '../../aws/errors.js';
import type { MonitorDriver, MonitorResult } from '../../resources/driver.js';

type Params = z.output<typeof awsazwType.params>;

export const invalidAzText = (az: string) => `Invalid availability zone: [${az}]`;

function withMessages(text: string, messages: readonly string[]): string {
  return messages.length > 0 ? `${text} (${messages.join('; ')})` : text;
}

export function azStateResult(az: string, state: string, messages: readonly string[]): MonitorResult {
  switch (state) {
    case 'available':
      return { state: 'normal' };
    case 'unavailable':
      return { state: 'error', code: 7, text: withMessages(`The availability zone ${az} is unavailable.`, messages) };
    case 'impaired':
      return { state: 'warning', code: 108, text: withMessages(`The availability zone ${az} is impaired.`, messages) };
    default:
      return { state: 'warning', code: 109, text: withMessages(`The availability zone ${az} is in state ${state}.`, messages) };
  }
}

export const awsazwDriver: MonitorDriver<Params> = {
  type: 'awsazw',
  async check(ctx) {
    if (!ctx.aws) return { state: 'error', ...internalError('the agent has no AWS access configured') };
    const p = ctx.params;
    let zones;
    try {
      zones = await ctx.aws.describeAvailabilityZones({ names: [p.availabilityZone] }, callOptions(ctx, p));
    } catch (e) {
      return monitorApiFailure(p.mode, e);
    }
    const zone = zones.find((z) => z.name === p.availabilityZone);
    if (!zone) return apiTrouble(p.mode, { code: 5, text: invalidAzText(p.availabilityZone) });
    return azStateResult(zone.name, zone.state, zone.messages);
  },
};
