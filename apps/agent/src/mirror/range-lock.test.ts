import { describe, expect, it } from 'vitest';
import { RangeLock } from './range-lock.js';

describe('RangeLock', () => {
  it('grants overlapping requests in arrival order and independent ones at once', async () => {
    const lock = new RangeLock();
    const order: string[] = [];
    const r1 = await lock.acquire(0, 100);
    const p2 = lock.acquire(50, 150).then((rel) => {
      order.push('second');
      return rel;
    });
    const p3 = lock.acquire(120, 130).then((rel) => {
      order.push('third');
      return rel;
    });
    const r4 = await lock.acquire(200, 300); // overlaps nothing: granted at once
    order.push('fourth');
    await Promise.resolve();
    expect(order).toEqual(['fourth']);
    r1();
    const r2 = await p2;
    await Promise.resolve();
    expect(order).toEqual(['fourth', 'second']); // third overlaps second, which came first
    r2();
    (await p3)();
    r4();
    expect(order).toEqual(['fourth', 'second', 'third']);
    expect(lock.size).toBe(0);
  });

  it('tryAcquire refuses only when something overlaps', async () => {
    const lock = new RangeLock();
    const r = await lock.acquire(0, 10);
    expect(lock.tryAcquire(5, 6)).toBeNull();
    const r2 = lock.tryAcquire(10, 20);
    expect(r2).not.toBeNull();
    r();
    r2?.();
    r(); // double release is harmless
    expect(lock.size).toBe(0);
  });
});
