import t, { type Test } from 'tap';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { parseNetworkPolicy, type FieldIssue } from '../../src/parse/index.js';
import type { PolicyRecord } from '../../src/model/records.js';

/** A NetworkPolicy in team-a whose spec is the given YAML. */
function policyWithSpec(specYaml: string): unknown {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'team-a' },
    spec: parseYaml(specYaml) as unknown,
  };
}

function expectPolicy(t: Test, obj: unknown): PolicyRecord {
  const result = parseNetworkPolicy(obj);
  if (!result.ok) {
    t.fail(`expected a valid policy, got ${JSON.stringify(result.issues)}`);
    throw new Error('invalid');
  }
  return result.policy;
}

function expectIssues(t: Test, obj: unknown): readonly FieldIssue[] {
  const result = parseNetworkPolicy(obj);
  if (result.ok) {
    t.fail('expected issues, the policy was accepted');
    return [];
  }
  return result.issues;
}

t.test('normalizes a minimal policy: podSelector {} and absent lists', async (t) => {
  const policy = expectPolicy(t, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'deny' },
  });
  t.same(policy, {
    namespace: 'default',
    name: 'deny',
    podSelector: { matchLabels: {}, matchExpressions: [] },
    policyTypes: null,
    ingress: [],
    egress: [],
    annotations: {},
  });
});

t.test('normalizes peers, ports, protocols and policyTypes', async (t) => {
  const policy = expectPolicy(t, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'web', namespace: 'team-a', annotations: { owner: 'team-a' } },
    spec: parseYaml(`
podSelector:
  matchLabels: {app: web}
  matchExpressions:
    - {key: tier, operator: In, values: [front, back]}
policyTypes: [Egress, Ingress]
ingress:
  - from:
      - namespaceSelector: {}
      - podSelector: {matchLabels: {app: lb}}
        namespaceSelector: {matchLabels: {team: ops}}
    ports:
      - port: http
      - port: 8000
        endPort: 8080
        protocol: SCTP
      - protocol: UDP
  - {}
egress:
  - to:
      - ipBlock: {cidr: 2001:db8::/32, except: ['2001:db8:1::/48']}
`),
  });
  t.same(policy.podSelector, {
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }],
  });
  t.same(policy.policyTypes, ['ingress', 'egress']);
  t.same(policy.ingress, [
    {
      peers: [
        { kind: 'selector', namespaceSelector: { matchLabels: {}, matchExpressions: [] }, podSelector: null },
        {
          kind: 'selector',
          namespaceSelector: { matchLabels: { team: 'ops' }, matchExpressions: [] },
          podSelector: { matchLabels: { app: 'lb' }, matchExpressions: [] },
        },
      ],
      ports: [
        { protocol: 'TCP', port: 'http', endPort: null },
        { protocol: 'SCTP', port: 8000, endPort: 8080 },
        { protocol: 'UDP', port: null, endPort: null },
      ],
    },
    { peers: [], ports: [] },
  ]);
  t.same(policy.egress, [
    {
      peers: [{ kind: 'ipBlock', ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] } }],
      ports: [],
    },
  ]);
  t.same(policy.annotations, { owner: 'team-a' });
});

t.test('null means absent, as for the API server decoder', async (t) => {
  const policy = expectPolicy(
    t,
    policyWithSpec('{podSelector: null, policyTypes: [], ingress: [null], egress: null}'),
  );
  t.same(policy.podSelector, { matchLabels: {}, matchExpressions: [] });
  t.equal(policy.policyTypes, null, 'an empty policyTypes is defaulted like an absent one');
  t.same(policy.ingress, [{ peers: [], ports: [] }], 'a null rule is an empty rule');
});

t.test('uses the given default namespace for an object without one (AdmissionReview)', async (t) => {
  const result = parseNetworkPolicy({ metadata: { name: 'p' } }, { defaultNamespace: 'team-b' });
  t.ok(result.ok && result.policy.namespace === 'team-b');
});

t.test('accepts a CIDR with host bits set (as the API server does) with a warning', async (t) => {
  const result = parseNetworkPolicy(
    policyWithSpec('{ingress: [{from: [{ipBlock: {cidr: 10.0.0.1/24, except: [10.0.0.129/25]}}]}]}'),
  );
  if (!result.ok) return t.fail(JSON.stringify(result.issues));
  t.same(result.policy.ingress[0]?.peers[0], {
    kind: 'ipBlock',
    ipBlock: { cidr: '10.0.0.0/24', except: ['10.0.0.128/25'] },
  });
  t.equal(result.warnings.length, 2);
  t.match(result.warnings[0], {
    path: 'spec.ingress[0].from[0].ipBlock.cidr',
    message: /ambiguous.*"10\.0\.0\.0\/24" or "10\.0\.0\.1\/32"/,
  });
});

t.test('the message of an invalid port reads "expected ..., got ..."', async (t) => {
  const issues = expectIssues(t, policyWithSpec(`{egress: [{ports: [{port: '99999', protocol: UDP}]}]}`));
  t.same(issues, [
    {
      path: 'spec.egress[0].ports[0].port',
      message:
        'expected an integer 1-65535 or a port name (IANA_SVC_NAME), got "99999" (a quoted number is a port name, not a port number: write it without quotes)',
    },
  ]);
});

interface RuleCase {
  readonly rule: string;
  readonly spec: string;
  /** The issue path expected, or `ok`. */
  readonly expect: string;
  readonly message?: RegExp;
}

const RULE_CASES: readonly RuleCase[] = [
  // ports and endPort
  { rule: 'numeric port in range', spec: '{ingress: [{ports: [{port: 443}]}]}', expect: 'ok' },
  {
    rule: 'port 0',
    spec: '{ingress: [{ports: [{port: 0}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
    message: /got 0$/,
  },
  {
    rule: 'port 65536',
    spec: '{ingress: [{ports: [{port: 65536}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
  },
  {
    rule: 'fractional port',
    spec: '{ingress: [{ports: [{port: 80.5}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
    message: /expected an integer 1-65535 or a port name .*got 80\.5/,
  },
  { rule: 'named port "http"', spec: '{ingress: [{ports: [{port: http}]}]}', expect: 'ok' },
  { rule: 'named port of 15 chars', spec: '{ingress: [{ports: [{port: abcdefghij-1234}]}]}', expect: 'ok' },
  {
    rule: 'numeric string "80"',
    spec: `{ingress: [{ports: [{port: '80'}]}]}`,
    expect: 'spec.ingress[0].ports[0].port',
    message: /got "80"/,
  },
  {
    rule: 'upper-case port name',
    spec: '{ingress: [{ports: [{port: HTTP}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
  },
  {
    rule: 'port name with double hyphen',
    spec: '{ingress: [{ports: [{port: my--port}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
    message: /consecutive hyphens/,
  },
  {
    rule: 'port name longer than 15',
    spec: '{ingress: [{ports: [{port: abcdefghij-12345}]}]}',
    expect: 'spec.ingress[0].ports[0].port',
  },
  { rule: 'protocol SCTP', spec: '{egress: [{ports: [{protocol: SCTP}]}]}', expect: 'ok' },
  {
    rule: 'lower-case protocol',
    spec: '{egress: [{ports: [{protocol: tcp}]}]}',
    expect: 'spec.egress[0].ports[0].protocol',
    message: /expected one of TCP, UDP, SCTP, got "tcp"/,
  },
  { rule: 'endPort equal to port', spec: '{egress: [{ports: [{port: 80, endPort: 80}]}]}', expect: 'ok' },
  {
    rule: 'endPort without port',
    spec: '{egress: [{ports: [{endPort: 90}]}]}',
    expect: 'spec.egress[0].ports[0].endPort',
    message: /without a numeric port/,
  },
  {
    rule: 'endPort below port',
    spec: '{egress: [{ports: [{port: 80, endPort: 79}]}]}',
    expect: 'spec.egress[0].ports[0].endPort',
    message: /from port \(80\) to 65535, got 79/,
  },
  {
    rule: 'endPort above 65535',
    spec: '{egress: [{ports: [{port: 80, endPort: 65536}]}]}',
    expect: 'spec.egress[0].ports[0].endPort',
  },
  {
    rule: 'endPort with a named port',
    spec: '{egress: [{ports: [{port: http, endPort: 90}]}]}',
    expect: 'spec.egress[0].ports[0].endPort',
    message: /named port/,
  },
  {
    rule: 'string endPort',
    spec: `{egress: [{ports: [{port: 80, endPort: '90'}]}]}`,
    expect: 'spec.egress[0].ports[0].endPort',
    message: /expected an integer 1-65535, got "90"/,
  },
  // policyTypes
  { rule: 'policyTypes Egress only', spec: '{policyTypes: [Egress]}', expect: 'ok' },
  {
    rule: 'unknown policy type',
    spec: '{policyTypes: [Ingress, ingress]}',
    expect: 'spec.policyTypes[1]',
    message: /expected one of Ingress, Egress, got "ingress"/,
  },
  {
    rule: 'three policy types',
    spec: '{policyTypes: [Ingress, Egress, Ingress]}',
    expect: 'spec.policyTypes',
    message: /at most two/,
  },
  // ipBlock
  { rule: 'IPv4 cidr', spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}', expect: 'ok' },
  { rule: 'IPv6 cidr', spec: '{ingress: [{from: [{ipBlock: {cidr: "fd00::/8"}}]}]}', expect: 'ok' },
  {
    rule: 'IPv6 cidr with except inside',
    spec: '{ingress: [{from: [{ipBlock: {cidr: "fd00::/8", except: ["fd00:1::/32"]}}]}]}',
    expect: 'ok',
  },
  {
    rule: 'prefix too long',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.cidr',
    message: /got "10\.0\.0\.0\/33"/,
  },
  {
    rule: 'octet too large',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 300.0.0.0/8}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.cidr',
  },
  {
    rule: 'cidr without prefix',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.1}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.cidr',
  },
  {
    rule: 'IPv6 cidr with a zone',
    spec: '{ingress: [{from: [{ipBlock: {cidr: "fe80::1%eth0/64"}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.cidr',
  },
  {
    rule: 'missing cidr',
    spec: '{ingress: [{from: [{ipBlock: {except: [10.0.0.0/8]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.cidr',
    message: /got nothing/,
  },
  {
    rule: 'except equal to cidr',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.except[0]',
    message: /strictly inside cidr 10\.0\.0\.0\/8/,
  },
  {
    rule: 'except outside cidr',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.except[0]',
  },
  {
    rule: 'except wider than cidr',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16, except: [10.0.0.0/8]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.except[0]',
  },
  {
    rule: 'except of the other family',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: ["fd00::/16"]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.except[0]',
    message: /IPv6, while cidr is IPv4/,
  },
  {
    rule: 'invalid except',
    spec: '{ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/99]}}]}]}',
    expect: 'spec.ingress[0].from[0].ipBlock.except[0]',
  },
  // peers
  {
    rule: 'ipBlock with a podSelector',
    spec: '{egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}]}]}',
    expect: 'spec.egress[0].to[0]',
    message: /ipBlock alone/,
  },
  {
    rule: 'empty peer',
    spec: '{egress: [{to: [{}]}]}',
    expect: 'spec.egress[0].to[0]',
    message: /at least one of podSelector, namespaceSelector or ipBlock/,
  },
  {
    rule: 'peer with only null fields',
    spec: '{egress: [{to: [{podSelector: null}]}]}',
    expect: 'spec.egress[0].to[0]',
  },
  {
    rule: 'namespaceSelector and podSelector together',
    spec: '{egress: [{to: [{namespaceSelector: {}, podSelector: {}}]}]}',
    expect: 'ok',
  },
  // selectors
  {
    rule: 'In with values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: In, values: [a]}]}}',
    expect: 'ok',
  },
  {
    rule: 'In without values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: In}]}}',
    expect: 'spec.podSelector.matchExpressions[0].values',
    message: /at least one value for operator In/,
  },
  {
    rule: 'NotIn with empty values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: NotIn, values: []}]}}',
    expect: 'spec.podSelector.matchExpressions[0].values',
  },
  {
    rule: 'Exists without values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: Exists}]}}',
    expect: 'ok',
  },
  {
    rule: 'Exists with values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: Exists, values: [a]}]}}',
    expect: 'spec.podSelector.matchExpressions[0].values',
    message: /no values for operator Exists, got 1/,
  },
  {
    rule: 'DoesNotExist with values',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: DoesNotExist, values: [a, b]}]}}',
    expect: 'spec.podSelector.matchExpressions[0].values',
  },
  {
    rule: 'unknown operator',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: Equals, values: [a]}]}}',
    expect: 'spec.podSelector.matchExpressions[0].operator',
    message: /expected one of In, NotIn, Exists, DoesNotExist, got "Equals"/,
  },
  {
    rule: 'bad key in matchExpressions',
    spec: '{podSelector: {matchExpressions: [{key: "a b", operator: Exists}]}}',
    expect: 'spec.podSelector.matchExpressions[0].key',
  },
  {
    rule: 'bad value in matchExpressions',
    spec: '{podSelector: {matchExpressions: [{key: app, operator: In, values: [ok, "-bad"]}]}}',
    expect: 'spec.podSelector.matchExpressions[0].values[1]',
  },
  {
    rule: 'prefixed label key',
    spec: '{podSelector: {matchLabels: {app.kubernetes.io/name: web}}}',
    expect: 'ok',
  },
  { rule: 'empty label value', spec: `{podSelector: {matchLabels: {app: ''}}}`, expect: 'ok' },
  { rule: 'label value with inner -_.', spec: '{podSelector: {matchLabels: {v: 1.2_3-rc}}}', expect: 'ok' },
  {
    rule: 'label key starting with -',
    spec: '{podSelector: {matchLabels: {-app: web}}}',
    expect: 'spec.podSelector.matchLabels["-app"]',
    message: /expected a valid label key, got "-app"/,
  },
  {
    rule: 'label key with two slashes',
    spec: '{podSelector: {matchLabels: {a/b/c: web}}}',
    expect: 'spec.podSelector.matchLabels["a/b/c"]',
  },
  {
    rule: 'label key with upper-case prefix',
    spec: '{podSelector: {matchLabels: {Example.com/app: web}}}',
    expect: 'spec.podSelector.matchLabels["Example.com/app"]',
    message: /prefix part/,
  },
  {
    rule: 'label key with empty prefix',
    spec: '{podSelector: {matchLabels: {/app: web}}}',
    expect: 'spec.podSelector.matchLabels["/app"]',
  },
  {
    rule: 'label key name of 64 chars',
    spec: `{podSelector: {matchLabels: {${'k'.repeat(64)}: web}}}`,
    expect: `spec.podSelector.matchLabels.${'k'.repeat(64)}`,
  },
  {
    rule: 'label value of 64 chars',
    spec: `{podSelector: {matchLabels: {app: ${'v'.repeat(64)}}}}`,
    expect: 'spec.podSelector.matchLabels.app',
    message: /no more than 63/,
  },
  {
    rule: 'label value with a space',
    spec: '{podSelector: {matchLabels: {app: "a b"}}}',
    expect: 'spec.podSelector.matchLabels.app',
  },
  {
    rule: 'bad key in a peer namespaceSelector',
    spec: '{ingress: [{from: [{namespaceSelector: {matchLabels: {"x y": a}}}]}]}',
    expect: 'spec.ingress[0].from[0].namespaceSelector.matchLabels["x y"]',
  },
  // shapes
  {
    rule: 'unknown field',
    spec: '{ingress: [{form: [{podSelector: {}}]}]}',
    expect: 'spec.ingress[0].form',
    message: /unknown field \(expected one of from, ports\)/,
  },
  {
    rule: 'selector given as a string',
    spec: '{podSelector: app=web}',
    expect: 'spec.podSelector',
    message: /expected an object, got "app=web"/,
  },
  {
    rule: 'matchLabels value that is a number',
    spec: '{podSelector: {matchLabels: {version: 2}}}',
    expect: 'spec.podSelector.matchLabels.version',
    message: /expected a string, got 2/,
  },
  {
    rule: 'ingress given as an object',
    spec: '{ingress: {from: []}}',
    expect: 'spec.ingress',
    message: /expected a list/,
  },
];

t.test('validation rules, one case each', async (t) => {
  for (const c of RULE_CASES) {
    const result = parseNetworkPolicy(policyWithSpec(c.spec));
    if (c.expect === 'ok') {
      t.ok(result.ok, `${c.rule}: accepted${result.ok ? '' : ` (${JSON.stringify(result.issues)})`}`);
      continue;
    }
    if (result.ok) {
      t.fail(`${c.rule}: expected an issue at ${c.expect}, the policy was accepted`);
      continue;
    }
    const issue = result.issues.find((i) => i.path === c.expect);
    t.ok(issue, `${c.rule}: issue at ${c.expect} (got ${JSON.stringify(result.issues)})`);
    if (issue !== undefined && c.message !== undefined)
      t.match(issue.message, c.message, `${c.rule}: message`);
  }
});

t.test('metadata rules', async (t) => {
  const noName = expectIssues(t, { kind: 'NetworkPolicy', metadata: { namespace: 'a' } });
  t.same(noName, [{ path: 'metadata.name', message: 'expected a name (DNS-1123 subdomain), got nothing' }]);
  t.same(
    expectIssues(t, { metadata: null }).map((i) => i.path),
    ['metadata.name'],
  );
  t.match(expectIssues(t, { metadata: { name: 'Allow_DNS' } }), [
    { path: 'metadata.name', message: /DNS-1123 subdomain, got "Allow_DNS"/ },
  ]);
  t.match(expectIssues(t, { metadata: { name: 'p', namespace: 'Team.A' } }), [
    { path: 'metadata.namespace' },
  ]);
  t.match(expectIssues(t, { metadata: { name: 'p', labels: { 'a b': 'c' } } }), [
    { path: 'metadata.labels["a b"]' },
  ]);
  t.ok(parseNetworkPolicy({ metadata: { name: 'allow.dns-1' } }).ok, 'a dotted name is a valid subdomain');
  t.match(expectIssues(t, { apiVersion: 'extensions/v1beta1', metadata: { name: 'p' } }), [
    { path: 'apiVersion' },
  ]);
  t.match(expectIssues(t, { kind: 'Pod', metadata: { name: 'p' } }), [{ path: 'kind' }]);
  t.match(expectIssues(t, 'not an object'), [
    { path: '', message: 'expected a NetworkPolicy object, got "not an object"' },
  ]);
  t.match(expectIssues(t, { metadata: { name: 'p' }, spek: {} }), [
    { path: 'spek', message: /unknown field/ },
  ]);
});

t.test('reports every issue of a policy at once', async (t) => {
  const issues = expectIssues(
    t,
    policyWithSpec(`
ingress:
  - ports: [{port: 0}, {endPort: 5}]
    from: [{}]
egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]
`),
  );
  t.same(
    issues.map((i) => i.path),
    [
      'spec.ingress[0].ports[0].port',
      'spec.ingress[0].ports[1].endPort',
      'spec.ingress[0].from[0]',
      'spec.egress[0].to[0].ipBlock.except[0]',
    ],
  );
});

t.test('never throws and never yields NaN, whatever the input', async (t) => {
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const specLike = fc.record(
    {
      podSelector: fc.oneof(anyJson, fc.record({ matchLabels: fc.dictionary(fc.string(), anyJson) })),
      policyTypes: fc.oneof(anyJson, fc.array(fc.constantFrom('Ingress', 'Egress', 'x', null))),
      ingress: fc.array(
        fc.record(
          {
            from: fc.array(
              fc.record(
                {
                  ipBlock: fc.record(
                    { cidr: fc.oneof(fc.string(), anyJson), except: anyJson },
                    { requiredKeys: [] },
                  ),
                },
                { requiredKeys: [] },
              ),
            ),
            ports: fc.array(
              fc.record(
                {
                  port: fc.oneof(fc.integer(), fc.string(), anyJson),
                  endPort: fc.oneof(fc.integer(), anyJson),
                  protocol: fc.constantFrom('TCP', 'UDP', 'tcp', null),
                },
                { requiredKeys: [] },
              ),
            ),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.oneof(
        fc.anything(),
        specLike.map((spec) => ({ metadata: { name: 'p' }, spec })),
      ),
      (input) => {
        const result = parseNetworkPolicy(input);
        if (!result.ok)
          return result.issues.length > 0 && result.issues.every((i) => typeof i.message === 'string');
        const ports = [...result.policy.ingress, ...result.policy.egress].flatMap((r) => r.ports);
        return ports.every((p) => !Number.isNaN(p.port) && !Number.isNaN(p.endPort));
      },
    ),
    { numRuns: 500 },
  );
  t.pass('no exception across generated inputs');
});

t.test('objects from the API server: unknown fields are ignored with a warning, not rejected', async (t) => {
  const obj = policyWithSpec(
    '{ingress: [{from: [{podSelector: {}}], futureField: true}], futureSpecField: 1}',
  );
  t.notOk(parseNetworkPolicy(obj).ok, 'manifests: rejected as kubectl strict validation would');
  const lenient = parseNetworkPolicy(obj, { unknownFields: 'ignore' });
  t.ok(lenient.ok, 'API objects: still read');
  if (!lenient.ok) return;
  t.equal(lenient.policy.ingress.length, 1);
  t.ok(
    lenient.warnings.some(
      (w) => w.path === 'spec.futureSpecField' && /ignored: unknown field/.test(w.message),
    ),
  );
  t.ok(lenient.warnings.some((w) => w.path === 'spec.ingress[0].futureField'));
  const wrongType = parseNetworkPolicy(policyWithSpec('{ingress: [{ports: [{port: true}]}], extra: 1}'), {
    unknownFields: 'ignore',
  });
  t.notOk(wrongType.ok, 'a wrong type is still an error in lenient mode');
});
