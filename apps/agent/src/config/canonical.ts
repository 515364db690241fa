/** Canonical JSON (sorted keys) and its SHA-256: the identity of a config version on every server. */
import { createHash } from 'node:crypto';

/**
 * Keys sorted by code unit at every level, `undefined` members left out (as JSON.stringify does). Built by
 * concatenation rather than entries/map/join: a validated 32-server config is ~200 KB and every server hashes it
 * in an apply's prepare, all at once. (JSON.stringify with a key-sorting replacer would not do: an object lists
 * integer-like keys first whatever the insertion order.)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i > 0 ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}
