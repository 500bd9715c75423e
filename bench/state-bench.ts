/**
 * State figures: the live source (list + watch, projection on arrival: the code the webhook runs
 * against a real cluster) syncs the generated cluster from the fake API server, which runs in
 * another process. Measured in the webhook's own process, which must run with --expose-gc:
 *
 * - `ready_s`: from `start()` to what /readyz calls ready: every resource listed
 *   (`source_ready_s`, the source's own readiness), then the snapshot built and the analysis
 *   state prepared from it (`snapshot_s` + `prepare_s`), measured one after the other;
 * - heap: `heapUsed` after full collections, minus a baseline taken the same way just before the
 *   source is created (modules loaded, the client stack warmed by a throwaway source that lists
 *   namespaces). `heap_bytes_per_pod` counts what the webhook holds to represent the cluster: the
 *   projected records of every resource (pods, namespaces, workloads, policies, services), the
 *   shared value pool, the reflectors with their open watches, and the snapshot built from the
 *   records (every review reads it), divided by the number of pods. Extra figures: the records
 *   alone, and the prepared analysis state (class index, compiled policies) built on top.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { prepareCheckState } from '../src/checks/context.js';
import { createLiveStateSource, type LiveStateSource } from '../src/cluster/live/index.js';
import type { PreflightConfig } from '../src/model/config.js';
import type { ClusterSnapshot } from '../src/model/records.js';
import { BenchError } from './errors.js';

export interface StateFigures {
  readonly heap_bytes_per_pod: number;
  readonly ready_s: number;
  /** From start() to every resource listed. */
  readonly source_ready_s: number;
  readonly pods: number;
  readonly objects: number;
  readonly counted: string;
  readonly baseline_heap_bytes: number;
  /** Records, pool, reflectors and the snapshot. */
  readonly state_heap_bytes: number;
  readonly records_bytes_per_pod: number;
  readonly analysis_state_bytes_per_pod: number;
  readonly snapshot_s: number;
  readonly prepare_s: number;
}

export const COUNTED =
  'heapUsed after full GCs minus a baseline taken before the live source was created: projected records ' +
  'of every resource, value pool, reflectors with open watches, and the snapshot; divided by pods';

/** Collections until finalizers and weak references have settled; then `heapUsed`. */
export async function settledHeapUsed(): Promise<number> {
  const collect = globalThis.gc;
  if (collect === undefined) throw new BenchError('the state benchmark needs node --expose-gc');
  // The second collection takes what finalizers (the value pool's registry) released after the first.
  for (let i = 0; i < 2; i++) {
    collect();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

async function waitUntilReady(source: LiveStateSource, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!source.readiness().ready) {
    if (performance.now() > deadline) {
      throw new BenchError(`the live source was not ready within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Loads the client stack's lazily initialised parts, so the baseline already has them. */
async function warmClientStack(kubeConfig: KubeConfig, logger: Logger): Promise<void> {
  const probe = createLiveStateSource({ kubeConfig, logger, resources: ['namespaces'] });
  await probe.start();
  await waitUntilReady(probe, 60_000);
  probe.snapshot();
  await probe.stop();
}

/** Heap retained by the prepared analysis state of `snapshot` (over `before`), and the time to prepare it. */
async function measurePrepared(
  snapshot: ClusterSnapshot,
  config: PreflightConfig,
  before: number,
): Promise<{ bytes: number; seconds: number }> {
  const started = performance.now();
  const prepared = prepareCheckState(snapshot, config);
  const seconds = (performance.now() - started) / 1000;
  const bytes = (await settledHeapUsed()) - before;
  if (prepared.snapshot !== snapshot) throw new BenchError('prepared state of another snapshot');
  return { bytes, seconds };
}

export interface LoadedState {
  readonly source: LiveStateSource;
  readonly figures: StateFigures;
}

/** Syncs the cluster served at `kubeConfig` into a new live source and measures it; the source stays running. */
export async function loadLiveState(options: {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly config: PreflightConfig;
  readonly readyTimeoutMs: number;
}): Promise<LoadedState> {
  const { kubeConfig, logger } = options;
  await warmClientStack(kubeConfig, logger);
  const baseline = await settledHeapUsed();
  const source = createLiveStateSource({ kubeConfig, logger });
  const started = performance.now();
  await source.start();
  await waitUntilReady(source, options.readyTimeoutMs);
  const ready_s = (performance.now() - started) / 1000;
  const records = (await settledHeapUsed()) - baseline;
  const snapshotStarted = performance.now();
  const snapshot = source.snapshot();
  const snapshot_s = (performance.now() - snapshotStarted) / 1000;
  const withSnapshot = await settledHeapUsed();
  const state = withSnapshot - baseline;
  const prepared = await measurePrepared(snapshot, options.config, withSnapshot);
  const pods = snapshot.pods.length;
  if (pods === 0) throw new BenchError('the live source synced no pod');
  const objects = source.status().reduce((sum, s) => sum + s.objects, 0);
  return {
    source,
    figures: {
      heap_bytes_per_pod: Math.round(state / pods),
      ready_s: Number((ready_s + snapshot_s + prepared.seconds).toFixed(3)),
      source_ready_s: Number(ready_s.toFixed(3)),
      pods,
      objects,
      counted: COUNTED,
      baseline_heap_bytes: baseline,
      state_heap_bytes: state,
      records_bytes_per_pod: Math.round(records / pods),
      analysis_state_bytes_per_pod: Math.round(prepared.bytes / pods),
      snapshot_s: Number(snapshot_s.toFixed(3)),
      prepare_s: Number(prepared.seconds.toFixed(3)),
    },
  };
}
