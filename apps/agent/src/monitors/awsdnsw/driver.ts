/**
 * AWS DNS monitor (awsdnsw): (a) the record set exists in Route 53 (7) and names this server's IP (8);
 * (b) the name resolves (9) to that IP (10). Resolution goes through the system resolver (getaddrinfo, so
 * /etc/hosts counts, as the guide's troubleshooting says), or through `dnsServer` (address[:port]) when set.
 * Only the Route 53 read is an AWS call: its failures follow the monitor's mode; 7–10 are errors in any mode.
 */
import { promises as dns } from 'node:dns';
import type { z } from 'zod';
import type { awsdnswType } from '@kumo/shared';
import { awsdnsType } from '@kumo/shared';
import { fqdn } from '../../aws/dns-name.js';
import { callOptions, monitorSetup } from '../../aws/driver-support.js';
import { monitorApiFailure } from '../../aws/errors.js';
import { namesOnly } from '../../resources/awsdns/driver.js';
import type { MonitorDriver } from '../../resources/driver.js';

type Params = z.output<typeof awsdnswType.params>;

export const RECORD_MISSING_TEXT = 'The resource record set in Amazon Route 53 does not exist.';
export const RECORD_DIFFERENT_TEXT = 'IP address different from the setting is registered in the resource record set of Amazon Route 53.';
export const RESOLVE_FAILED_TEXT = 'Failed to resolve domain name.';
export const RESOLVED_DIFFERENT_TEXT = 'IP address which is resolved domain name from the DNS resolver does not match setting.';

/** A DNS lookup never waits longer than this per try, whatever the AWS CLI timeout. */
const MAX_RESOLVE_TRY_MS = 5000;

/** The IPv4 addresses of `name`, through `server` (address[:port]) or the system resolver. */
export async function resolveIpv4(name: string, server: string | undefined, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (server !== undefined) {
    const resolver = new dns.Resolver({ timeout: Math.min(timeoutMs, MAX_RESOLVE_TRY_MS), tries: 2 });
    resolver.setServers([server]);
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      return await resolver.resolve4(host);
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
  // getaddrinfo cannot be cancelled: race it against the deadline and the signal.
  const deadline = AbortSignal.any([AbortSignal.timeout(Math.min(timeoutMs, 2 * MAX_RESOLVE_TRY_MS)), signal]);
  const lookup = dns.lookup(host, { all: true, family: 4 }).then((list) => list.map((a) => a.address));
  const aborted = new Promise<never>((_, reject) => {
    if (deadline.aborted) reject(new Error('resolution timed out'));
    deadline.addEventListener('abort', () => reject(new Error('resolution timed out')), { once: true });
  });
  return Promise.race([lookup, aborted]);
}

export const awsdnswDriver: MonitorDriver<Params> = {
  type: 'awsdnsw',
  async check(ctx) {
    const setup = monitorSetup(ctx, awsdnsType.params, 'awsdns');
    if (!setup.ok) return setup.result;
    const { aws, params, target } = setup;
    const name = fqdn(target.recordName);
    if (params.checkRecordSet) {
      let record;
      try {
        record = await aws.getRecordSet(target.hostedZoneId, name, 'A', callOptions(ctx, params));
      } catch (e) {
        return monitorApiFailure(params.mode, e);
      }
      if (!record) return { state: 'error', code: 7, text: RECORD_MISSING_TEXT };
      if (!namesOnly(record, target.ip)) {
        ctx.log.warn(`${ctx.monitor}: ${name} names ${record.values.join(',')}, not ${target.ip}`);
        return { state: 'error', code: 8, text: RECORD_DIFFERENT_TEXT };
      }
    }
    if (params.checkResolution) {
      let addresses: string[];
      try {
        addresses = await resolveIpv4(name, params.dnsServer, params.awsCliTimeoutS * 1000, ctx.signal);
      } catch (e) {
        ctx.log.warn(`${ctx.monitor}: resolving ${name} failed`, { server: params.dnsServer ?? 'system', error: e instanceof Error ? e.message : String(e) });
        return { state: 'error', code: 9, text: RESOLVE_FAILED_TEXT };
      }
      if (!addresses.includes(target.ip)) {
        ctx.log.warn(`${ctx.monitor}: ${name} resolves to ${addresses.join(',')}, not ${target.ip}`);
        return { state: 'error', code: 10, text: RESOLVED_DIFFERENT_TEXT };
      }
    }
    return { state: 'normal' };
  },
};
