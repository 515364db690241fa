/**
 * What two mirror sides do when they connect: DRBD's generation-UUID rules (reference/mirror-disk.md §1,
 * `drbd_uuid_compare()`), made smaller. Pure: no I/O, no clock. The dialer computes the decision from both
 * sides' handshake states and sends it; the acceptor applies what it receives, so the two never disagree.
 *
 * UUID contract kept by mirror-disk.ts:
 * - `current` changes (a fresh random value) on the first write a side makes that its peer does not get,
 *   and when an operator forces a stale side; 0n means "just created".
 * - `bitmap` is the UUID the peer's data is based on while this side tracks what the peer lacks in its
 *   out-of-sync bitmap; 0n when the peer is in sync. It is set at that first unreplicated write and at the
 *   start of a resync, and cleared when a resync finishes.
 * - `history` keeps earlier currents, newest first.
 */
import { SbFlag } from './cluster-partition.js';

export interface SideState {
  server: string;
  role: 'primary' | 'secondary';
  current: bigint;
  bitmap: bigint;
  history: readonly bigint[];
  flags: number;
}

export interface DecisionInput {
  dialer: SideState;
  acceptor: SideState;
  /** Bits set in the union of both out-of-sync bitmaps (including a crashed primary's write-intent regions). */
  unionBits: number;
  /** False when both sides promise their data partitions are identical (skip the initial full copy). */
  initialCopy: boolean;
}

export type SyncDecision =
  | { kind: 'in-sync' }
  | { kind: 'adopt'; rule: 'both-just-created' }
  | { kind: 'sync'; source: string; target: string; full: boolean; rule: SyncRule }
  | { kind: 'split-brain'; rule: 'common-parent' | 'history-only' | 'both-forced' }
  | { kind: 'unrelated' }
  | { kind: 'refused'; reason: RefuseReason };

export type SyncRule =
  | 'operator'
  | 'initial-construction'
  | 'peer-just-created'
  | 'current-equal'
  | 'bitmap'
  | 'history';

export type RefuseReason = 'target-is-primary' | 'both-primary' | 'no-up-to-date-data';

const NOT_A_SOURCE = SbFlag.INCONSISTENT | SbFlag.OUTDATED | SbFlag.DISCARD_MY_DATA;

export function decideSync(input: DecisionInput): SyncDecision {
  const { dialer: d, acceptor: a } = input;
  const sync = (source: SideState, target: SideState, full: boolean, rule: SyncRule): SyncDecision => {
    if (target.role === 'primary') return { kind: 'refused', reason: 'target-is-primary' };
    if (rule !== 'operator' && (source.flags & NOT_A_SOURCE) !== 0) return { kind: 'refused', reason: 'no-up-to-date-data' };
    return { kind: 'sync', source: source.server, target: target.server, full, rule };
  };

  // 1. The operator's choice (forceRecover) beats every UUID rule.
  const wantD = (d.flags & SbFlag.FORCE_SOURCE) !== 0 || (a.flags & SbFlag.DISCARD_MY_DATA) !== 0;
  const wantA = (a.flags & SbFlag.FORCE_SOURCE) !== 0 || (d.flags & SbFlag.DISCARD_MY_DATA) !== 0;
  if (wantD && wantA) return { kind: 'split-brain', rule: 'both-forced' };
  if (wantD) return sync(d, a, !hasCommonBase(d, a), 'operator');
  if (wantA) return sync(a, d, !hasCommonBase(d, a), 'operator');

  // 2. Initial mirror construction.
  if (d.current === 0n && a.current === 0n) {
    if (!input.initialCopy) return { kind: 'adopt', rule: 'both-just-created' };
    const source = a.role === 'primary' ? a : d;
    return sync(source, source === d ? a : d, true, 'initial-construction');
  }
  if (d.current === 0n) return sync(a, d, true, 'peer-just-created');
  if (a.current === 0n) return sync(d, a, true, 'peer-just-created');

  // 3. Same generation: in sync unless someone has bits, is stale, or crashed while primary.
  if (d.current === a.current) {
    const dBad = (d.flags & NOT_A_SOURCE) !== 0;
    const aBad = (a.flags & NOT_A_SOURCE) !== 0;
    if (input.unionBits === 0 && !dBad && !aBad) {
      return d.role === 'primary' && a.role === 'primary' ? { kind: 'refused', reason: 'both-primary' } : { kind: 'in-sync' };
    }
    if (dBad && aBad) return { kind: 'refused', reason: 'no-up-to-date-data' };
    let source: SideState;
    if (dBad) source = a;
    else if (aBad) source = d;
    else if (d.role !== a.role) source = d.role === 'primary' ? d : a;
    else if (crashed(d) !== crashed(a)) source = crashed(d) ? d : a;
    else source = d;
    return sync(source, source === d ? a : d, false, 'current-equal');
  }

  // 4. One side's bitmap is based on the other's current data: a differential copy from it.
  if (d.bitmap !== 0n && d.bitmap === a.current) return sync(d, a, false, 'bitmap');
  if (a.bitmap !== 0n && a.bitmap === d.current) return sync(a, d, false, 'bitmap');

  // 5. Both moved on from the same parent.
  if (d.bitmap !== 0n && d.bitmap === a.bitmap) return { kind: 'split-brain', rule: 'common-parent' };

  // 6. One side's current is in the other's past, but no bitmap describes the difference: a full copy.
  if (d.history.includes(a.current)) return sync(d, a, true, 'history');
  if (a.history.includes(d.current)) return sync(a, d, true, 'history');

  // 7. Related only through older history: both changed, we cannot tell how.
  const past = new Set([d.bitmap, ...d.history].filter((u) => u !== 0n));
  if ([a.bitmap, ...a.history].some((u) => u !== 0n && past.has(u))) return { kind: 'split-brain', rule: 'history-only' };
  return { kind: 'unrelated' };
}

/** True when the two sides' out-of-sync bitmaps describe their difference, so a union copy suffices. */
export function hasCommonBase(x: SideState, y: SideState): boolean {
  if (x.current === 0n || y.current === 0n) return false;
  if (x.current === y.current) return true;
  if (x.bitmap !== 0n && (x.bitmap === y.current || x.bitmap === y.bitmap)) return true;
  return y.bitmap !== 0n && y.bitmap === x.current;
}

function crashed(s: SideState): boolean {
  return (s.flags & SbFlag.CRASHED_PRIMARY) !== 0;
}
