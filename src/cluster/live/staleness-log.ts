/**
 * Says in the log how stale the cache is while the API server cannot be watched: every
 * `intervalMs`, one warning per resource that has lost its watch (how long ago, the last error,
 * the grace period), a line when it is synced again, and a line whenever readiness changes.
 * The first failure itself is logged by the reflector; this keeps an outage visible in the log
 * for as long as it lasts, at a bounded rate.
 */

import type { Logger } from 'pino';
import type { CancelTimer, Clock } from './clock.js';
import { assessReadiness, type SyncState } from './readiness.js';

export interface StalenessLogOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often to check and report. */
  readonly intervalMs: number;
  /** The readiness grace period (reported with each warning). */
  readonly graceMs: number;
  /** The current sync state of every resource. */
  readonly states: () => readonly SyncState[];
}

/** Starts reporting; the returned function stops it. */
export function startStalenessLog(options: StalenessLogOptions): () => void {
  const { clock, logger, intervalMs, graceMs } = options;
  const stale = new Map<string, number>();
  let ready: boolean | null = null;
  let cancel: CancelTimer | null = null;
  let stopped = false;

  const check = (): void => {
    const now = clock.now();
    const states = options.states();
    for (const state of states) {
      const since = state.listed && !state.synced ? state.unsyncedSince : null;
      if (since !== null) {
        stale.set(state.resource, since);
        const staleSeconds = seconds(now - since);
        logger.warn(
          {
            resource: state.resource,
            staleSeconds,
            graceSeconds: seconds(graceMs),
            lastError: state.lastError,
          },
          `serving cached ${state.resource}, not synced for ${staleSeconds} s ` +
            `(not ready after ${seconds(graceMs)} s)`,
        );
      } else if (stale.has(state.resource) && state.synced) {
        const staleSeconds = seconds(now - (stale.get(state.resource) ?? now));
        stale.delete(state.resource);
        logger.info({ resource: state.resource, staleSeconds }, `${state.resource} synced again`);
      }
    }
    const readiness = assessReadiness(states, now, graceMs);
    if (readiness.ready !== ready) {
      // The first report is quiet while the initial lists run; a change after that is news.
      if (ready !== null || readiness.ready) {
        if (readiness.ready) logger.info({ reason: readiness.reason }, 'cluster state ready');
        else logger.warn({ reason: readiness.reason }, `cluster state not ready: ${readiness.reason}`);
      }
      ready = readiness.ready;
    }
  };

  const tick = (): void => {
    if (stopped) return;
    try {
      check();
    } catch (error) {
      logger.error({ err: error }, 'staleness report failed');
    }
    cancel = clock.schedule(intervalMs, tick);
  };
  cancel = clock.schedule(intervalMs, tick);

  return () => {
    stopped = true;
    cancel?.();
  };
}

function seconds(ms: number): number {
  return Math.round(Math.max(0, ms) / 100) / 10;
}
