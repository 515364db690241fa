/**
 * A small IMDSv2 client (token first, never v1), with short timeouts: who this instance is (ID, AZ, region,
 * primary MAC and its ENI, private IP, VPC, account) and its instance-role credentials. The token lives in
 * memory only (peers.md §1.3: the shell agents' token file was a security complaint) and is renewed before it
 * expires or when IMDS answers 401.
 */
import { z } from 'zod';

export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';

export interface InstanceIdentity {
  instanceId: string;
  availabilityZone: string;
  region: string;
  /** MAC of the primary interface. */
  mac: string;
  /** ENI of the primary interface. */
  eniId: string;
  privateIp: string;
  vpcId: string | undefined;
  accountId: string | undefined;
}

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export class ImdsError extends Error {
  override readonly name = 'ImdsError';
}

const TOKEN_TTL_S = 21600;

const identityDocument = z.object({ accountId: z.string().optional(), region: z.string().optional() });
const roleCredentials = z.object({
  AccessKeyId: z.string(),
  SecretAccessKey: z.string(),
  Token: z.string(),
  Expiration: z.string(),
});

export class ImdsClient {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private token: { value: string; expires: number } | undefined;

  constructor(opts: { endpoint?: string | undefined; timeoutMs?: number | undefined } = {}) {
    this.endpoint = (opts.endpoint ?? DEFAULT_IMDS_ENDPOINT).replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 1000;
  }

  private signal(parent: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return parent ? AbortSignal.any([timeout, parent]) : timeout;
  }

  private async getToken(signal: AbortSignal | undefined, renew: boolean): Promise<string> {
    if (!renew && this.token && this.token.expires > Date.now()) return this.token.value;
    const res = await fetch(`${this.endpoint}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_S) },
      signal: this.signal(signal),
    });
    const body = await res.text();
    if (!res.ok) throw new ImdsError(`IMDS token: HTTP ${res.status}`);
    this.token = { value: body, expires: Date.now() + (TOKEN_TTL_S - 300) * 1000 };
    return body;
  }

  /** GET /latest/<path> with the token; a 401 renews the token once. */
  async get(path: string, signal?: AbortSignal): Promise<string> {
    for (let renew = false; ; renew = true) {
      const token = await this.getToken(signal, renew);
      const res = await fetch(`${this.endpoint}/latest/${path.replace(/^\/+/, '')}`, {
        headers: { 'x-aws-ec2-metadata-token': token },
        signal: this.signal(signal),
      });
      const body = await res.text();
      if (res.status === 401 && !renew) continue;
      if (!res.ok) throw new ImdsError(`IMDS ${path}: HTTP ${res.status}`);
      return body.trim();
    }
  }

  async identity(signal?: AbortSignal): Promise<InstanceIdentity> {
    const [instanceId, availabilityZone, region, mac, privateIp] = await Promise.all([
      this.get('meta-data/instance-id', signal),
      this.get('meta-data/placement/availability-zone', signal),
      this.get('meta-data/placement/region', signal),
      this.get('meta-data/mac', signal),
      this.get('meta-data/local-ipv4', signal),
    ]);
    const [eniId, vpcId, document] = await Promise.all([
      this.get(`meta-data/network/interfaces/macs/${mac}/interface-id`, signal),
      this.get(`meta-data/network/interfaces/macs/${mac}/vpc-id`, signal).catch(() => undefined),
      this.get('dynamic/instance-identity/document', signal).catch(() => undefined),
    ]);
    let accountId: string | undefined;
    if (document !== undefined) {
      try {
        accountId = identityDocument.parse(JSON.parse(document)).accountId;
      } catch {
        accountId = undefined;
      }
    }
    return { instanceId, availabilityZone, region, mac, eniId, privateIp, vpcId, accountId };
  }

  /** The credentials of the instance's IAM role (the guide's recommended setup: no keys on the server). */
  async roleCredentials(signal?: AbortSignal): Promise<RoleCredentials> {
    const roles = await this.get('meta-data/iam/security-credentials/', signal).catch((e: unknown) => {
      throw new ImdsError(`no IAM role is attached to this instance (${e instanceof Error ? e.message : String(e)})`);
    });
    const role = roles.split('\n').find((r) => r.trim() !== '');
    if (role === undefined) throw new ImdsError('no IAM role is attached to this instance');
    const parsed = roleCredentials.parse(JSON.parse(await this.get(`meta-data/iam/security-credentials/${role.trim()}`, signal)));
    return {
      accessKeyId: parsed.AccessKeyId,
      secretAccessKey: parsed.SecretAccessKey,
      sessionToken: parsed.Token,
      expiration: new Date(parsed.Expiration),
    };
  }
}
