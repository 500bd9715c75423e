/** Exponential backoff with jitter and a cap, for restarting failed lists and watches. */

export interface BackoffPolicy {
  /** Delay before the first retry. */
  readonly initialMs: number;
  /** No delay exceeds this, jitter included. */
  readonly maxMs: number;
  /** Growth per consecutive failure. */
  readonly factor: number;
  /** Up to this fraction of the delay is added at random (0: no jitter). */
  readonly jitter: number;
  /** A watch that delivered an event or stayed open this long counts as healthy: failures reset. */
  readonly resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  jitter: 0.5,
  resetAfterMs: 30_000,
};

/**
 * The delay before retry number `failures` (1 for the first failure): initialMs x factor^(failures-1),
 * plus up to `jitter` of itself at random, capped at maxMs. 0 when there was no failure.
 */
export function computeBackoffDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  if (failures <= 0) return 0;
  const exponential = policy.initialMs * policy.factor ** Math.min(failures - 1, 64);
  const jittered = exponential * (1 + policy.jitter * random());
  return Math.round(Math.min(policy.maxMs, jittered));
}
