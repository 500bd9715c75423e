/**
 * Readiness from the sync state of every resource (pure). Not ready until every resource has
 * completed its first list; after that, not ready while some resource has stayed unsynced for
 * longer than the grace period. Within the grace period the source stays ready and says which
 * resources are resyncing.
 */

import type { StateReadiness } from '../state-source.js';

export interface SyncState {
  readonly resource: string;
  /** The first list has completed (the resource has data). */
  readonly listed: boolean;
  /** Listed and the watch is open. */
  readonly synced: boolean;
  /** When the resource last stopped being synced; null while synced or before the first list. */
  readonly unsyncedSince: number | null;
  readonly lastError: string | null;
}

export function assessReadiness(states: readonly SyncState[], now: number, graceMs: number): StateReadiness {
  const problems: string[] = [];
  const waiting = states.filter((s) => !s.listed);
  if (waiting.length > 0) {
    const listed = states.length - waiting.length;
    const failing = waiting.find((s) => s.lastError !== null);
    problems.push(
      `waiting for the initial list of ${waiting.map((s) => s.resource).join(', ')} ` +
        `(${listed} of ${states.length} resources listed)` +
        (failing === undefined ? '' : `; ${failing.resource}: ${failing.lastError}`),
    );
  }
  const resyncing: string[] = [];
  for (const state of states) {
    if (!state.listed || state.synced || state.unsyncedSince === null) continue;
    const unsyncedMs = Math.max(0, now - state.unsyncedSince);
    const error = state.lastError === null ? '' : ` (${state.lastError})`;
    if (unsyncedMs > graceMs) {
      problems.push(
        `${state.resource} not synced for ${formatSeconds(unsyncedMs)} (grace ${formatSeconds(graceMs)})${error}`,
      );
    } else {
      resyncing.push(`${state.resource} resyncing for ${formatSeconds(unsyncedMs)}${error}`);
    }
  }
  if (problems.length > 0) return { ready: false, reason: problems.join('; ') };
  return { ready: true, reason: resyncing.length > 0 ? resyncing.join('; ') : null };
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
