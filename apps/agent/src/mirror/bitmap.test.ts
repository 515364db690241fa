import { describe, expect, it } from 'vitest';
import { Bitmap } from './bitmap.js';

describe('Bitmap', () => {
  it('sets, clears and counts ranges at any alignment', () => {
    const b = new Bitmap(1000);
    expect(b.setRange(3, 77)).toBe(74);
    expect(b.setRange(70, 80)).toBe(3);
    expect(b.count).toBe(77);
    expect(b.countRange(0, 1000)).toBe(77);
    expect(b.clearRange(10, 20)).toBe(10);
    expect(b.count).toBe(67);
    expect(b.get(9)).toBe(true);
    expect(b.get(10)).toBe(false);
    expect(b.nextSet(10)).toBe(20);
    expect(b.nextClear(20)).toBe(80);
    expect(b.nextSet(80)).toBe(-1);
    expect(b.setRange(990, 2000)).toBe(10);
    expect(b.nextClear(990)).toBe(1000);
  });

  it('skips zero words when scanning a sparse bitmap', () => {
    const b = new Bitmap(1 << 20);
    b.set(777_777);
    expect(b.nextSet(0)).toBe(777_777);
    expect(b.nextSet(777_778)).toBe(-1);
  });

  it('unions, tracks dirty pages and ignores padding bits', () => {
    const a = new Bitmap(40_000);
    a.set(5);
    a.takeDirtyPages();
    const other = new Bitmap(40_000);
    other.setRange(33_000, 33_010);
    const foreign = Buffer.from(other.bytes);
    foreign[foreign.length - 1] = 0xff; // padding past bit 40 000
    expect(a.unionWith(foreign)).toBeGreaterThanOrEqual(10);
    expect(a.count).toBe(11);
    expect(a.takeDirtyPages()).toEqual([1]);
    const reloaded = new Bitmap(40_000, a.bytes);
    expect(reloaded.count).toBe(11);
    reloaded.clearAll();
    expect(reloaded.count).toBe(0);
    expect(reloaded.takeDirtyPages()).toEqual([0, 1]);
  });
});
