/**
 * The live ClusterStateSource: one reflector per resource (list + watch), records projected on
 * arrival, a snapshot rebuilt lazily (through the parse layer's buildSnapshot, so implicit
 * namespaces and ordering match manifests) only after something changed.
 *
 * Readiness: not ready until every resource has completed its first list; then not ready while a
 * resource stays unsynced longer than `syncGracePeriodMs`. Whatever readiness says, snapshot()
 * keeps serving the last known state; status() tells how stale it is (lastSyncAt, lastError,
 * unsyncedSince).
 */

import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import { createKubeApi, type KubeApi } from './kube-api.js';
import { describeServer } from './kube-config.js';
import { assessReadiness } from './readiness.js';
import { ResourceReflector, type ReflectorPhase, type ReflectorSettings } from './reflector.js';
import { startStalenessLog } from './staleness-log.js';
import { RESOURCE_NAMES, selectResources, type ResourceName } from './resources.js';
import { ValuePool } from './value-pool.js';
import type { ParsedObject } from '../../parse/objects.js';
import { buildSnapshot } from '../../parse/snapshot.js';
import type { ClusterSnapshot } from '../../model/records.js';
import type { ClusterStateSource, ResourceSyncStatus } from '../state-source.js';

export interface LiveStateSourceOptions {
  /** Built by the caller, e.g. with loadKubeConfig(). */
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Resources to list and watch; default all (RESOURCE_NAMES). */
  readonly resources?: readonly ResourceName[];
  /** Objects per list page; default 500. */
  readonly pageSize?: number;
  /** How long a resource may stay unsynced after its first list before readiness drops; default 30 s. */
  readonly syncGracePeriodMs?: number;
  /** How often to log the staleness of resources that lost their watch, and readiness changes; default 10 s. */
  readonly stalenessLogIntervalMs?: number;
  /** Timeout of one list page request; default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Server-side watch timeout; each watch asks for a random value in [t, 2t); default 300 s. */
  readonly watchTimeoutSeconds?: number;
  /** Restart a watch that receives no byte (not even a bookmark) for this long; default 5 min. */
  readonly watchInactivityTimeoutMs?: number;
  /** Restart backoff; defaults: 500 ms doubling to 30 s, +50 % jitter, reset after 30 s healthy. */
  readonly backoff?: Partial<BackoffPolicy>;
  /** Clock and timers; default the system clock. */
  readonly clock?: Clock;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: () => number;
}

/** A resource's sync status, with what the live source knows beyond the common fields. */
export interface LiveResourceStatus extends ResourceSyncStatus {
  readonly phase: ReflectorPhase;
  /** The first list has completed. */
  readonly listed: boolean;
  /** Objects left out because they could not be projected (logged). */
  readonly skipped: number;
  /** When the resource stopped being synced (null while synced): the staleness of its records. */
  readonly unsyncedSince: number | null;
  readonly resourceVersion: string | null;
}

export interface LiveStateSource extends ClusterStateSource {
  status(): readonly LiveResourceStatus[];
}

/**
 * Creates the source; nothing is requested before start(). Throws KubeConfigError when the
 * kubeconfig has no current cluster or an invalid server URL.
 */
export function createLiveStateSource(opts: LiveStateSourceOptions): LiveStateSource {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger.child({ component: 'live-state' });
  const settings: ReflectorSettings = {
    pageSize: opts.pageSize ?? 500,
    requestTimeoutMs: opts.requestTimeoutMs ?? 60_000,
    watchTimeoutSeconds: opts.watchTimeoutSeconds ?? 300,
    watchInactivityTimeoutMs: opts.watchInactivityTimeoutMs ?? 300_000,
    backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
  };
  const graceMs = opts.syncGracePeriodMs ?? 30_000;
  const api: KubeApi = createKubeApi(opts.kubeConfig, clock);

  let version = 0;
  let built: { version: number; snapshot: ClusterSnapshot } | null = null;
  let started = false;
  let stopStalenessLog: () => void = () => {};
  const pool = new ValuePool();
  const reflectors = selectResources(opts.resources ?? RESOURCE_NAMES).map(
    (definition) =>
      new ResourceReflector({
        definition,
        api,
        clock,
        random: opts.random ?? Math.random,
        logger,
        settings,
        pool,
        onChange: () => {
          version++;
        },
      }),
  );

  return {
    snapshot() {
      if (built === null || built.version !== version) {
        const objects: ParsedObject[] = [];
        for (const reflector of reflectors)
          for (const object of reflector.records.values()) objects.push(object);
        built = { version, snapshot: buildSnapshot(objects) };
      }
      return built.snapshot;
    },
    version: () => version,
    readiness() {
      return assessReadiness(
        reflectors.map((r) => r.state()),
        clock.now(),
        graceMs,
      );
    },
    status: () => reflectors.map((r) => r.state()),
    async start() {
      if (started) return;
      started = true;
      logger.info(
        {
          server: describeServer(opts.kubeConfig),
          resources: reflectors.map((r) => r.definition.name),
          pageSize: settings.pageSize,
        },
        'starting list/watch',
      );
      for (const reflector of reflectors) reflector.start();
      stopStalenessLog = startStalenessLog({
        clock,
        logger,
        intervalMs: opts.stalenessLogIntervalMs ?? 10_000,
        graceMs,
        states: () => reflectors.map((r) => r.state()),
      });
    },
    async stop() {
      stopStalenessLog();
      await Promise.all(reflectors.map((r) => r.stop()));
      logger.info('stopped list/watch');
    },
  };
}
