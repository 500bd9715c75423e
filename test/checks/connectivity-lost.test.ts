/**
 * connectivity-lost counts workload pairs without listing them: its count must be the number of
 * distinct endpoint pairs (a workload's pods may fall in several classes) in which some pod pair
 * loses connections, as the reference evaluator states pair by pair before and after the change.
 */
import fc from 'fast-check';
import t from 'tap';
import type { PolicyChange } from '../../src/model/findings.js';
import type { PolicyRecord } from '../../src/model/records.js';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { planDns } from '../../src/checks/dns.js';
import { buildClassIndex } from '../../src/semantics/classes.js';
import { collectIpBlockSets, compilePolicy } from '../../src/semantics/compile.js';
import { isEmptyConnections, subtractConnections } from '../../src/semantics/connection-set.js';
import { ANALYSIS_ENDPOINTS, listEndpoints } from '../../src/semantics/endpoints.js';
import { createEvaluator } from '../../src/semantics/evaluate.js';
import {
  NAMESPACES,
  clusterArb,
  narrowClusterArb,
  p1Change,
  snapshotOf,
} from '../support/generated-clusters.js';

const config = defaultConfig();

/** "… removes connections for 12 workload pairs and …": the count, 0 without the finding. */
function reportedWorkloadPairs(change: PolicyChange, snap: ReturnType<typeof snapshotOf>): number {
  const finding = decideChange(snap, change, config).findings.find((f) => f.rule === 'connectivity-lost');
  if (!finding) return 0;
  const m = /for (\d+) workload pairs?\b/.exec(finding.message);
  return m ? Number(m[1]) : 0;
}

function expectedWorkloadPairs(
  snap: ReturnType<typeof snapshotOf>,
  before: readonly PolicyRecord[],
  after: readonly PolicyRecord[],
): number {
  const compiledBefore = before.map((p) => compilePolicy(p));
  const compiledAfter = after.map((p) => compilePolicy(p));
  const index = buildClassIndex(
    // The workloads, and the DNS server the checks assume when the cluster shows none.
    [...listEndpoints(snap, ANALYSIS_ENDPOINTS), ...planDns(snap, config.dns).assumedEndpoints],
    NAMESPACES,
    collectIpBlockSets([...compiledBefore, ...compiledAfter]),
  );
  const refBefore = createEvaluator(compiledBefore);
  const refAfter = createEvaluator(compiledAfter);
  let pairs = 0;
  for (const e of index.endpoints) {
    for (const f of index.endpoints) {
      if (e === f) continue;
      const loses = e.classIds.some((i) =>
        f.classIds.some((j) => {
          const s = index.classes[i]!;
          const d = index.classes[j]!;
          return !isEmptyConnections(subtractConnections(refBefore.allowed(s, d), refAfter.allowed(s, d)));
        }),
      );
      if (loses) pairs++;
    }
  }
  return pairs;
}

for (const [name, arb] of [
  ['generated', clusterArb],
  ['narrow', narrowClusterArb],
] as const) {
  t.test(`the workload pair count equals the reference count (${name} policies)`, async (t) => {
    let withLosses = 0;
    fc.assert(
      fc.property(arb, fc.constantFrom('CREATE', 'UPDATE', 'DELETE'), (cluster, op) => {
        const { pods, policies } = cluster;
        const changed = p1Change(cluster, op);
        if (changed === null) return;
        const { before, after, policiesAfter } = changed;
        const policy = (after ?? before)!;
        const snap = snapshotOf(pods, policies);
        const change: PolicyChange = {
          operation: op,
          namespace: policy.namespace,
          name: 'p1',
          object: after,
          oldObject: before,
        };
        const expected = expectedWorkloadPairs(snap, policies, policiesAfter);
        const reported = reportedWorkloadPairs(change, snap);
        if (expected > 0) withLosses++;
        if (reported !== expected)
          throw new Error(`${op}: reported ${reported} workload pairs, expected ${expected}`);
      }),
      { numRuns: 600, seed: 20261122 },
    );
    t.ok(withLosses >= 20, `changes with lost workload pairs among the generated ones: ${withLosses}`);
  });
}
