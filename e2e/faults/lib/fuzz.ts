/**
 * A small deterministic fuzzer: a seeded PRNG (mulberry32) and mutations of valid messages — structural ones on
 * the parsed value (a field removed, its type swapped, a huge or negative number, deep nesting, odd unicode,
 * prototype keys, an unknown field) and textual ones on the encoded bytes (truncation, flipped and inserted
 * bytes, invalid UTF-8, random garbage). The same seed gives the same cases, so a failure can be replayed.
 */

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i += 1) b[i] = this.int(256);
    return b;
  }
}

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\ud800', // a lone surrogate
  '\u202eevil', // right-to-left override
  '💥🔥',
  'ｓｅｒｖｅｒ１',
  'サーバ',
  '../../etc/passwd',
  '$(touch /tmp/kumo-fuzz-pwned)',
  '`id`',
  "'; DROP TABLE alerts; --",
  '%s%s%n',
  '{"nested":"json"}',
  'A'.repeat(70_000),
  'server1\nserver2',
];

const WEIRD_NUMBERS = [0, -1, 1, -0, 0.5, 2 ** 31, 2 ** 32 + 1, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER];

function weirdValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(9)) {
    case 0:
      return rng.pick(WEIRD_STRINGS);
    case 1:
      return rng.pick(WEIRD_NUMBERS);
    case 2:
      return rng.chance(0.5);
    case 3:
      return null;
    case 4:
      return [];
    case 5:
      return {};
    case 6:
      return depth < 2 ? [weirdValue(rng, depth + 1), weirdValue(rng, depth + 1)] : 'x';
    case 7:
      return depth < 2 ? { [rng.pick(['__proto__', 'constructor', 'prototype', 'id', 'type', 'kind'])]: weirdValue(rng, depth + 1) } : 0;
    default:
      return rng.bytes(rng.int(24)).toString('latin1');
  }
}

/** `[[[[…]]]]` `depth` levels deep, as JSON text (parsers with recursion limits meet it here). */
export function deepNesting(depth: number, open = '[', close = ']'): string {
  return `${open.repeat(depth)}${close.repeat(depth)}`;
}

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = [], limit = 400): Path[] {
  if (out.length >= limit) return out;
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out, limit));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out, limit);
  return out;
}

function getAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

function setAt(root: unknown, path: Path, next: unknown, remove = false): unknown {
  if (path.length === 0) return next;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (key === '__proto__') {
    Object.defineProperty(parent, key, { value: next, enumerable: true, configurable: true, writable: true });
  } else (parent as Record<string | number, unknown>)[key] = next;
  return root;
}

/** One to three structural mutations of a JSON value (the input is not modified). */
export function mutateValue(base: unknown, rng: Rng): unknown {
  let v: unknown = JSON.parse(JSON.stringify(base));
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i += 1) {
    const all = paths(v);
    const path = rng.pick(all);
    const here = getAt(v, path);
    switch (rng.int(8)) {
      case 0:
        if (path.length > 0) v = setAt(v, path, undefined, true);
        break;
      case 1: // type swap
        v = setAt(v, path, typeof here === 'string' ? 42 : typeof here === 'number' ? String(here) : typeof here === 'boolean' ? 'true' : Array.isArray(here) ? {} : here === null ? [] : typeof here === 'object' ? [here] : null);
        break;
      case 2:
        v = setAt(v, path, rng.pick(WEIRD_NUMBERS));
        break;
      case 3:
        v = setAt(v, path, rng.pick(WEIRD_STRINGS));
        break;
      case 4: {
        // An unknown field next to the chosen value.
        const parentPath = typeof here === 'object' && here !== null && !Array.isArray(here) ? path : path.slice(0, -1);
        const parent = getAt(v, parentPath);
        if (typeof parent === 'object' && parent !== null && !Array.isArray(parent)) (parent as Record<string, unknown>)[rng.pick(['extra', '__proto__', 'constructor', 'zz'])] = weirdValue(rng);
        break;
      }
      case 5: {
        let nested: unknown = rng.pick(['leaf', 0, null]);
        for (let d = 0; d < 50 + rng.int(200); d += 1) nested = rng.chance(0.5) ? [nested] : { a: nested };
        v = setAt(v, path, nested);
        break;
      }
      case 6:
        if (Array.isArray(here) && here.length > 0) here.push(...here.slice(0, 1 + rng.int(Math.min(20, here.length))));
        else v = setAt(v, path, weirdValue(rng));
        break;
      default:
        v = setAt(v, path, weirdValue(rng));
    }
  }
  return v;
}

/** One textual mutation of an encoded message. */
export function mutateBytes(text: Buffer, rng: Rng): Buffer {
  const b = Buffer.from(text);
  switch (rng.int(7)) {
    case 0:
      return b.subarray(0, rng.int(Math.max(1, b.length)));
    case 1: {
      for (let i = 0; i < 1 + rng.int(4); i += 1) if (b.length > 0) b[rng.int(b.length)] = rng.int(256);
      return b;
    }
    case 2: {
      const at = rng.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), rng.bytes(1 + rng.int(16)), b.subarray(at)]);
    }
    case 3:
      return Buffer.concat([b, Buffer.from([0xc3, 0x28, 0xff, 0xfe])]); // invalid UTF-8
    case 4:
      return rng.bytes(rng.int(200));
    case 5:
      return Buffer.from(deepNesting(1000 + rng.int(100_000), rng.chance(0.5) ? '[' : '{"a":', rng.chance(0.5) ? ']' : '}'));
    default: {
      // A duplicated key, the later one winning in JSON.parse.
      const s = b.toString('utf8');
      const i = s.indexOf('":');
      return Buffer.from(i > 0 ? `${s.slice(0, -1)},${s.slice(1, i + 2)}null}` : s);
    }
  }
}

/** A fuzz case from a valid base: mostly a structural mutation, sometimes a textual one. */
export function fuzzJson(base: unknown, rng: Rng): { text: Buffer; value: unknown } {
  // `value` is always what a receiver parses from `text` (a mutated object may carry a replaced prototype that
  // JSON does not, so it is not used as it is).
  const text = rng.chance(0.7) ? Buffer.from(JSON.stringify(mutateValue(base, rng)) ?? 'undefined') : mutateBytes(Buffer.from(JSON.stringify(base)), rng);
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch {
    value = undefined;
  }
  return { text, value };
}
