/**
 * AWS DNS resource (awsdns): an A record in a Route 53 hosted zone names this server's effective IP.
 * Activation reads the record first (an unchanged record costs no write of Route 53's 5-per-second budget),
 * UPSERTs it, waits for INSYNC with short GetChange polls bounded by the AWS CLI timeout, and reads it back.
 * Deactivation, when "Delete a resource record set at deactivation" is ticked, deletes the record with its
 * exact current values (as Route 53 requires), and only when it still names this server: a record another
 * server has taken over stays. A record that is already gone is success. It confirms that the record is gone
 * from the zone but does not wait for the deletion to reach every authoritative server (INSYNC, up to 60 s
 * on Route 53): nothing after a deactivation depends on it, and Route 53 applies a zone's changes in order,
 * so the next server's UPSERT (which does wait for INSYNC) is served after the deletion, never before. A move
 * therefore waits for one propagation, not two.
 *
 * Codes (guide chapter 9): 5 with AWS's text ("No hosted zone found with ID: …"), 6 "Timeout occurred.".
 * Probe: the record names this server. (With deletion off, a stopped resource's record still does; the engine
 * reconciles that with its peers.)
 */
import type { z } from 'zod';
import type { awsdnsType } from '@kumo/shared';
import type { AwsApi, CallOptions, RecordSet } from '../../aws/api.js';
import { callOptions, probeWith, resourceSetup } from '../../aws/driver-support.js';
import { awsFailure, AwsCallError } from '../../aws/errors.js';
import { fqdn } from '../../aws/dns-name.js';
import type { ResourceDriver } from '../driver.js';
import { ok } from '../driver.js';

export type AwsdnsParams = z.output<typeof awsdnsType.params>;

/** The record as this server wants it. */
export function wantedRecord(p: Pick<AwsdnsParams, 'recordName' | 'ttl' | 'ip'>): RecordSet {
  return { name: fqdn(p.recordName), type: 'A', ttl: p.ttl, values: [p.ip] };
}

/** Whether the record names exactly `ip` (one value). */
export function namesOnly(record: RecordSet | undefined, ip: string): boolean {
  return record !== undefined && record.values.length === 1 && record.values[0] === ip;
}

/** Waits until Route 53 has applied a change on all its authoritative servers. */
async function waitInsync(aws: AwsApi, changeId: string, opts: CallOptions): Promise<void> {
  await aws.confirm(`change ${changeId} INSYNC`, async (o) => (await aws.getChange(changeId, o)).status === 'INSYNC', opts);
}

function isAlreadyGone(e: unknown): boolean {
  return e instanceof AwsCallError && e.awsCode === 'InvalidChangeBatch' && /not found/i.test(e.text);
}

export const awsdnsDriver: ResourceDriver<AwsdnsParams> = {
  type: 'awsdns',

  async activate(ctx) {
    const setup = resourceSetup(ctx);
    if (!setup.ok) return setup.result;
    const { aws, params: p } = setup;
    const opts = callOptions(ctx, p);
    const want = wantedRecord(p);
    try {
      const current = await aws.getRecordSet(p.hostedZoneId, want.name, 'A', opts);
      if (namesOnly(current, p.ip) && current?.ttl === p.ttl) return ok(`${want.name} A ${p.ip} already`);
      const change = await aws.changeRecordSets(p.hostedZoneId, [{ action: 'UPSERT', record: want }], opts);
      ctx.log.info(`${ctx.resource}: ${want.name} A ${p.ip} (was ${current?.values.join(',') ?? 'absent'})`, { change: change.id });
      await waitInsync(aws, change.id, opts);
      await aws.confirm(`record ${want.name}`, async (o) => namesOnly(await aws.getRecordSet(p.hostedZoneId, want.name, 'A', o), p.ip), opts);
      return ok(`${want.name} A ${p.ip}`);
    } catch (e) {
      return awsFailure(e);
    }
  },

  async deactivate(ctx) {
    const setup = resourceSetup(ctx);
    if (!setup.ok) return setup.result;
    const { aws, params: p } = setup;
    if (!p.deleteOnDeactivate) return ok('record kept (deletion at deactivation is off)');
    const opts = callOptions(ctx, p);
    const name = fqdn(p.recordName);
    try {
      const current = await aws.getRecordSet(p.hostedZoneId, name, 'A', opts);
      if (!current) return ok('record already absent');
      if (!current.values.includes(p.ip)) return ok(`record names ${current.values.join(',')}, not this server: left as it is`);
      let change;
      try {
        change = await aws.changeRecordSets(p.hostedZoneId, [{ action: 'DELETE', record: current }], opts);
      } catch (e) {
        if (isAlreadyGone(e)) return ok('record already absent');
        throw e;
      }
      ctx.log.info(`${ctx.resource}: ${name} A ${current.values.join(',')} deleted`, { change: change.id });
      await aws.confirm(`deletion of ${name}`, async (o) => (await aws.getRecordSet(p.hostedZoneId, name, 'A', o)) === undefined, opts);
      return ok();
    } catch (e) {
      return awsFailure(e);
    }
  },

  probe(ctx) {
    const p = ctx.params;
    return probeWith(ctx, async (aws, opts) => namesOnly(await aws.getRecordSet(p.hostedZoneId, p.recordName, 'A', opts), p.ip));
  },
};
