/**
 * Shared pieces of the live-source tests: a fake API server with a source attached, a clock whose
 * "now" tests can move forward, a captured pino log, and polling until a condition holds.
 */

import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { FakeApiServer, type JsonObject } from './fake-apiserver.js';
import {
  RESOURCE_NAMES,
  createLiveStateSource,
  type LiveStateSource,
  type LiveStateSourceOptions,
  type ResourceName,
} from '../../src/cluster/live/index.js';
import type { Clock } from '../../src/cluster/live/clock.js';
import { buildSnapshot, parseDocuments } from '../../src/parse/index.js';
import type { ClusterSnapshot } from '../../src/model/records.js';

/** Real timers, a "now" that can jump ahead, and every delay asked for. */
export interface TestClock extends Clock {
  advance(ms: number): void;
  readonly delays: number[];
}

export function createTestClock(): TestClock {
  let offset = 0;
  const delays: number[] = [];
  return {
    delays,
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    schedule: (delayMs, callback) => {
      delays.push(delayMs);
      const timer = setTimeout(callback, delayMs);
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export function createCapturedLogger(): { logger: Logger; lines: LogLine[]; text: () => string } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = chunk.toString('utf8');
      raw.push(text);
      for (const line of text.split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines, text: () => raw.join('') };
}

/** Polls `condition` every few ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface Harness {
  readonly server: FakeApiServer;
  /** The resources the source watches. */
  readonly resources: readonly ResourceName[];
  readonly source: LiveStateSource;
  readonly clock: TestClock;
  readonly log: ReturnType<typeof createCapturedLogger>;
  stop(): Promise<void>;
}

/** Fast settings: tiny backoff, short grace; overridable. The source is not started. */
export async function createHarness(
  options: Partial<Omit<LiveStateSourceOptions, 'kubeConfig' | 'logger'>> = {},
  server?: FakeApiServer,
): Promise<Harness> {
  const fake = server ?? (await FakeApiServer.start());
  const clock = createTestClock();
  const log = createCapturedLogger();
  const source = createLiveStateSource({
    kubeConfig: fake.kubeConfig(),
    logger: log.logger,
    clock,
    random: () => 0.5,
    backoff: { initialMs: 10, maxMs: 80, resetAfterMs: 60_000 },
    syncGracePeriodMs: 30_000,
    ...options,
  });
  return {
    server: fake,
    resources: options.resources ?? RESOURCE_NAMES,
    source,
    clock,
    log,
    stop: async () => {
      await source.stop();
      await fake.close();
    },
  };
}

/** Waits until the source has listed everything and is ready. */
export async function waitUntilReady(source: LiveStateSource, timeoutMs = 5000): Promise<void> {
  await waitUntil('the source is ready', () => source.readiness().ready, timeoutMs);
}

/** The snapshot the parse layer builds from the server's current objects of `resources` (default all). */
export function expectedSnapshot(
  server: FakeApiServer,
  resources: readonly ResourceName[] = RESOURCE_NAMES,
): ClusterSnapshot {
  return snapshotOfObjects(resources.flatMap((resource) => server.list(resource)));
}

/** What the manifest path makes of the same objects (one List document): parseDocuments + buildSnapshot. */
export function snapshotOfObjects(objects: readonly JsonObject[]): ClusterSnapshot {
  const parsed = parseDocuments([
    { source: 'fake-apiserver', index: 1, value: { apiVersion: 'v1', kind: 'List', items: objects } },
  ]);
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((e) => e.message).join('\n'));
  return buildSnapshot(parsed.objects);
}

/** Waits until the source's snapshot equals the parse layer's snapshot of the server's objects. */
export async function waitUntilConverged(harness: Harness, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    'the snapshot matches the server',
    () =>
      JSON.stringify(harness.source.snapshot()) ===
      JSON.stringify(expectedSnapshot(harness.server, harness.resources)),
    timeoutMs,
  );
}
