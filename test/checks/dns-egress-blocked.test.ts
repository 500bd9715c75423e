/**
 * dns-egress-blocked examines only the classes whose DNS a change can alter (dns-fix.ts): its
 * subjects must be exactly the workloads in which some pod could send UDP to a DNS endpoint before
 * the change and cannot after, as the reference evaluator states for every class of the cluster.
 */
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { resolveDnsTargets } from '../../src/checks/dns.js';
import type { EndpointClass } from '../../src/semantics/classes.js';
import { allowsPort } from '../../src/semantics/connection-set.js';
import type { Evaluator } from '../../src/semantics/evaluate.js';
import {
  CLUSTER_ARBS,
  assertForP1Changes,
  referenceOf,
  type GeneratedChange,
} from '../support/generated-clusters.js';

const config = defaultConfig();

function reportedSubjects({ snapshot, change }: GeneratedChange): string[] {
  const finding = decideChange(snapshot, change, config).findings.find(
    (f) => f.rule === 'dns-egress-blocked',
  );
  return finding ? [...finding.subjects] : [];
}

function expectedSubjects(generated: GeneratedChange): string[] {
  const { index, dns, before, after } = referenceOf(generated, config);
  const targets = resolveDnsTargets(dns, index);
  const dnsClasses = new Set(targets.flatMap((d) => d.classes));
  const reaches = (evaluator: Evaluator, c: EndpointClass): boolean =>
    targets.some((d) =>
      d.classes.some(
        (dst) =>
          dst !== c &&
          d.ports.some((p) => p.protocol === 'UDP' && allowsPort(evaluator.allowed(c, dst), 'UDP', p.port)),
      ),
    );
  const lost = new Set(
    index.classes.filter(
      (c) => !c.hostNetwork && !dnsClasses.has(c) && reaches(before, c) && !reaches(after, c),
    ),
  );
  return index.endpoints
    .filter((e) => e.classIds.some((id) => lost.has(index.classes[id]!)))
    .map((e) => e.id)
    .sort();
}

for (const [name, arb] of CLUSTER_ARBS) {
  t.test(`the workloads that lose DNS are the reference's (${name} policies)`, async (t) => {
    let withLosses = 0;
    assertForP1Changes(
      arb,
      (generated) => {
        const expected = expectedSubjects(generated);
        const reported = reportedSubjects(generated);
        if (expected.length > 0) withLosses++;
        if (JSON.stringify(reported) !== JSON.stringify(expected))
          throw new Error(
            `${generated.op}: reported ${JSON.stringify(reported)}, expected ${JSON.stringify(expected)}`,
          );
      },
      { numRuns: 2000, seed: 20261122 },
    );
    t.ok(withLosses >= 20, `changes that cost workloads their DNS among the generated ones: ${withLosses}`);
  });
}
