/**
 * Small generated clusters for property tests (fast-check): three namespaces, six pods with
 * labels, IPs, named ports and hostNetwork, and up to four policies (plus a replacement for p1)
 * that exercise every feature: selectors and expressions, AND/OR peers, ipBlocks with excepts
 * over pod IPs, named ports, policyTypes. `narrow` policies select one workload and name peers in
 * named namespaces, which makes pairs that name each other back common.
 */
import fc from 'fast-check';
import type { PreflightConfig } from '../../src/model/config.js';
import type { Operation, PolicyChange } from '../../src/model/findings.js';
import type {
  ClusterSnapshot,
  ContainerPort,
  LabelSelector,
  NamespaceRecord,
  PeerRecord,
  PodRecord,
  PolicyRecord,
  PortRecord,
  RuleRecord,
} from '../../src/model/records.js';
import { planDns, type DnsPlan } from '../../src/checks/dns.js';
import { buildClassIndex, type ClassIndex } from '../../src/semantics/classes.js';
import { collectIpBlockSets, compilePolicy } from '../../src/semantics/compile.js';
import { ANALYSIS_ENDPOINTS, listEndpoints } from '../../src/semantics/endpoints.js';
import { createEvaluator, type Evaluator } from '../../src/semantics/evaluate.js';

export const NAMESPACES: NamespaceRecord[] = ['a', 'b', 'c'].map((name, i) => ({
  name,
  labels: { 'kubernetes.io/metadata.name': name, env: i === 0 ? 'prod' : 'dev' },
  phase: 'Active',
  implicit: false,
}));
const PORTS: ContainerPort[][] = [
  [],
  [{ name: 'http', port: 80, protocol: 'TCP' }],
  [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'dns', port: 53, protocol: 'UDP' },
  ],
  [{ name: 'http', port: 8080, protocol: 'UDP' }],
];
const IPS = ['10.0.0.1', '10.0.0.2', '10.0.0.5', '10.0.0.9', '192.168.1.7', 'fd00::1'];
const CIDRS: { cidr: string; except: string[] }[] = [
  { cidr: '10.0.0.0/29', except: [] },
  { cidr: '10.0.0.0/29', except: ['10.0.0.2/32'] },
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] },
  { cidr: '192.168.0.0/16', except: [] },
  { cidr: 'fd00::/64', except: [] },
  { cidr: '10.0.0.8/31', except: [] },
];

const labelsArb = fc.record(
  { app: fc.constantFrom('x', 'y', 'z'), tier: fc.constantFrom('web', 'db') },
  { requiredKeys: [] },
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record({
  matchLabels: labelsArb,
  matchExpressions: fc.array(
    fc.oneof(
      fc.record({
        key: fc.constantFrom('app', 'tier', 'env'),
        operator: fc.constantFrom('In' as const, 'NotIn' as const),
        values: fc.subarray(['x', 'y', 'web', 'prod'], { minLength: 1 }),
      }),
      fc.record({
        key: fc.constantFrom('app', 'tier', 'env'),
        operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const),
        values: fc.constant([]),
      }),
    ),
    { maxLength: 2 },
  ),
});
const peerArb: fc.Arbitrary<PeerRecord> = fc.oneof(
  fc
    .record({
      kind: fc.constant('selector' as const),
      namespaceSelector: fc.option(selectorArb, { nil: null }),
      podSelector: fc.option(selectorArb, { nil: null }),
    })
    .filter((p) => p.namespaceSelector !== null || p.podSelector !== null),
  fc.record({ kind: fc.constant('ipBlock' as const), ipBlock: fc.constantFrom(...CIDRS) }),
);
const portArb: fc.Arbitrary<PortRecord> = fc.oneof(
  fc
    .record({
      protocol: fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
      port: fc.constantFrom(53, 80, 8080),
      endPort: fc.constantFrom(null, 8081),
    })
    .map((p) => ({
      ...p,
      endPort: p.endPort !== null && p.endPort >= (p.port as number) ? p.endPort : null,
    })),
  fc.record({
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
    port: fc.constantFrom('http', 'dns', 'nope'),
    endPort: fc.constant(null),
  }),
  fc.record({
    protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
    port: fc.constant(null),
    endPort: fc.constant(null),
  }),
);
const ruleArb: fc.Arbitrary<RuleRecord> = fc.record({
  peers: fc.array(peerArb, { maxLength: 2 }),
  ports: fc.array(portArb, { maxLength: 2 }),
});
const policyArbOf =
  (podSelector: fc.Arbitrary<LabelSelector>, rule: fc.Arbitrary<RuleRecord>) =>
  (name: string): fc.Arbitrary<PolicyRecord> =>
    fc.record({
      namespace: fc.constantFrom('a', 'b', 'c'),
      name: fc.constant(name),
      podSelector,
      policyTypes: fc.constantFrom(
        null,
        ['ingress' as const],
        ['egress' as const],
        ['ingress' as const, 'egress' as const],
      ),
      ingress: fc.array(rule, { maxLength: 2 }),
      egress: fc.array(rule, { maxLength: 2 }),
      annotations: fc.constant({}),
    });
const policyArb = policyArbOf(selectorArb, ruleArb);
const podArb = (i: number): fc.Arbitrary<PodRecord> =>
  fc.record({
    namespace: fc.constantFrom('a', 'b', 'c'),
    name: fc.constant(`pod${i}`),
    labels: labelsArb,
    ips: fc.subarray(IPS, { maxLength: 1 }),
    ports: fc.constantFrom(...PORTS),
    hostNetwork: fc.boolean(),
    phase: fc.constant('Running' as const),
    owner: fc.constantFrom(null, { kind: 'ReplicaSet', name: 'rs' }),
  });
/**
 * Narrow policies: one workload selected, peers in named namespaces. Pairs where the changed
 * policy's peers name classes that it does not select, and whose own policies name its pods
 * back, are rare under policyArb; these make them common.
 */
const narrowSelectorArb: fc.Arbitrary<LabelSelector> = fc.constantFrom<LabelSelector>(
  { matchLabels: { app: 'x' }, matchExpressions: [] },
  { matchLabels: { app: 'y' }, matchExpressions: [] },
  { matchLabels: { tier: 'db' }, matchExpressions: [] },
);
const narrowPeerArb: fc.Arbitrary<PeerRecord> = fc.oneof(
  fc.record({
    kind: fc.constant('selector' as const),
    namespaceSelector: fc.constantFrom<LabelSelector | null>(
      null,
      { matchLabels: {}, matchExpressions: [] },
      { matchLabels: { env: 'dev' }, matchExpressions: [] },
      { matchLabels: { env: 'prod' }, matchExpressions: [] },
    ),
    podSelector: narrowSelectorArb,
  }),
  fc.record({ kind: fc.constant('ipBlock' as const), ipBlock: fc.constantFrom(...CIDRS) }),
);
const narrowPolicyArb = policyArbOf(
  narrowSelectorArb,
  fc.record({
    peers: fc.array(narrowPeerArb, { maxLength: 2 }),
    ports: fc.array(portArb, { maxLength: 2 }),
  }),
);

/** Six pods, up to four policies p0..p3 and a replacement for p1, all from `policy`. */
const clusterArbOf = (policy: (name: string) => fc.Arbitrary<PolicyRecord>) =>
  fc
    .tuple(
      fc.tuple(...[0, 1, 2, 3, 4, 5].map(podArb)),
      fc.tuple(...[0, 1, 2, 3].map((i) => policy(`p${i}`))),
      fc.nat({ max: 4 }),
      policy('p1'),
    )
    .map(([pods, policies, k, replacement]) => ({ pods, policies: policies.slice(0, k), replacement }));
export const clusterArb = clusterArbOf(policyArb);
export const narrowClusterArb = clusterArbOf(narrowPolicyArb);

/** The policy shapes the property tests run over, by name. */
export const CLUSTER_ARBS = [
  ['generated', clusterArb],
  ['narrow', narrowClusterArb],
] as const;

type GeneratedCluster = typeof clusterArb extends fc.Arbitrary<infer C> ? C : never;

/** One generated change of policy p1, with the cluster it applies to. */
export interface GeneratedChange {
  readonly op: Operation;
  /** The cluster before the change. */
  readonly snapshot: ClusterSnapshot;
  /** The change as the checks receive it. */
  readonly change: PolicyChange;
  readonly policiesBefore: readonly PolicyRecord[];
  readonly policiesAfter: readonly PolicyRecord[];
}

/**
 * Runs `check` (it throws to fail) on changes of p1 in the clusters of `arb`: CREATE when p1
 * does not exist (the replacement), UPDATE to the replacement (in p1's namespace) or DELETE when
 * it does; a drawn operation that does not fit the cluster is skipped.
 */
export function assertForP1Changes(
  arb: fc.Arbitrary<GeneratedCluster>,
  check: (generated: GeneratedChange) => void,
  parameters: fc.Parameters<[GeneratedCluster, Operation]>,
): void {
  fc.assert(
    fc.property(arb, fc.constantFrom<Operation>('CREATE', 'UPDATE', 'DELETE'), (cluster, op) => {
      const existing = cluster.policies.find((p) => p.name === 'p1') ?? null;
      if ((op === 'CREATE') === (existing !== null)) return;
      const before = op === 'CREATE' ? null : existing;
      const after =
        op === 'DELETE'
          ? null
          : { ...cluster.replacement, namespace: existing?.namespace ?? cluster.replacement.namespace };
      check({
        op,
        snapshot: snapshotOf(cluster.pods, cluster.policies),
        change: {
          operation: op,
          namespace: (after ?? (before as PolicyRecord)).namespace,
          name: 'p1',
          object: after,
          oldObject: before,
        },
        policiesBefore: cluster.policies,
        policiesAfter: [...cluster.policies.filter((p) => p.name !== 'p1'), ...(after ? [after] : [])],
      });
    }),
    parameters,
  );
}

export function snapshotOf(pods: readonly PodRecord[], policies: readonly PolicyRecord[]): ClusterSnapshot {
  return { namespaces: NAMESPACES, pods, workloads: [], policies, services: [] };
}

/** What the reference states of a generated change, for the checks' property tests. */
export interface ReferenceView {
  /** Every analysed endpoint and the DNS server the checks assume when the cluster shows none. */
  readonly index: ClassIndex;
  readonly dns: DnsPlan;
  readonly before: Evaluator;
  readonly after: Evaluator;
}

export function referenceOf(generated: GeneratedChange, config: PreflightConfig): ReferenceView {
  const compiledBefore = generated.policiesBefore.map((p) => compilePolicy(p));
  const compiledAfter = generated.policiesAfter.map((p) => compilePolicy(p));
  const dns = planDns(generated.snapshot, config.dns);
  const index = buildClassIndex(
    [...listEndpoints(generated.snapshot, ANALYSIS_ENDPOINTS), ...dns.assumedEndpoints],
    NAMESPACES,
    collectIpBlockSets([...compiledBefore, ...compiledAfter]),
  );
  return { index, dns, before: createEvaluator(compiledBefore), after: createEvaluator(compiledAfter) };
}
