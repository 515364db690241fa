/**
 * IPv4 and CIDR arithmetic for the emulator: route destinations, subnet membership and the topology
 * validator. IPv6 is only ever checked for syntax (AAAA records), through `node:net`.
 */
import { isIPv6 } from 'node:net';

/** Parses dotted-quad IPv4 (no leading zeros, as AWS writes them) into an unsigned 32-bit number. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

export function isIpv4(text: string): boolean {
  return parseIpv4(text) !== undefined;
}

export { isIPv6 as isIpv6 };

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** Parses `a.b.c.d/n`. With `strict`, host bits must be zero (as AWS requires for VPCs and subnets). */
export function parseCidr(text: string, strict = false): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const base = parseIpv4(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (base === undefined || !/^(0|[1-9][0-9]?)$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 32) return undefined;
  if (strict && (base & ~mask(prefix)) >>> 0 !== 0) return undefined;
  return { base: (base & mask(prefix)) >>> 0, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrContainsIp(cidr: Cidr, ip: number): boolean {
  return ((ip & mask(cidr.prefix)) >>> 0) === cidr.base;
}

/** True when every address of `inner` is inside `outer`. */
export function cidrInside(inner: Cidr, outer: Cidr): boolean {
  return inner.prefix >= outer.prefix && cidrContainsIp(outer, inner.base);
}

/** Number of addresses in the block. */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}
