/**
 * WebUI access control (CLUSTERPRO's "Control connection by using password" and client address lists):
 *  - no password set: everyone may operate; only the operation password set: everyone may look, the password
 *    operates; both set: nothing without a password, and the reference password is read-only;
 *  - the client address lists cap what an address may do (operation list → operate, reference list → look);
 *  - a session token is signed with a key derived from the cluster key, so it is valid on every server of the
 *    cluster (the page survives its agent's death) and dies when a password changes;
 *  - wrong passwords are answered slowly, more slowly after each failure from the same address;
 *  - the `kumo` CLI on the server itself presents a token file only root can read.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CIDR_RE, IPV4_RE } from '@kumo/shared';
import type { ValidConfig } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import { safeEqualHex } from '../crypto/cluster-key.js';
import { verifyPassword } from '../config/secrets.js';
import { KumoError } from '../util/errors.js';

export type Role = 'operate' | 'reference';

const rank = (r: Role | null) => (r === 'operate' ? 2 : r === 'reference' ? 1 : 0);
const minRole = (a: Role | null, b: Role | null): Role | null => (rank(a) <= rank(b) ? a : b);

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => (acc << 8) + Number(p), 0) >>> 0;
}

export function addressMatches(ip: string, entry: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (!IPV4_RE.test(v4)) return false;
  if (IPV4_RE.test(entry)) return v4 === entry;
  if (!CIDR_RE.test(entry)) return false;
  const [net, bits] = entry.split('/') as [string, string];
  const n = Number(bits);
  const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
  return (ipToInt(v4) & mask) === (ipToInt(net) & mask);
}

export class Sessions {
  private readonly failures = new Map<string, { count: number; at: number }>();
  private readonly secret: Buffer;
  private readonly revoked = new Set<string>();
  private localToken = '';

  constructor(
    key: ClusterKey,
    private readonly config: () => ValidConfig | null,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = key.derive('webui-session');
  }

  /** Writes the CLI's local token (mode 0600) into the data directory. */
  async writeLocalToken(dataDir: string): Promise<void> {
    this.localToken = randomBytes(32).toString('hex');
    await writeFile(path.join(dataDir, 'cli.token'), `${this.localToken}\n`, { mode: 0o600 });
  }

  static readLocalToken(dataDir: string): Promise<string> {
    return readFile(path.join(dataDir, 'cli.token'), 'utf8').then((t) => t.trim());
  }

  private security() {
    return this.config()?.cluster.webui;
  }

  /** What an address may do at most, from the client lists (CLUSTERPRO's iprest). */
  addressCap(ip: string): Role | null {
    const sec = this.security();
    if (!sec || !sec.clientAccess.enabled) return 'operate';
    if (sec.clientAccess.operation.some((e) => addressMatches(ip, e))) return 'operate';
    if (sec.clientAccess.reference.some((e) => addressMatches(ip, e))) return 'reference';
    return null;
  }

  passwordRequired(): boolean {
    return typeof this.security()?.operationPasswordHash === 'string';
  }

  /** The role of a connection that has not logged in. */
  anonymousRole(ip: string): Role | null {
    const sec = this.security();
    let role: Role | null = 'operate';
    if (sec?.operationPasswordHash) role = sec.referencePasswordHash ? null : 'reference';
    return minRole(role, this.addressCap(ip));
  }

  private fingerprint(): string {
    const sec = this.security();
    return createHash('sha256')
      .update(`${sec?.operationPasswordHash ?? ''}|${sec?.referencePasswordHash ?? ''}`)
      .digest('hex')
      .slice(0, 16);
  }

  private issue(role: Role): { role: Role; expiresAt: number; token: string } {
    const minutes = this.security()?.sessionTimeoutMin ?? 30;
    const expiresAt = this.now() + minutes * 60_000;
    const payload = Buffer.from(JSON.stringify({ r: role, e: expiresAt, f: this.fingerprint(), n: randomBytes(8).toString('hex') })).toString('base64url');
    const mac = createHmac('sha256', this.secret).update(payload).digest('hex');
    return { role, expiresAt, token: `${payload}.${mac}` };
  }

  /** The role a token grants here (null when forged, expired, revoked or issued before a password change). */
  verifyToken(token: string, ip: string): { role: Role; expiresAt: number } | null {
    const [payload, mac] = token.split('.');
    if (!payload || !mac || this.revoked.has(token)) return null;
    if (!safeEqualHex(createHmac('sha256', this.secret).update(payload).digest('hex'), mac)) return null;
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof body !== 'object' || body === null) return null;
    const { r, e, f } = body as { r?: unknown; e?: unknown; f?: unknown };
    if ((r !== 'operate' && r !== 'reference') || typeof e !== 'number' || f !== this.fingerprint() || e < this.now()) return null;
    const role = minRole(r, this.addressCap(ip));
    return role ? { role, expiresAt: e } : null;
  }

  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** Checks a password; a wrong one is answered after a delay that grows with the failures from that address. */
  async login(
    creds: { password?: string | undefined; token?: string | undefined; localToken?: string | undefined },
    ip: string,
  ): Promise<{ role: Role; expiresAt: number; token: string }> {
    if (creds.localToken !== undefined) {
      if (this.localToken && creds.localToken.length === this.localToken.length && safeEqualHex(createHash('sha256').update(creds.localToken).digest('hex'), createHash('sha256').update(this.localToken).digest('hex'))) {
        return this.issue('operate');
      }
      throw new KumoError('KUMO_E_AUTH_FAILED', 'the local token is wrong; run kumo as root on the server itself');
    }
    if (creds.token !== undefined) {
      const v = this.verifyToken(creds.token, ip);
      if (!v) throw new KumoError('KUMO_E_SESSION_EXPIRED');
      return { ...v, token: creds.token };
    }
    const cap = this.addressCap(ip);
    if (!cap) throw new KumoError('KUMO_E_CLIENT_ADDRESS_DENIED');
    const sec = this.security();
    const password = creds.password ?? '';
    const failure = this.failures.get(ip);
    if (failure && this.now() - failure.at < 15 * 60_000) {
      const delay = Math.min(5000, 250 * 2 ** (failure.count - 1));
      await new Promise((r) => setTimeout(r, delay));
    }
    let role: Role | null = null;
    if (!sec?.operationPasswordHash) role = 'operate';
    else if (await verifyPassword(password, sec.operationPasswordHash)) role = 'operate';
    else if (sec.referencePasswordHash && (await verifyPassword(password, sec.referencePasswordHash))) role = 'reference';
    if (!role) {
      const f = this.failures.get(ip);
      this.failures.set(ip, { count: (f?.count ?? 0) + 1, at: this.now() });
      throw new KumoError('KUMO_E_AUTH_FAILED');
    }
    this.failures.delete(ip);
    return this.issue(minRole(role, cap) ?? 'reference');
  }
}
