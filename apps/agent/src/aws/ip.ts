/** IPv4 arithmetic for the VIP checks (is an address inside a VPC's CIDR blocks?). */

/** The address as an unsigned 32-bit number, or undefined when it is not a dotted quad. */
export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const v = Number(part);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const addr = ipv4ToNumber(ip);
  const net = base === undefined ? undefined : ipv4ToNumber(base);
  const bits = Number(bitsText ?? '32');
  if (addr === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) === Math.floor(net / size);
}

/** The first of `cidrs` that holds `ip`. */
export function cidrHolding(ip: string, cidrs: readonly string[]): string | undefined {
  return cidrs.find((c) => ipInCidr(ip, c));
}
