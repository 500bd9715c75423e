/**
 * Work in slices. Preparing the analysis state of a large cluster takes
 * seconds; written as a generator that yields between units of work, it lets
 * the shell run it a few milliseconds at a time and answer reviews in
 * between. The engine stays pure: it only says where it may be paused, never
 * when (no clock here).
 */

/** Work that may be paused at each `yield` and returns T when done. */
export type Steps<T> = Generator<void, T, void>;

/** Units of work (pods, classes, policies) between two yields. */
export const UNITS_PER_STEP = 2048;

/** Runs steps to the end at once (for callers that do not slice). */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

/**
 * Calls `visit` on every item, pausing after every `unitsPerStep` of them. The work per item
 * belongs in `visit`, a plain function: V8 optimises a generator's own body less well.
 */
export function* forEachInSteps<T>(
  items: readonly T[],
  visit: (item: T) => void,
  unitsPerStep = UNITS_PER_STEP,
): Steps<void> {
  for (let start = 0; start < items.length; start += unitsPerStep) {
    const end = Math.min(items.length, start + unitsPerStep);
    for (let i = start; i < end; i++) visit(items[i] as T);
    if (end < items.length) yield;
  }
}
