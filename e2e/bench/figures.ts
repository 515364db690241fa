/**
 * A benchmark figure: what was measured, in which unit, every run, the median with min and max, and the target
 * it is judged against. Targets are judged on the median (the machine is shared, so one slow run is noise), and
 * `metByEveryRun` says whether the worst run met it too. Benchmarks report; they never fail on a figure.
 */

export type Unit = 'ms' | 's' | 'MiB' | 'KiB' | 'MiB/s' | 'IOPS' | 'µs' | '%' | 'count';

export interface Target {
  /** `<=`: the figure must not exceed `value`; `>=`: it must reach it. */
  op: '<=' | '>=';
  value: number;
  /** Where the target comes from, in words ("heartbeat timeout 3 s + 1 s"). */
  source: string;
}

export interface Figure {
  id: string;
  label: string;
  unit: Unit;
  runs: number[];
  median: number | null;
  min: number | null;
  max: number | null;
  target?: Target;
  /** Runs that gave no figure at all (e.g. no failover happened); they count as missing the target. */
  failures?: number;
  /** The median meets the target, failed runs counted as missing it; null when there is no target or no run. */
  met: boolean | null;
  /** The worst run meets the target too. */
  metByEveryRun: boolean | null;
  /** The same figure for a reference measured in the same run (nbdkit's memory plugin beside the mirror). */
  beside?: { label: string; median: number | null; runs: number[] };
  notes?: string[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 10) / 10;
}

function meets(target: Target, v: number): boolean {
  return target.op === '<=' ? v <= target.value : v >= target.value;
}

export function figure(
  id: string,
  label: string,
  unit: Unit,
  runs: readonly number[],
  opts: { target?: Target; notes?: string[]; beside?: { label: string; runs: readonly number[] }; failures?: number } = {},
): Figure {
  const r = runs.filter((v) => Number.isFinite(v)).map(round);
  const med = median(r);
  const min = r.length > 0 ? Math.min(...r) : null;
  const max = r.length > 0 ? Math.max(...r) : null;
  const failures = opts.failures ?? 0;
  const t = opts.target;
  // A failed run is the worst possible one: it shifts the judged median and fails "every run".
  const judged = t ? median([...r, ...Array<number>(failures).fill(t.op === '<=' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY)]) : null;
  const worst = failures > 0 ? null : t?.op === '>=' ? min : max;
  return {
    id,
    label,
    unit,
    runs: r,
    median: med === null ? null : round(med),
    min,
    max,
    ...(t ? { target: t } : {}),
    ...(failures > 0 ? { failures } : {}),
    met: t && judged !== null ? meets(t, judged) : null,
    metByEveryRun: t ? (failures > 0 ? false : worst !== null ? meets(t, worst) : null) : null,
    ...(opts.beside ? { beside: besideOf(opts.beside) } : {}),
    ...(opts.notes && opts.notes.length > 0 ? { notes: opts.notes } : {}),
  };
}

function besideOf(b: { label: string; runs: readonly number[] }): NonNullable<Figure['beside']> {
  const runs = b.runs.filter((v) => Number.isFinite(v)).map(round);
  const m = median(runs);
  return { label: b.label, median: m === null ? null : round(m), runs };
}

/** `median (min–max)` in the figure's unit, for logs and the Markdown table. */
export function describe(f: Figure): string {
  const failed = f.failures ? `${f.failures} run${f.failures > 1 ? 's' : ''} failed` : '';
  if (f.median === null) return failed ? `none (${failed})` : 'not measured';
  const n = (v: number) => v.toLocaleString('en-US');
  const parts = [...(f.runs.length > 1 ? [`${n(f.min!)}–${n(f.max!)}`] : []), `${f.runs.length} run${f.runs.length > 1 ? 's' : ''}`, ...(failed ? [failed] : [])];
  return `${n(f.median)} ${f.unit} (${parts.join(', ')})`;
}

export function describeTarget(t: Target | undefined, unit: Unit): string {
  if (!t) return '–';
  return `${t.op === '<=' ? '≤' : '≥'} ${t.value.toLocaleString('en-US')} ${unit}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
