/**
 * dns-egress-blocked examines only the classes whose DNS a change can alter (dns-fix.ts): its
 * subjects must be exactly the workloads in which some pod could send UDP to a DNS endpoint before
 * the change and cannot after, as the reference evaluator states for every class of the cluster.
 */
import fc from 'fast-check';
import t from 'tap';
import type { PolicyChange } from '../../src/model/findings.js';
import type { PolicyRecord } from '../../src/model/records.js';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { planDns, resolveDnsTargets } from '../../src/checks/dns.js';
import { buildClassIndex, type EndpointClass } from '../../src/semantics/classes.js';
import { collectIpBlockSets, compilePolicy } from '../../src/semantics/compile.js';
import { allowsPort } from '../../src/semantics/connection-set.js';
import { ANALYSIS_ENDPOINTS, listEndpoints } from '../../src/semantics/endpoints.js';
import { createEvaluator, type Evaluator } from '../../src/semantics/evaluate.js';
import {
  NAMESPACES,
  clusterArb,
  narrowClusterArb,
  p1Change,
  snapshotOf,
} from '../support/generated-clusters.js';

const config = defaultConfig();

function reportedSubjects(change: PolicyChange, snap: ReturnType<typeof snapshotOf>): string[] {
  const finding = decideChange(snap, change, config).findings.find((f) => f.rule === 'dns-egress-blocked');
  return finding ? [...finding.subjects] : [];
}

function expectedSubjects(
  snap: ReturnType<typeof snapshotOf>,
  before: readonly PolicyRecord[],
  after: readonly PolicyRecord[],
): string[] {
  const compiledBefore = before.map((p) => compilePolicy(p));
  const compiledAfter = after.map((p) => compilePolicy(p));
  const plan = planDns(snap, config.dns);
  const index = buildClassIndex(
    [...listEndpoints(snap, ANALYSIS_ENDPOINTS), ...plan.assumedEndpoints],
    NAMESPACES,
    collectIpBlockSets([...compiledBefore, ...compiledAfter]),
  );
  const targets = resolveDnsTargets(plan, index);
  const dnsClasses = new Set(targets.flatMap((d) => d.classes));
  const reaches = (evaluator: Evaluator, c: EndpointClass): boolean =>
    targets.some((d) =>
      d.classes.some(
        (dst) =>
          dst !== c &&
          d.ports.some((p) => p.protocol === 'UDP' && allowsPort(evaluator.allowed(c, dst), 'UDP', p.port)),
      ),
    );
  const refBefore = createEvaluator(compiledBefore);
  const refAfter = createEvaluator(compiledAfter);
  const lost = new Set(
    index.classes.filter(
      (c) => !c.hostNetwork && !dnsClasses.has(c) && reaches(refBefore, c) && !reaches(refAfter, c),
    ),
  );
  return index.endpoints
    .filter((e) => e.classIds.some((id) => lost.has(index.classes[id]!)))
    .map((e) => e.id)
    .sort();
}

for (const [name, arb] of [
  ['generated', clusterArb],
  ['narrow', narrowClusterArb],
] as const) {
  t.test(`the workloads that lose DNS are the reference's (${name} policies)`, async (t) => {
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
        const expected = expectedSubjects(snap, policies, policiesAfter);
        const reported = reportedSubjects(change, snap);
        if (expected.length > 0) withLosses++;
        if (JSON.stringify(reported) !== JSON.stringify(expected))
          throw new Error(
            `${op}: reported ${JSON.stringify(reported)}, expected ${JSON.stringify(expected)}`,
          );
      }),
      { numRuns: 2000, seed: 20261122 },
    );
    t.ok(withLosses >= 20, `changes that cost workloads their DNS among the generated ones: ${withLosses}`);
  });
}
