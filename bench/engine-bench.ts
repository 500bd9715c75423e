/**
 * Engine figures for one generated cluster: full connectivity (streamed and
 * counted, not materialised), the prepared state, and one impact analysis
 * per change of the stream (median and p99 over MEASURED_PASSES passes over
 * the stream, after one unmeasured pass), through the same entry points the
 * CLI and the webhook use.
 */
import { prepareCheckState } from '../src/checks/context.js';
import { decideChange } from '../src/checks/decide.js';
import { defaultConfig } from '../src/checks/defaults.js';
import type { PolicyChange } from '../src/model/findings.js';
import type { ClusterSnapshot, PolicyRecord } from '../src/model/records.js';
import { parseNetworkPolicy } from '../src/parse/network-policy.js';
import { parseDocuments } from '../src/parse/objects.js';
import { buildSnapshot } from '../src/parse/snapshot.js';
import { buildConnectivityModel, forEachConnection } from '../src/semantics/connectivity.js';
import type { ChangeSpec, GeneratedCluster, RawObject } from './generator.js';

export interface EngineFigures {
  readonly connectivity_s: number;
  readonly connections: number;
  readonly prepare_s: number;
  readonly analysis_p50_ms: number;
  readonly analysis_p99_ms: number;
  /** Analyses timed: the stream's changes times MEASURED_PASSES. */
  readonly analyses: number;
  /** Changes of the stream denied (one pass). */
  readonly denied: number;
}

export function snapshotOf(objects: readonly RawObject[]): ClusterSnapshot {
  const parsed = parseDocuments(objects.map((value, i) => ({ source: 'generated', index: i + 1, value })));
  if (parsed.errors.length > 0) throw new Error(`generated objects invalid: ${parsed.errors[0]?.message}`);
  return buildSnapshot(parsed.objects);
}

function policyOf(raw: RawObject | null): PolicyRecord | null {
  if (!raw) return null;
  const r = parseNetworkPolicy(raw);
  if (!r.ok) throw new Error(`generated policy invalid: ${JSON.stringify(r.issues)}`);
  return r.policy;
}

export function changeOf(spec: ChangeSpec): PolicyChange {
  const object = policyOf(spec.object);
  const oldObject = policyOf(spec.oldObject);
  const ref = (object ?? oldObject) as PolicyRecord;
  return { operation: spec.operation, namespace: ref.namespace, name: ref.name, object, oldObject };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

/** Measured passes over the change stream (after one unmeasured pass). */
export const MEASURED_PASSES = 5;

export function measureEngine(cluster: GeneratedCluster, options: { connectivity: boolean }): EngineFigures {
  const snapshot = snapshotOf(cluster.objects);
  // Analysis first, as in the webhook (which never computes full connectivity): the garbage of
  // a full connectivity run would otherwise be collected during the analysis stream.
  const config = defaultConfig();
  const t1 = performance.now();
  const state = prepareCheckState(snapshot, config);
  const prepare_s = (performance.now() - t1) / 1000;
  // One unmeasured pass first: the figures are those of a webhook that has been running (JIT
  // done). Every change is parsed and compiled anew on every pass; what survives a pass is what
  // survives between two requests in the webhook (the prepared state with its caches, some keyed
  // by the content of rules and selectors).
  for (const spec of cluster.changes) decideChange(state, changeOf(spec), config);
  // Several passes: with the 200 analyses of one pass, the p99 is the second slowest analysis
  // and one garbage collection landing in the pass decides it; over MEASURED_PASSES passes it
  // is the tenth slowest of 1,000, while pauses that recur (every pass) still count.
  const times: number[] = [];
  let denied = 0;
  for (let pass = 0; pass < MEASURED_PASSES; pass++) {
    for (const spec of cluster.changes) {
      const change = changeOf(spec);
      const t = performance.now();
      const d = decideChange(state, change, config);
      times.push(performance.now() - t);
      if (pass === 0 && !d.allowed) denied++;
    }
  }
  let connectivity_s = NaN;
  let connections = 0;
  if (options.connectivity) {
    const t0 = performance.now();
    forEachConnection(buildConnectivityModel(snapshot), () => {
      connections++;
    });
    connectivity_s = (performance.now() - t0) / 1000;
  }
  times.sort((a, b) => a - b);
  return {
    connectivity_s: round(connectivity_s),
    connections,
    prepare_s: round(prepare_s),
    analysis_p50_ms: round(percentile(times, 50)),
    analysis_p99_ms: round(percentile(times, 99)),
    analyses: times.length,
    denied,
  };
}
