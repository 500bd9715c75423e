/**
 * Keeps the records of one API resource current: a paginated list, then a watch from the list's
 * resourceVersion, forever, until stopped.
 *
 * - ADDED/MODIFIED/DELETED update the store; BOOKMARK only advances the resourceVersion.
 * - 410 Gone (HTTP status or ERROR event with code 410) -> relist; the new list replaces the store,
 *   so objects deleted or changed while the watch was away are right afterwards.
 * - Any other error, or a connection that drops, restarts the watch from the last resourceVersion
 *   after an exponential backoff with jitter (capped). A watch that delivered an event or stayed
 *   open for `backoff.resetAfterMs` is healthy and resets the backoff; a clean end after a healthy
 *   watch (the server's timeoutSeconds, the inactivity timeout) restarts at once.
 * - Objects are projected into records on arrival (projected-records.ts).
 */

import type { Logger } from 'pino';
import { computeBackoffDelay, type BackoffPolicy } from './backoff.js';
import { createTimeoutSignal, waitFor, type Clock } from './clock.js';
import {
  ApiStatusError,
  LiveSourceError,
  WatchEventError,
  describeError,
  isResourceExpired,
} from './errors.js';
import type { KubeApi, WatchEnd, WatchEvent, WatchVerdict } from './kube-api.js';
import { ProjectedRecords } from './projected-records.js';
import { readResourceVersion, type ResourceDefinition } from './resources.js';
import type { ValuePool } from './value-pool.js';
import { isJsonObject } from '../../parse/field-reader.js';

export interface ReflectorSettings {
  /** Objects per list page (`limit`). */
  readonly pageSize: number;
  /** Timeout of one list page request. */
  readonly requestTimeoutMs: number;
  /** Server-side watch timeout; each watch asks for a random value in [t, 2t). */
  readonly watchTimeoutSeconds: number;
  /** A watch that receives no byte for this long is ended and restarted. */
  readonly watchInactivityTimeoutMs: number;
  readonly backoff: BackoffPolicy;
}

export type ReflectorPhase = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped';

export interface ReflectorState {
  readonly resource: string;
  readonly phase: ReflectorPhase;
  readonly listed: boolean;
  readonly synced: boolean;
  readonly objects: number;
  /** Objects left out because they could not be projected. */
  readonly skipped: number;
  readonly lastSyncAt: number | null;
  readonly lastError: string | null;
  readonly unsyncedSince: number | null;
  readonly resourceVersion: string | null;
}

export interface ReflectorDeps {
  readonly definition: ResourceDefinition;
  readonly api: KubeApi;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly settings: ReflectorSettings;
  /** Shares equal labels, ports and owners between records (memory). */
  readonly pool: ValuePool;
  /** Called after every change of the stored records. */
  readonly onChange: () => void;
}

type ListResult = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

/** How one watch went: its end, whether it counted as healthy, and the ERROR event if one ended it. */
interface WatchRun {
  readonly end: WatchEnd;
  readonly healthy: boolean;
  readonly errorEvent: WatchEventError | null;
}

export class ResourceReflector {
  readonly definition: ResourceDefinition;
  readonly records: ProjectedRecords;
  private readonly deps: ReflectorDeps;
  private readonly log: Logger;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | null = null;
  private phase: ReflectorPhase = 'idle';
  private listed = false;
  private synced = false;
  private lastSyncAt: number | null = null;
  private lastError: string | null = null;
  private unsyncedSince: number | null = null;
  private resourceVersion: string | null = null;

  constructor(deps: ReflectorDeps) {
    this.deps = deps;
    this.definition = deps.definition;
    this.log = deps.logger.child({ resource: deps.definition.name });
    this.records = new ProjectedRecords(deps.definition, deps.pool, this.log);
  }

  start(): void {
    if (this.loop !== null || this.stopper.signal.aborted) return;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopper.abort(new Error('stopped'));
    await this.loop;
    this.phase = 'stopped';
  }

  state(): ReflectorState {
    return {
      resource: this.definition.name,
      phase: this.phase,
      listed: this.listed,
      synced: this.synced,
      objects: this.records.size,
      skipped: this.records.skippedCount,
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError,
      unsyncedSince: this.unsyncedSince,
      resourceVersion: this.resourceVersion,
    };
  }

  private get stopped(): boolean {
    return this.stopper.signal.aborted;
  }

  private async run(): Promise<void> {
    let needList = true;
    let failures = 0;
    while (!this.stopped) {
      try {
        if (needList) {
          this.phase = 'listing';
          const listed = await this.relist();
          if (this.stopped) break;
          if (!listed.ok) {
            failures++;
            this.recordFailure(listed.error, 'list');
            await this.pause(failures);
            continue;
          }
          needList = false;
        }
        this.phase = 'watching';
        const run = await this.watchOnce();
        if (run.end.kind === 'aborted' || this.stopped) break;
        this.markUnsynced();
        if (run.healthy) failures = 0;
        const expired = run.errorEvent !== null ? isResourceExpired(run.errorEvent) : isExpiredEnd(run.end);
        if (expired) {
          // The resourceVersion is too old: only a new list can resync. Relist at once after a
          // healthy watch; right after a failed (re)connection, back off first.
          needList = true;
          this.log.info(
            { resourceVersion: this.resourceVersion },
            'resourceVersion expired (410 Gone); relisting',
          );
          if (!run.healthy) await this.pause(++failures);
          continue;
        }
        const failure = run.errorEvent ?? (run.end.kind === 'failed' ? run.end.error : null);
        if (failure !== null) {
          failures++;
          this.recordFailure(failure, 'watch');
        } else if (!run.healthy) {
          failures++; // a clean but empty and short watch: do not spin on a server that hangs up at once
          this.log.debug({ end: run.end.kind }, 'watch ended early without events');
        }
        await this.pause(failures);
      } catch (error) {
        // A bug, not an API failure: keep the cache, log with context, resync from scratch.
        failures++;
        needList = true;
        this.lastError = describeError(error);
        this.log.error({ err: error }, 'unexpected error in the list/watch loop; relisting');
        await this.pause(failures);
      }
    }
    this.phase = 'stopped';
  }

  /** Waits out the backoff for the `failures`-th consecutive failure (no wait for 0). */
  private async pause(failures: number): Promise<void> {
    const delayMs = computeBackoffDelay(failures, this.deps.settings.backoff, this.deps.random);
    if (delayMs === 0 || this.stopped) return;
    this.phase = 'backoff';
    this.log.debug({ delayMs, failures }, 'backing off before retrying');
    await waitFor(this.deps.clock, delayMs, this.stopper.signal);
  }

  /** Lists every page into a new store, then swaps it in; nothing is applied on failure. */
  private async relist(): Promise<ListResult> {
    const { api, clock, settings } = this.deps;
    const batch = this.records.startRelist();
    const startedAt = clock.now();
    let continueToken: string | null = null;
    let resourceVersion = '';
    let pages = 0;
    do {
      const timeout = createTimeoutSignal(
        clock,
        this.stopper.signal,
        settings.requestTimeoutMs,
        () => new Error(`list page timed out after ${settings.requestTimeoutMs} ms`),
      );
      try {
        const page = await api.listPage({
          resource: this.definition.name,
          path: this.definition.path,
          limit: settings.pageSize,
          continueToken,
          signal: timeout.signal,
        });
        pages++;
        for (const item of page.items) batch.add(item);
        continueToken = page.continueToken;
        resourceVersion = page.resourceVersion;
      } catch (error) {
        return { ok: false, error };
      } finally {
        timeout.release();
      }
    } while (continueToken !== null && !this.stopped);
    if (this.stopped) return { ok: true };

    const changed = this.records.commitRelist(batch);
    this.resourceVersion = resourceVersion;
    this.listed = true;
    this.markSynced();
    this.log.info(
      {
        objects: batch.size,
        skipped: batch.skipped.size,
        pages,
        resourceVersion,
        ms: clock.now() - startedAt,
      },
      'listed',
    );
    if (changed) this.deps.onChange();
    return { ok: true };
  }

  private async watchOnce(): Promise<WatchRun> {
    const { api, clock, random, settings } = this.deps;
    let openedAt: number | null = null;
    let events = 0;
    let errorEvent: WatchEventError | null = null;
    const end = await api.watch(
      {
        resource: this.definition.name,
        path: this.definition.path,
        resourceVersion: this.resourceVersion ?? '',
        timeoutSeconds: Math.floor(settings.watchTimeoutSeconds * (1 + random())),
        inactivityTimeoutMs: settings.watchInactivityTimeoutMs,
        signal: this.stopper.signal,
      },
      {
        onOpen: () => {
          openedAt = clock.now();
          this.markSynced();
          this.log.debug({ resourceVersion: this.resourceVersion }, 'watch open');
        },
        onEvent: (event) => {
          const verdict = this.applyEvent(event);
          // An ERROR event is no sign of health: a server that fails every watch at once must
          // still meet a growing backoff.
          if (verdict === 'stop') errorEvent = readErrorEvent(this.definition.name, event.object);
          else events++;
          return verdict;
        },
      },
    );
    const healthy =
      openedAt !== null && (events > 0 || clock.now() - openedAt >= settings.backoff.resetAfterMs);
    this.log.debug({ end: end.kind, events, healthy }, 'watch ended');
    return { end, healthy, errorEvent };
  }

  private applyEvent(event: WatchEvent): WatchVerdict {
    if (event.type === 'ERROR') return 'stop';
    this.lastSyncAt = this.deps.clock.now();
    switch (event.type) {
      case 'ADDED':
      case 'MODIFIED':
        if (this.records.upsert(event.object)) this.deps.onChange();
        break;
      case 'DELETED':
        if (this.records.remove(event.object)) this.deps.onChange();
        break;
      case 'BOOKMARK':
        break;
      default:
        this.log.warn({ eventType: event.type }, 'ignoring a watch event of unknown type');
        return 'continue';
    }
    const version = readResourceVersion(event.object);
    if (version !== null) this.resourceVersion = version;
    else this.log.warn({ eventType: event.type }, 'watch event without metadata.resourceVersion');
    return 'continue';
  }

  private markSynced(): void {
    this.synced = true;
    this.unsyncedSince = null;
    this.lastError = null;
    this.lastSyncAt = this.deps.clock.now();
  }

  private markUnsynced(): void {
    if (!this.synced) return;
    this.synced = false;
    this.unsyncedSince = this.deps.clock.now();
  }

  private recordFailure(error: unknown, operation: 'list' | 'watch'): void {
    this.markUnsynced();
    const message = describeError(error);
    const repeated = message === this.lastError;
    this.lastError = message;
    const statusCode =
      error instanceof ApiStatusError || error instanceof WatchEventError ? error.statusCode : null;
    const code = error instanceof LiveSourceError ? error.code : undefined;
    // The first failure (or a new kind of failure) is a warning; the same failure again while
    // retrying is debug, so an API server outage does not flood the log.
    this.log[repeated ? 'debug' : 'warn'](
      { operation, statusCode, code, err: message },
      `${operation} failed`,
    );
  }
}

function isExpiredEnd(end: WatchEnd): boolean {
  return end.kind === 'failed' && isResourceExpired(end.error);
}

/** The Status carried by an ERROR event, as an error. */
function readErrorEvent(resource: string, object: unknown): WatchEventError {
  const status = isJsonObject(object) ? object : {};
  const code = status['code'];
  const reason = status['reason'];
  const message = status['message'];
  return new WatchEventError({
    resource,
    statusCode: typeof code === 'number' ? code : null,
    reason: typeof reason === 'string' ? reason : null,
    detail: typeof message === 'string' ? message : 'no message',
  });
}
