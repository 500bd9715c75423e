/**
 * How the admission measurement splits its duration: up to MAX_ROUNDS rounds of at least
 * MIN_ROUND_S each, the no-op and ours in turns (admission-bench.ts). Apart so that the table
 * can say it without loading the load generator.
 */
export const MAX_ROUNDS = 5;
export const MIN_ROUND_S = 2;

/** The rounds `durationS` is split into (one when it is shorter than two rounds). */
export function roundsFor(durationS: number): number {
  return Math.max(1, Math.min(MAX_ROUNDS, Math.floor(durationS / MIN_ROUND_S)));
}
