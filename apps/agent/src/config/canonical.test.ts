import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import { canonicalJson, configHash } from './canonical.js';

const fixture = (name: string) => {
  const r = validateClusterConfig(JSON.parse(readFileSync(new URL(`../../../../packages/shared/fixtures/${name}.json`, import.meta.url), 'utf8')));
  if (!r.ok) throw new Error(`${name} does not validate`);
  return r.config;
};

describe('canonicalJson', () => {
  it('sorts keys at every level by code unit, integer-like keys included', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null }, 10: 'x', 2: 'y' })).toBe('{"10":"x","2":"y","a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('leaves undefined members out of objects and writes them as null in arrays, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: [1, undefined] })).toBe('{"b":[1,null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('escapes keys and strings as JSON does', () => {
    const odd = { 'k"\n': 'é"\n\u2028', n: 1.5e-7 };
    expect(JSON.parse(canonicalJson(odd))).toEqual(odd);
  });

  it('does not depend on the order the keys were written in', () => {
    expect(configHash({ x: 1, y: { p: true, q: [1, 2] } })).toBe(configHash({ y: { q: [1, 2], p: true }, x: 1 }));
    expect(configHash({ y: { q: [2, 1] } })).not.toBe(configHash({ y: { q: [1, 2] } }));
  });

  // Hashes stored by earlier versions must still match: a server adopts a peer's config only if its hash does.
  it('gives the hashes it always gave', () => {
    expect(configHash({ b: [1, undefined, { d: null, c: 'é"\n' }], a: undefined, z: { y: true, x: 1.5e-7 } })).toBe('dc62cf51c9c928b4bedd24d970df58954f274d897d934efb1c969a5d456e1b5b');
    expect(configHash(fixture('guide-vip'))).toBe('4cc0d4c70f6171fec0509404d5252206d67278743c01f805b3084b7d71d16390');
    expect(configHash(fixture('guide-eip'))).toBe('406743b1e27c88df52afe65e64d1e0bcb0d33493914ce5105f8e1c6ba16b16ef');
    expect(configHash(fixture('guide-dns'))).toBe('000a8e38d1becd131556b8f4d496e1f555782f397bf9774fda744bd7c2bdecde');
  });
});
