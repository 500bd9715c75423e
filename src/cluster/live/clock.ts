/**
 * Time as the live source sees it: the wall clock and one-shot timers. Injected so that tests can
 * move time forward (readiness grace periods) or record the delays asked for (backoff).
 */

/** Cancels a scheduled callback; calling it after the callback ran does nothing. */
export type CancelTimer = () => void;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs`. The timer must not keep the process alive on its own. */
  schedule(delayMs: number, callback: () => void): CancelTimer;
}

/** The real clock: Date.now and unref'd timers (stop() cancels them; they never hold the process open). */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule: (delayMs, callback) => {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** Resolves after `delayMs`, or at once (false) when `signal` aborts first; true when the delay elapsed. */
export function waitFor(clock: Clock, delayMs: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      cancel();
      resolve(false);
    };
    const cancel = clock.schedule(delayMs, () => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A signal that aborts when `parent` aborts or after `timeoutMs`; `release` cancels the timer. */
export function createTimeoutSignal(
  clock: Clock,
  parent: AbortSignal,
  timeoutMs: number,
  reason: () => Error,
): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  const cancel = clock.schedule(timeoutMs, () => controller.abort(reason()));
  return {
    signal: controller.signal,
    release: () => {
      cancel();
      parent.removeEventListener('abort', onAbort);
    },
  };
}
