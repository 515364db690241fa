import { describe, expect, it } from 'vitest';
import { SbFlag } from './cluster-partition.js';
import { type SideState, decideSync, hasCommonBase } from './sync-decision.js';

const X0 = 0x10n;
const X1 = 0x11n;
const Y1 = 0x21n;

function side(server: string, current: bigint, bitmap = 0n, extra: Partial<SideState> = {}): SideState {
  return { server, role: 'secondary', current, bitmap, history: [], flags: 0, ...extra };
}

const decide = (dialer: SideState, acceptor: SideState, unionBits = 0, initialCopy = true) =>
  decideSync({ dialer, acceptor, unionBits, initialCopy });

describe('decideSync (generation UUID rules)', () => {
  it('both just created: initial construction from the primary or the dialer, or adopt when skipped', () => {
    expect(decide(side('a', 0n), side('b', 0n))).toEqual({ kind: 'sync', source: 'a', target: 'b', full: true, rule: 'initial-construction' });
    expect(decide(side('a', 0n), side('b', 0n, 0n, { role: 'primary' }))).toMatchObject({ kind: 'sync', source: 'b' });
    expect(decide(side('a', 0n), side('b', 0n), 0, false)).toEqual({ kind: 'adopt', rule: 'both-just-created' });
  });

  it('one side just created: full copy from the other', () => {
    expect(decide(side('a', X0), side('b', 0n))).toMatchObject({ kind: 'sync', source: 'a', target: 'b', full: true, rule: 'peer-just-created' });
    expect(decide(side('a', 0n), side('b', X0))).toMatchObject({ kind: 'sync', source: 'b', full: true });
  });

  it('same generation: in sync, or a differential copy from the up-to-date / primary / crashed side', () => {
    expect(decide(side('a', X0), side('b', X0))).toEqual({ kind: 'in-sync' });
    expect(decide(side('a', X0), side('b', X0, 0n, { flags: SbFlag.OUTDATED }))).toMatchObject({ kind: 'sync', source: 'a', full: false, rule: 'current-equal' });
    expect(decide(side('a', X0, 0n, { flags: SbFlag.INCONSISTENT }), side('b', X0), 5)).toMatchObject({ kind: 'sync', source: 'b', full: false });
    expect(decide(side('a', X0), side('b', X0, 0n, { role: 'primary' }), 3)).toMatchObject({ kind: 'sync', source: 'b' });
    expect(decide(side('a', X0), side('b', X0, 0n, { flags: SbFlag.CRASHED_PRIMARY }), 3)).toMatchObject({ kind: 'sync', source: 'b' });
    expect(decide(side('a', X0, 0n, { flags: SbFlag.OUTDATED }), side('b', X0, 0n, { flags: SbFlag.INCONSISTENT }), 3)).toEqual({
      kind: 'refused',
      reason: 'no-up-to-date-data',
    });
  });

  it("a bitmap based on the peer's current gives a differential copy; a stale primary target is refused", () => {
    expect(decide(side('a', X1, X0), side('b', X0), 10)).toMatchObject({ kind: 'sync', source: 'a', full: false, rule: 'bitmap' });
    expect(decide(side('a', X0), side('b', X1, X0), 10)).toMatchObject({ kind: 'sync', source: 'b', full: false, rule: 'bitmap' });
    expect(decide(side('a', X1, X0), side('b', X0, 0n, { role: 'primary' }), 10)).toEqual({ kind: 'refused', reason: 'target-is-primary' });
  });

  it('both moved on from the same parent: split brain', () => {
    expect(decide(side('a', X1, X0), side('b', Y1, X0), 10)).toEqual({ kind: 'split-brain', rule: 'common-parent' });
    expect(decide(side('a', X1, 0x5n, { history: [0x3n] }), side('b', Y1, 0x6n, { history: [0x3n] }))).toEqual({
      kind: 'split-brain',
      rule: 'history-only',
    });
  });

  it("current in the peer's history: full copy; nothing in common: unrelated", () => {
    expect(decide(side('a', X1, 0n, { history: [X0] }), side('b', X0))).toMatchObject({ kind: 'sync', source: 'a', full: true, rule: 'history' });
    expect(decide(side('a', 0x1n), side('b', 0x2n))).toEqual({ kind: 'unrelated' });
  });

  it("the operator's choice wins, differential when the bitmaps share a base", () => {
    const a = side('a', X1, X0, { flags: SbFlag.FORCE_SOURCE });
    expect(decide(a, side('b', Y1, X0), 9)).toEqual({ kind: 'sync', source: 'a', target: 'b', full: false, rule: 'operator' });
    expect(decide(side('a', X1, X0), side('b', 0x77n, 0x66n, { flags: SbFlag.DISCARD_MY_DATA }))).toMatchObject({ source: 'a', full: true });
    expect(decide(a, side('b', Y1, X0, { flags: SbFlag.FORCE_SOURCE }))).toEqual({ kind: 'split-brain', rule: 'both-forced' });
    expect(decide(a, side('b', Y1, X0, { role: 'primary' }))).toEqual({ kind: 'refused', reason: 'target-is-primary' });
  });

  it('is symmetric: swapping dialer and acceptor names the same source', () => {
    const cases: [SideState, SideState, number][] = [
      [side('a', X1, X0), side('b', X0), 4],
      [side('a', X0), side('b', X0, 0n, { flags: SbFlag.OUTDATED }), 0],
      [side('a', 0n), side('b', X0), 0],
      [side('a', X1, 0n, { history: [X0] }), side('b', X0), 0],
    ];
    for (const [x, y, bits] of cases) {
      const d1 = decide(x, y, bits);
      const d2 = decide(y, x, bits);
      expect(d1.kind).toBe('sync');
      expect(d2).toEqual(d1);
    }
    expect(hasCommonBase(side('a', X1, X0), side('b', Y1, X0))).toBe(true);
    expect(hasCommonBase(side('a', X1), side('b', Y1))).toBe(false);
  });
});
