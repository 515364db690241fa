/**
 * AWS Virtual IP monitor (awsvipw): the VIP is on this server's NIC, and every route table of the VPC that
 * holds `VIP/32` routes it to this server's ENI. A changed route is error 8 (the recovery restarts awsvip,
 * which repoints it); trouble reaching AWS follows the monitor's mode and by default only warns (105 / 106).
 */
import type { z } from 'zod';
import type { awsvipwType } from '@kumo/shared';
import { awsvipType } from '@kumo/shared';
import { callOptions, monitorSetup } from '../../aws/driver-support.js';
import { monitorApiFailure } from '../../aws/errors.js';
import { routeTarget, tablesHolding } from '../../resources/awsvip/driver.js';
import type { MonitorDriver } from '../../resources/driver.js';

type Params = z.output<typeof awsvipwType.params>;

export const vipMissingText = (ip: string) => `The VIP address ${ip} does not exist.`;
export const routingChangedText = (ip: string) => `The routing for VIP ${ip} was changed.`;

function eniOf(params: unknown): unknown {
  return typeof params === 'object' && params !== null && 'eniId' in params ? params.eniId : undefined;
}

export const awsvipwDriver: MonitorDriver<Params> = {
  type: 'awsvipw',
  async check(ctx) {
    const setup = monitorSetup(ctx, awsvipType.params, 'awsvip');
    if (!setup.ok) return setup.result;
    const { aws, params, target } = setup;
    if (!(await ctx.host.hasAddress(target.ip, { signal: ctx.signal }))) return { state: 'error', code: 7, text: vipMissingText(target.ip) };
    const destination = `${target.ip}/32`;
    let tables;
    try {
      tables = tablesHolding(await aws.describeRouteTables({ vpcId: target.vpcId }, callOptions(ctx, params)), destination);
    } catch (e) {
      return monitorApiFailure(params.mode, e);
    }
    const elsewhere = tables.filter((t) => routeTarget(t, destination) !== target.eniId);
    if (tables.length > 0 && elsewhere.length === 0) return { state: 'normal' };
    const peerEnis = new Map((ctx.target?.peers ?? []).map((p) => [eniOf(p.params), p.server]));
    ctx.log.warn(`${ctx.monitor}: the routing for ${destination} changed`, {
      expected: target.eniId,
      found: elsewhere.map((t) => {
        const now = routeTarget(t, destination);
        return { routeTable: t.id, target: now ?? null, server: peerEnis.get(now) ?? null };
      }),
      tablesHoldingTheRoute: tables.length,
    });
    return { state: 'error', code: 8, text: routingChangedText(target.ip) };
  },
};
