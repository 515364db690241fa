/**
 * The role credentials IMDS hands to each emulated instance. The access key ID is derived from the
 * instance ID (`ASIAKUMO` + 12 hex digits, 20 characters like a real temporary key), so the HTTP front end
 * can tell which instance signed a request without verifying signatures.
 */
import { createHash } from 'node:crypto';

export interface InstanceCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

function digest(seed: string): Buffer {
  return createHash('sha256').update(seed).digest();
}

export function instanceCredentials(instanceId: string): InstanceCredentials {
  return {
    accessKeyId: `ASIAKUMO${digest(`key:${instanceId}`).toString('hex').slice(0, 12).toUpperCase()}`,
    secretAccessKey: digest(`secret:${instanceId}`).toString('base64').slice(0, 40),
    sessionToken: `IQoJb3JpZ2luX2VjEKUMO${digest(`token:${instanceId}`).toString('base64')}`,
  };
}

/** The access key ID in a SigV4 `Authorization` header or `X-Amz-Credential` query parameter. */
export function accessKeyIdOf(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const credential = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] ?? query.get('X-Amz-Credential')?.split('/')[0];
  return credential === undefined || credential === '' ? undefined : credential;
}

/** The region of a SigV4 credential scope (`AKID/date/region/service/aws4_request`). */
export function signedRegionOf(authorization: string | undefined, query: URLSearchParams): string | undefined {
  const scope = /Credential=([^,\s]+)/.exec(authorization ?? '')?.[1] ?? query.get('X-Amz-Credential') ?? '';
  return scope.split('/')[2];
}
