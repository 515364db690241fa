/**
 * Secrets in the config (the WebUI password hashes) never travel to the browser, exports or logs. The browser
 * sends new passwords in clear over its (HTTPS) connection, the agent hashes them with scrypt, and an apply
 * keeps the stored hashes unless a password is changed.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { SECRET_FIELDS } from '@kumo/shared';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

/** scrypt with N=2^15, r=8, p=1: about 50–100 ms per check here — slow on purpose. */
const PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: PARAMS.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

type Json = Record<string, unknown>;

function webuiOf(config: unknown): Json | undefined {
  if (typeof config !== 'object' || config === null) return undefined;
  const cluster = (config as Json)['cluster'];
  if (typeof cluster !== 'object' || cluster === null) return undefined;
  const webui = (cluster as Json)['webui'];
  return typeof webui === 'object' && webui !== null ? (webui as Json) : undefined;
}

/** A deep copy of a config without its secrets (for the browser, exports and logs). */
export function redactSecrets<T>(config: T): T {
  if (config === null || config === undefined) return config;
  const copy = JSON.parse(JSON.stringify(config)) as T;
  const webui = webuiOf(copy);
  if (webui) for (const f of SECRET_FIELDS) delete webui[f];
  return copy;
}

/** Which passwords a config has set (what the browser may know). */
export function passwordsSet(config: unknown): { operation: boolean; reference: boolean } {
  const webui = webuiOf(config);
  return { operation: typeof webui?.['operationPasswordHash'] === 'string', reference: typeof webui?.['referencePasswordHash'] === 'string' };
}

/**
 * The incoming config with the secret fields taken from the current config, then changed as `passwords` asks
 * (a string sets, null removes). Hashes inside the incoming document are ignored: only the agent writes them.
 */
export async function carrySecrets(
  incoming: unknown,
  current: unknown,
  passwords: { operation?: string | null | undefined; reference?: string | null | undefined } | undefined,
  hash: (password: string) => Promise<string>,
): Promise<unknown> {
  if (typeof incoming !== 'object' || incoming === null) return incoming;
  const copy = JSON.parse(JSON.stringify(incoming)) as Json;
  const cluster = copy['cluster'];
  if (typeof cluster !== 'object' || cluster === null) return copy;
  const c = cluster as Json;
  const webui: Json = typeof c['webui'] === 'object' && c['webui'] !== null ? (c['webui'] as Json) : {};
  c['webui'] = webui;
  const old = webuiOf(current);
  const set = async (field: (typeof SECRET_FIELDS)[number], value: string | null | undefined) => {
    delete webui[field];
    if (value === undefined) {
      if (typeof old?.[field] === 'string') webui[field] = old[field];
    } else if (value !== null && value !== '') {
      webui[field] = await hash(value);
    }
  };
  await set('operationPasswordHash', passwords?.operation);
  await set('referencePasswordHash', passwords?.reference);
  return copy;
}
