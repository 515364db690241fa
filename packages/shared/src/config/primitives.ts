/**
 * The small value types of a cluster configuration (names, addresses, AWS IDs, durations) with their syntax
 * rules. Each check's error names a message key from `messages.ts`, which says what is wrong and how to fix it
 * in English and Japanese.
 */
import { z } from 'zod';

/** `error` values of the checks below are message keys (see messages.ts), rendered with the input value. */
export const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const CIDR_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

export const ipv4 = z.string({ error: 'msg:ipv4' }).regex(IPV4_RE, { error: 'msg:ipv4' });
export const cidr = z.string({ error: 'msg:cidr' }).regex(CIDR_RE, { error: 'msg:cidr' });
/** An IPv4 address or CIDR block, for client address lists. */
export const addressOrCidr = z
  .string({ error: 'msg:addressOrCidr' })
  .refine((v) => IPV4_RE.test(v) || CIDR_RE.test(v), { error: 'msg:addressOrCidr' });

/** Server names are host names in lower case, as CLUSTERPRO requires. */
export const serverName = z
  .string({ error: 'msg:serverName' })
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'msg:serverName' });

/** Names of clusters, groups, resources and monitors: letters, digits, `-` and `_`, 1–31 characters. */
export const objectName = z
  .string({ error: 'msg:objectName' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,30}$/, { error: 'msg:objectName' });

export const vpcId = z.string({ error: 'msg:vpcId' }).regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'msg:vpcId' });
export const eniId = z.string({ error: 'msg:eniId' }).regex(/^eni-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'msg:eniId' });
export const eipAllocationId = z
  .string({ error: 'msg:eipAllocationId' })
  .regex(/^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'msg:eipAllocationId' });
export const instanceId = z
  .string({ error: 'msg:instanceId' })
  .regex(/^i-([0-9a-f]{8}|[0-9a-f]{17})$/, { error: 'msg:instanceId' });
export const hostedZoneId = z
  .string({ error: 'msg:hostedZoneId' })
  .regex(/^Z[A-Z0-9]{1,31}$/, { error: 'msg:hostedZoneId' });
export const availabilityZone = z
  .string({ error: 'msg:availabilityZone' })
  .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, { error: 'msg:availabilityZone' });
export const awsRegion = z.string({ error: 'msg:awsRegion' }).regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'msg:awsRegion' });

/**
 * A Route 53 record name: a fully qualified name in lower case with the trailing dot (`srv.hz1.local.`).
 * Upper case is refused because the guide lists it as a cause of awsdns failures (chapter 9).
 */
export const recordName = z
  .string({ error: 'msg:recordName' })
  .superRefine((v, ctx) => {
    if (!v.endsWith('.')) ctx.addIssue({ code: 'custom', message: 'msg:recordNameDot', input: v });
    else if (v !== v.toLowerCase()) ctx.addIssue({ code: 'custom', message: 'msg:recordNameLower', input: v });
    else if (!/^([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)+$/.test(v) || v.length > 254) {
      ctx.addIssue({ code: 'custom', message: 'msg:recordName', input: v });
    }
  });

/** Host names or addresses for NP targets and the witness. */
export const hostOrAddress = z
  .string({ error: 'msg:host' })
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, { error: 'msg:host' });

export const port = z.number({ error: 'msg:port' }).int({ error: 'msg:port' }).min(1, { error: 'msg:port' }).max(65535, { error: 'msg:port' });

/** Seconds, as CLUSTERPRO's screens use; fractions allowed so that tests and the demo can run fast. */
export function seconds(min: number, max: number) {
  return z
    .number({ error: 'msg:number' })
    .min(min, { error: `msg:range:${min}:${max}` })
    .max(max, { error: `msg:range:${min}:${max}` });
}

export function count(min: number, max: number) {
  return z
    .number({ error: 'msg:integer' })
    .int({ error: 'msg:integer' })
    .min(min, { error: `msg:range:${min}:${max}` })
    .max(max, { error: `msg:range:${min}:${max}` });
}

/** An absolute path on the server (mount points, devices). */
export const absolutePath = z
  .string({ error: 'msg:absolutePath' })
  .regex(/^\/[^\0]*$/, { error: 'msg:absolutePath' });

export const comment = z.string({ error: 'msg:text' }).max(127, { error: 'msg:commentLength' });
