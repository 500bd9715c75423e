/**
 * Immutable sets of integers stored as sorted, disjoint, non-adjacent
 * inclusive intervals. Used for port ranges (numbers). Operations never
 * mutate their inputs and always return normalized sets.
 */

export type Interval = readonly [number, number];
export type IntervalSet = readonly Interval[];

export const EMPTY_INTERVALS: IntervalSet = Object.freeze([]);

/** Sorts and merges overlapping or adjacent intervals; drops empty ones. */
export function normalizeIntervals(items: readonly Interval[]): IntervalSet {
  const sorted = items.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** One merge pass over both (sorted) sets. */
export function unionIntervals(a: IntervalSet, b: IntervalSet): IntervalSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const next = (y === undefined || (x !== undefined && x[0] <= y[0]) ? (i++, x) : (j++, y)) as Interval;
    const last = out[out.length - 1];
    if (last && next[0] <= last[1] + 1) {
      if (next[1] > last[1]) last[1] = next[1];
    } else {
      out.push([next[0], next[1]]);
    }
  }
  return out;
}

export function intersectIntervals(a: IntervalSet, b: IntervalSet): IntervalSet {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const lo = Math.max(x[0], y[0]);
    const hi = Math.min(x[1], y[1]);
    if (lo <= hi) out.push([lo, hi]);
    if (x[1] < y[1]) i++;
    else j++;
  }
  return out;
}

export function subtractIntervals(a: IntervalSet, b: IntervalSet): IntervalSet {
  if (a.length === 0 || b.length === 0) return a;
  const out: [number, number][] = [];
  let j = 0;
  for (const [lo0, hi] of a) {
    let lo = lo0;
    while (j < b.length && (b[j] as Interval)[1] < lo) j++;
    let k = j;
    while (k < b.length && lo <= hi) {
      const [blo, bhi] = b[k] as Interval;
      if (blo > hi) break;
      if (blo > lo) out.push([lo, blo - 1]);
      lo = Math.max(lo, bhi + 1);
      k++;
    }
    if (lo <= hi) out.push([lo, hi]);
  }
  return out;
}

export function equalIntervals(a: IntervalSet, b: IntervalSet): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as Interval;
    const y = b[i] as Interval;
    if (x[0] !== y[0] || x[1] !== y[1]) return false;
  }
  return true;
}

export function containsValue(a: IntervalSet, v: number): boolean {
  for (const [lo, hi] of a) {
    if (v < lo) return false;
    if (v <= hi) return true;
  }
  return false;
}
