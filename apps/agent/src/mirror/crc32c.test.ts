import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

describe('crc32c', () => {
  it('matches the Castagnoli check value and RFC 3720 vectors', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const inc = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32c(inc)).toBe(0x46dd794e);
  });

  it('continues across pieces and honours start/end', () => {
    const data = Buffer.from('the quick brown fox jumps over the lazy dog, twice over');
    const whole = crc32c(data);
    for (const cut of [1, 7, 8, 9, 20, data.length - 1]) {
      expect(crc32c(data.subarray(cut), crc32c(data.subarray(0, cut)))).toBe(whole);
      expect(crc32c(data, crc32c(data, 0, 0, cut), cut)).toBe(whole);
    }
  });
});

describe('crc32c alignment and lists', () => {
  it('gives the same result at every byte offset and over lists', async () => {
    const { crc32cList } = await import('./crc32c.js');
    const base = Buffer.alloc(300);
    for (let i = 0; i < base.length; i += 1) base[i] = (i * 37 + 11) & 0xff;
    const slow = (b: Uint8Array): number => {
      let c = ~0;
      for (const v of b) {
        c ^= v;
        for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return ~c >>> 0;
    };
    for (let off = 0; off < 9; off += 1) {
      const view = base.subarray(off, off + 200 + off);
      expect(crc32c(view)).toBe(slow(view));
      expect(crc32cList([view.subarray(0, 5), view.subarray(5, 77), view.subarray(77)])).toBe(slow(view));
    }
  });
});
