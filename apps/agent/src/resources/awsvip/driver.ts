/**
 * AWS Virtual IP resource (awsvip): a VIP outside the VPC CIDR, routed to the active server. Activation
 * points **every** route table of the VPC that holds `VIP/32` at this server's ENI (ReplaceRoute, confirmed by
 * a read with backoff) and adds the VIP to the NIC holding the ENI's private IP. Deactivation only removes the
 * VIP from the NIC: the routes are repointed by the next activation, wherever it happens (CLUSTERPRO's way).
 *
 * Codes (guide chapter 9): 5 with AWS's text, 6 "Timeout occurred.", 7 "The VIP address … belongs to a VPC
 * subnet.".
 */
import type { z } from 'zod';
import type { awsvipType } from '@kumo/shared';
import type { AwsApi, CallOptions, RouteTable } from '../../aws/api.js';
import { callOptions, hostStep, probeWith, resourceSetup } from '../../aws/driver-support.js';
import { awsFailure } from '../../aws/errors.js';
import { cidrHolding } from '../../aws/ip.js';
import type { ResourceDriver } from '../driver.js';
import { fail, ok } from '../driver.js';

export type AwsvipParams = z.output<typeof awsvipType.params>;

export const vipInsideCidrText = (ip: string) => `The VIP address ${ip} belongs to a VPC subnet.`;

/** The route tables among `tables` that hold a route for `destination`. */
export function tablesHolding(tables: readonly RouteTable[], destination: string): RouteTable[] {
  return tables.filter((t) => t.routes.some((r) => r.destination === destination));
}

export function routeTarget(table: RouteTable, destination: string): string | undefined {
  const route = table.routes.find((r) => r.destination === destination);
  return route?.eniId ?? route?.target;
}

/** Whether every table holding `destination` routes it to `eniId` (false when none holds it). */
export async function routesPointAt(aws: AwsApi, vpcId: string, destination: string, eniId: string, opts: CallOptions): Promise<boolean> {
  const tables = tablesHolding(await aws.describeRouteTables({ vpcId }, opts), destination);
  return tables.length > 0 && tables.every((t) => routeTarget(t, destination) === eniId);
}

export const awsvipDriver: ResourceDriver<AwsvipParams> = {
  type: 'awsvip',

  async activate(ctx) {
    const setup = resourceSetup(ctx);
    if (!setup.ok) return setup.result;
    const { aws, params: p } = setup;
    const opts = callOptions(ctx, p);
    const destination = `${p.ip}/32`;
    let privateIp: string;
    try {
      const [vpc] = await aws.describeVpcs({ ids: [p.vpcId] }, opts);
      if (!vpc) return fail(5, `The vpc ID '${p.vpcId}' does not exist`, 'config');
      if (cidrHolding(p.ip, vpc.cidrs) !== undefined) return fail(7, vipInsideCidrText(p.ip), 'config');
      const [eni] = await aws.describeNetworkInterfaces({ ids: [p.eniId] }, opts);
      if (!eni) return fail(5, `The networkInterface ID '${p.eniId}' does not exist`, 'node');
      privateIp = eni.privateIp;
      const tables = tablesHolding(await aws.describeRouteTables({ vpcId: p.vpcId }, opts), destination);
      if (tables.length === 0) {
        return fail(5, `No route table of ${p.vpcId} has a route for ${destination}. Add ${destination} → ${p.eniId} to every route table whose subnets must reach the VIP.`, 'config');
      }
      const stale = tables.filter((t) => routeTarget(t, destination) !== p.eniId);
      await Promise.all(stale.map((t) => aws.replaceRoute({ routeTableId: t.id, destination, eniId: p.eniId }, opts)));
      if (stale.length > 0) {
        ctx.log.info(`${ctx.resource}: ${destination} now routed to ${p.eniId}`, { routeTables: stale.map((t) => t.id) });
        await aws.confirm(
          `routes for ${destination}`,
          async (o) => tablesHolding(await aws.describeRouteTables({ ids: stale.map((t) => t.id) }, o), destination).every((t) => routeTarget(t, destination) === p.eniId),
          opts,
        );
      }
    } catch (e) {
      return awsFailure(e);
    }
    const failed = await hostStep(`adding ${p.ip} to the NIC`, () => ctx.host.addAddress(p.ip, { nic: p.nic, nearIp: privateIp, signal: ctx.signal }));
    return failed ?? ok(`${destination} → ${p.eniId}`);
  },

  async deactivate(ctx) {
    const setup = resourceSetup(ctx);
    if (!setup.ok) return setup.result;
    const { ip } = setup.params;
    const failed = await hostStep(`removing ${ip} from the NIC`, () => ctx.host.removeAddress(ip, { signal: ctx.signal }));
    return failed ?? ok();
  },

  probe(ctx) {
    const p = ctx.params;
    return probeWith(ctx, async (aws, opts) => {
      if (!(await ctx.host.hasAddress(p.ip, { signal: ctx.signal }))) return false;
      if (await routesPointAt(aws, p.vpcId, `${p.ip}/32`, p.eniId, opts)) return true;
      ctx.log.warn(`${ctx.resource}: ${p.ip} is on this server's NIC but its routes point elsewhere (a stale VIP)`);
      return 'stale';
    });
  },
};
