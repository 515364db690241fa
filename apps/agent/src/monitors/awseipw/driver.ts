/**
 * AWS Elastic IP monitor (awseipw): the EIP is still associated with this server's ENI, else error 7 (the
 * recovery restarts awseip, which reassociates it). Trouble reaching AWS follows the monitor's mode.
 */
import type { z } from 'zod';
import type { awseipwType } from '@kumo/shared';
import { awseipType } from '@kumo/shared';
import { callOptions, monitorSetup } from '../../aws/driver-support.js';
import { monitorApiFailure } from '../../aws/errors.js';
import { describeEip } from '../../resources/awseip/driver.js';
import type { MonitorDriver } from '../../resources/driver.js';

type Params = z.output<typeof awseipwType.params>;

export const eipMissingText = (allocationId: string) => `The EIP address does not exist. (EIP ALLOCATION ID=${allocationId})`;

export const awseipwDriver: MonitorDriver<Params> = {
  type: 'awseipw',
  async check(ctx) {
    const setup = monitorSetup(ctx, awseipType.params, 'awseip');
    if (!setup.ok) return setup.result;
    const { aws, params, target } = setup;
    let address;
    try {
      address = await describeEip(aws, target.allocationId, callOptions(ctx, params));
    } catch (e) {
      return monitorApiFailure(params.mode, e);
    }
    if (address?.eniId === target.eniId) return { state: 'normal' };
    ctx.log.warn(`${ctx.monitor}: ${target.allocationId} is not on ${target.eniId}`, { eniId: address?.eniId ?? null, instanceId: address?.instanceId ?? null });
    return { state: 'error', code: 7, text: eipMissingText(target.allocationId) };
  },
};
