/**
 * AWS Elastic IP resource (awseip): the EIP is associated with this server's ENI (its primary private IP).
 * Activation associates with reassociation allowed (no disassociate-then-associate gap, peers.md §6.3) and
 * confirms by a read with backoff; deactivation disassociates only when the EIP is on this server's ENI, so a
 * late stop never takes the address from the server that now holds it.
 *
 * Codes (guide chapter 9): 5 with AWS's text ("The allocation ID '…' does not exist", "The networkInterface
 * ID '…' does not exist"), 6 "Timeout occurred.".
 */
import type { z } from 'zod';
import type { awseipType } from '@kumo/shared';
import type { AwsApi, CallOptions, ElasticIp } from '../../aws/api.js';
import { callOptions, probeWith, resourceSetup } from '../../aws/driver-support.js';
import { awsFailure } from '../../aws/errors.js';
import type { DriverResult, ResourceContext, ResourceDriver } from '../driver.js';
import { fail, ok } from '../driver.js';

export type AwseipParams = z.output<typeof awseipType.params>;

export const allocationMissingText = (id: string) => `The allocation ID '${id}' does not exist`;

/** The EIP by allocation ID (AWS answers an unknown ID with its NotFound error). */
export async function describeEip(aws: AwsApi, allocationId: string, opts: CallOptions): Promise<ElasticIp | undefined> {
  const [address] = await aws.describeAddresses({ allocationIds: [allocationId] }, opts);
  return address;
}

/** Runs `step` with the EIP as it is now; AWS errors and an unknown allocation become the failure result. */
async function withEip(
  ctx: ResourceContext<AwseipParams>,
  step: (aws: AwsApi, address: ElasticIp, opts: CallOptions) => Promise<DriverResult>,
): Promise<DriverResult> {
  const setup = resourceSetup(ctx);
  if (!setup.ok) return setup.result;
  const opts = callOptions(ctx, ctx.params);
  try {
    const address = await describeEip(setup.aws, ctx.params.allocationId, opts);
    if (!address) return fail(5, allocationMissingText(ctx.params.allocationId), 'config');
    return await step(setup.aws, address, opts);
  } catch (e) {
    return awsFailure(e);
  }
}

export const awseipDriver: ResourceDriver<AwseipParams> = {
  type: 'awseip',

  activate(ctx) {
    const p = ctx.params;
    return withEip(ctx, async (aws, address, opts) => {
      const [eni] = await aws.describeNetworkInterfaces({ ids: [p.eniId] }, opts);
      if (!eni) return fail(5, `The networkInterface ID '${p.eniId}' does not exist`, 'node');
      if (address.eniId === p.eniId && address.privateIp === eni.privateIp) return ok(`${address.publicIp ?? p.allocationId} already on ${p.eniId}`);
      await aws.associateAddress({ allocationId: p.allocationId, eniId: p.eniId, privateIp: eni.privateIp }, opts);
      ctx.log.info(`${ctx.resource}: ${address.publicIp ?? p.allocationId} associated with ${p.eniId}`, { previous: address.eniId ?? null });
      await aws.confirm(`association of ${p.allocationId}`, async (o) => (await describeEip(aws, p.allocationId, o))?.eniId === p.eniId, opts);
      return ok(`${address.publicIp ?? p.allocationId} → ${p.eniId}`);
    });
  },

  deactivate(ctx) {
    const p = ctx.params;
    return withEip(ctx, async (aws, address, opts) => {
      if (address.eniId !== p.eniId || address.associationId === undefined) return ok('not associated with this server');
      await aws.disassociateAddress({ associationId: address.associationId }, opts);
      await aws.confirm(`disassociation of ${p.allocationId}`, async (o) => (await describeEip(aws, p.allocationId, o))?.eniId !== p.eniId, opts);
      return ok();
    });
  },

  probe(ctx) {
    const p = ctx.params;
    return probeWith(ctx, async (aws, opts) => (await describeEip(aws, p.allocationId, opts))?.eniId === p.eniId);
  },
};
