/**
 * ChangeModel.takesNothingAway: a change that adds a policy where every class it selects was
 * already isolated in each direction it isolates can only add allows (policies are additive), so
 * the checks that report losses skip it. Case by case on a small cluster, then against the
 * reference evaluator on generated clusters: whenever it is true, no class pair and no External
 * range loses anything.
 */
import t from 'tap';
import type { PolicyRecord } from '../../src/model/records.js';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import { compilePolicy } from '../../src/semantics/compile.js';
import {
  formatConnections,
  isEmptyConnections,
  subtractConnections,
} from '../../src/semantics/connection-set.js';
import { createEvaluator } from '../../src/semantics/evaluate.js';
import {
  buildChangeModel,
  computeImpact,
  prepareState,
  type ChangeModel,
} from '../../src/semantics/impact.js';
import { formatIpRange } from '../../src/semantics/ip-set.js';
import { ANALYSIS_ENDPOINTS } from '../../src/semantics/endpoints.js';
import { CLUSTER_ARBS, assertForP1Changes } from '../support/generated-clusters.js';

const pod = (ns: string, name: string, ip: string): string => `
apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: { app: ${name} } }
spec: { containers: [{ name: c, image: x, ports: [{ name: http, containerPort: 8080 }] }] }
status: { podIP: ${ip} }
`;

/** locked: default-deny both ways; half: default-deny ingress only; open: no policy. */
const CLUSTER = [
  ...['locked', 'half', 'open'].map((ns) => `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${ns} }\n`),
  pod('locked', 'api', '10.0.1.1'),
  pod('locked', 'db', '10.0.1.2'),
  pod('half', 'api', '10.0.2.1'),
  pod('open', 'api', '10.0.3.1'),
  `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: locked }
spec: { podSelector: {}, policyTypes: [Ingress, Egress] }
`,
  `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: half }
spec: { podSelector: {}, policyTypes: [Ingress] }
`,
].join('---\n');

const policy = (text: string): PolicyRecord =>
  parseManifestTexts([{ source: 'change.yaml', text }]).snapshot.policies[0] as PolicyRecord;

function modelOf(before: PolicyRecord | null, after: PolicyRecord | null): ChangeModel {
  const state = parseManifestTexts([{ source: 'cluster.yaml', text: CLUSTER }]).snapshot;
  const ref = (after ?? before) as PolicyRecord;
  return buildChangeModel(prepareState(state), { namespace: ref.namespace, name: ref.name, before, after });
}

const ALLOW_API_FROM_DB = (ns: string, types: string, app = 'api'): PolicyRecord =>
  policy(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-api, namespace: ${ns} }
spec:
  podSelector: { matchLabels: { app: ${app} } }
  ${types}
  ingress: [{ from: [{ podSelector: { matchLabels: { app: db } } }], ports: [{ port: http }] }]
  egress: [{ to: [{ ipBlock: { cidr: 10.9.0.0/16 } }] }]
`);

t.test(
  'a policy added where its pods were isolated in each of its directions takes nothing away',
  async (t) => {
    for (const [what, p] of [
      ['ingress and egress, locked namespace', ALLOW_API_FROM_DB('locked', 'policyTypes: [Ingress, Egress]')],
      ['no policyTypes (both, from its egress rules)', ALLOW_API_FROM_DB('locked', '')],
      ['egress only, locked namespace', ALLOW_API_FROM_DB('locked', 'policyTypes: [Egress]')],
      ['ingress only, ingress-isolated namespace', ALLOW_API_FROM_DB('half', 'policyTypes: [Ingress]')],
      ['selecting no pod at all', ALLOW_API_FROM_DB('open', '', 'none')],
    ] as const) {
      const model = modelOf(null, p);
      t.equal(model.takesNothingAway, true, what);
      t.same(computeImpact(model, { lossesOnly: true }), [], `${what}: the impact lists no loss either`);
    }
  },
);

t.test('a change that isolates a direction anew, or removes a policy, may take something away', async (t) => {
  for (const [what, model] of [
    [
      'ingress in a namespace without policies',
      modelOf(null, ALLOW_API_FROM_DB('open', 'policyTypes: [Ingress]')),
    ],
    [
      'egress where only ingress was isolated',
      modelOf(null, ALLOW_API_FROM_DB('half', 'policyTypes: [Ingress, Egress]')),
    ],
  ] as const) {
    t.equal(model.takesNothingAway, false, what);
    t.not(computeImpact(model, { lossesOnly: true }).length, 0, `${what}: something is lost`);
  }
  const locked = ALLOW_API_FROM_DB('locked', 'policyTypes: [Ingress]');
  const wider = ALLOW_API_FROM_DB('locked', 'policyTypes: [Ingress, Egress]');
  t.equal(modelOf(locked, wider).takesNothingAway, false, 'an UPDATE, even one that only adds');
  t.equal(modelOf(locked, null).takesNothingAway, false, 'a DELETE');
});

for (const [name, arb] of CLUSTER_ARBS)
  t.test(`nothing is lost whenever a change takes nothing away (${name} policies)`, async (t) => {
    let adding = 0;
    assertForP1Changes(
      arb,
      ({ op, snapshot, change, policiesBefore, policiesAfter }) => {
        const model = buildChangeModel(prepareState(snapshot, { endpoints: ANALYSIS_ENDPOINTS }), {
          namespace: change.namespace,
          name: 'p1',
          before: change.oldObject,
          after: change.object,
        });
        if (op !== 'CREATE' && model.takesNothingAway) throw new Error(`${op} said to take nothing away`);
        if (!model.takesNothingAway) return;
        adding++;
        const before = createEvaluator(policiesBefore.map((p) => compilePolicy(p)));
        const after = createEvaluator(policiesAfter.map((p) => compilePolicy(p)));
        const loses = (b: ReturnType<typeof before.allowed>, a: typeof b, what: string): void => {
          const lost = subtractConnections(b, a);
          if (!isEmptyConnections(lost)) throw new Error(`${what} loses ${formatConnections(lost)}`);
        };
        const classes = model.index.classes;
        for (const s of classes) {
          for (const d of classes) loses(before.allowed(s, d), after.allowed(s, d), `${s.id} -> ${d.id}`);
          for (const atom of model.index.atoms) {
            const range = formatIpRange(atom);
            loses(before.allowedToExternal(s, atom), after.allowedToExternal(s, atom), `${s.id} -> ${range}`);
            loses(
              before.allowedFromExternal(atom, s),
              after.allowedFromExternal(atom, s),
              `${range} -> ${s.id}`,
            );
          }
        }
      },
      { numRuns: 600, seed: 20261122 },
    );
    t.ok(adding >= 30, `changes that take nothing away among the generated ones: ${adding}`);
  });
