/**
 * Where the webhook gets the cluster state from: a live list/watch cache, or
 * manifests loaded once (`--state PATH`). The webhook only reads the current
 * snapshot and its version; sources keep them current.
 */
import type { ClusterSnapshot } from '../model/records.js';

export interface ResourceSyncStatus {
  /** e.g. `pods`, `networkpolicies`. */
  readonly resource: string;
  readonly synced: boolean;
  readonly objects: number;
  /** Milliseconds since the epoch of the last successful list or watch event; null before the first. */
  readonly lastSyncAt: number | null;
  readonly lastError: string | null;
  /**
   * Since when (milliseconds since the epoch) the resource has not been synced after having been:
   * its records may be out of date since then. Null or absent while synced.
   */
  readonly unsyncedSince?: number | null;
}

export interface StateReadiness {
  readonly ready: boolean;
  /** Why not ready (or what is degraded), for /readyz and logs. */
  readonly reason: string | null;
}

export interface ClusterStateSource {
  /** The current state. Cheap: returns the same object until something changes. */
  snapshot(): ClusterSnapshot;
  /** Increases whenever the snapshot changes (cache keys use it). */
  version(): number;
  readiness(): StateReadiness;
  status(): readonly ResourceSyncStatus[];
  /** Starts syncing; resolves once started (not necessarily synced). */
  start(): Promise<void>;
  /** Stops watches and timers. */
  stop(): Promise<void>;
}

/** A source over a fixed snapshot (manifests loaded at start). Always ready. */
export function staticStateSource(snapshot: ClusterSnapshot, loadedAt: number): ClusterStateSource {
  const counts: [string, number][] = [
    ['namespaces', snapshot.namespaces.length],
    ['pods', snapshot.pods.length],
    ['workloads', snapshot.workloads.length],
    ['networkpolicies', snapshot.policies.length],
    ['services', snapshot.services.length],
  ];
  return {
    snapshot: () => snapshot,
    version: () => 1,
    readiness: () => ({ ready: true, reason: null }),
    status: () =>
      counts.map(([resource, objects]) => ({
        resource,
        synced: true,
        objects,
        lastSyncAt: loadedAt,
        lastError: null,
      })),
    start: async () => {},
    stop: async () => {},
  };
}
