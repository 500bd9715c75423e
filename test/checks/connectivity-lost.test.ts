/**
 * connectivity-lost counts workload pairs without listing them: its count must be the number of
 * distinct endpoint pairs (a workload's pods may fall in several classes) in which some pod pair
 * loses connections, as the reference evaluator states pair by pair before and after the change.
 */
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { isEmptyConnections, subtractConnections } from '../../src/semantics/connection-set.js';
import {
  CLUSTER_ARBS,
  assertForP1Changes,
  referenceOf,
  type GeneratedChange,
} from '../support/generated-clusters.js';

const config = defaultConfig();

/** "… removes connections for 12 workload pairs and …": the count, 0 without the finding. */
function reportedWorkloadPairs({ snapshot, change }: GeneratedChange): number {
  const finding = decideChange(snapshot, change, config).findings.find((f) => f.rule === 'connectivity-lost');
  if (!finding) return 0;
  const m = /for (\d+) workload pairs?\b/.exec(finding.message);
  return m ? Number(m[1]) : 0;
}

function expectedWorkloadPairs(generated: GeneratedChange): number {
  const { index, before, after } = referenceOf(generated, config);
  let pairs = 0;
  for (const e of index.endpoints) {
    for (const f of index.endpoints) {
      if (e === f) continue;
      const loses = e.classIds.some((i) =>
        f.classIds.some((j) => {
          const s = index.classes[i]!;
          const d = index.classes[j]!;
          return !isEmptyConnections(subtractConnections(before.allowed(s, d), after.allowed(s, d)));
        }),
      );
      if (loses) pairs++;
    }
  }
  return pairs;
}

for (const [name, arb] of CLUSTER_ARBS) {
  t.test(`the workload pair count equals the reference count (${name} policies)`, async (t) => {
    let withLosses = 0;
    assertForP1Changes(
      arb,
      (generated) => {
        const expected = expectedWorkloadPairs(generated);
        const reported = reportedWorkloadPairs(generated);
        if (expected > 0) withLosses++;
        if (reported !== expected)
          throw new Error(`${generated.op}: reported ${reported} workload pairs, expected ${expected}`);
      },
      { numRuns: 600, seed: 20261122 },
    );
    t.ok(withLosses >= 20, `changes with lost workload pairs among the generated ones: ${withLosses}`);
  });
}
