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

/** A counter that says when `UNITS_PER_STEP` units have passed since the last yield. */
export function stepCounter(): () => boolean {
  let units = 0;
  return () => {
    if (++units < UNITS_PER_STEP) return false;
    units = 0;
    return true;
  };
}
