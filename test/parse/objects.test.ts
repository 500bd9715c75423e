import t from 'tap';
import fc from 'fast-check';
import { stringify } from 'yaml';
import {
  InvalidManifestsError,
  InvalidObjectError,
  parseManifestTexts,
  parseNamespace,
  parsePod,
  parseService,
  parseWorkload,
} from '../../src/parse/index.js';
import { WORKLOAD_KINDS } from '../../src/model/records.js';
import { readFixture } from '../support/parse-fixtures.js';

/** Parses YAML documents given as objects, from one source `test.yaml`. */
function parseObjects(...objects: unknown[]): ReturnType<typeof parseManifestTexts> {
  return parseManifestTexts([{ source: 'test.yaml', text: objects.map((o) => stringify(o)).join('---\n') }]);
}

function catchManifestError(run: () => unknown): InvalidManifestsError {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidManifestsError) return error;
    throw error;
  }
  throw new Error('expected an InvalidManifestsError');
}

t.test('expands List and typed lists whose items omit kind', async (t) => {
  const { snapshot, skipped } = parseManifestTexts([
    { source: 'lists.yaml', text: readFixture('lists.yaml') },
  ]);
  t.same(
    snapshot.pods.map((p) => [p.namespace, p.name, p.labels]),
    [
      ['shop', 'cart', {}],
      ['shop', 'checkout', { app: 'checkout' }],
      ['shop', 'payment', {}],
    ],
  );
  t.same(
    snapshot.policies.map((p) => `${p.namespace}/${p.name}`),
    ['shop/deny-all'],
    'a NetworkPolicyList item inherits kind and apiVersion',
  );
  t.same(
    snapshot.namespaces.map((n) => [n.name, n.implicit]),
    [['shop', false]],
  );
  t.same(skipped, [
    {
      source: 'lists.yaml',
      documentIndex: 1,
      itemIndex: 1,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: 'shop',
      name: 'settings',
      reason: 'unsupported-kind',
    },
  ]);
});

t.test('skips other kinds, other API groups and documents without a kind, without error', async (t) => {
  const { snapshot, skipped } = parseManifestTexts([
    { source: 'skipped.yaml', text: readFixture('skipped.yaml') },
  ]);
  t.same(snapshot.policies, [], 'a Calico NetworkPolicy is not a Kubernetes one');
  t.same(
    skipped.map((s) => [s.documentIndex, s.kind, s.name, s.reason]),
    [
      [1, 'ConfigMap', 'settings', 'unsupported-kind'],
      [2, 'NetworkPolicy', 'calico-policy', 'unsupported-api-version'],
      [3, null, null, 'no-kind'],
      [4, null, 'no-kind', 'no-kind'],
    ],
  );
});

t.test('objects without metadata.namespace are in default', async (t) => {
  const { snapshot } = parseObjects(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: {} } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
  );
  t.same(
    [snapshot.pods, snapshot.workloads, snapshot.policies, snapshot.services].map((list) =>
      list.map((r) => r.namespace),
    ),
    [['default'], ['default'], ['default'], ['default']],
  );
  t.same(snapshot.namespaces, [
    {
      name: 'default',
      labels: { 'kubernetes.io/metadata.name': 'default' },
      phase: 'Active',
      implicit: true,
    },
  ]);
});

t.test('a pod: labels, IPs, container ports only, hostNetwork, phase, controller owner', async (t) => {
  const result = parsePod({
    metadata: {
      name: 'web-1',
      namespace: 'team-a',
      labels: { app: 'web' },
      ownerReferences: [
        { kind: 'Node', name: 'node-1' },
        { kind: 'ReplicaSet', name: 'web-abc', controller: true },
      ],
    },
    spec: {
      hostNetwork: true,
      initContainers: [{ name: 'init', ports: [{ containerPort: 9999 }] }],
      containers: [
        {
          name: 'a',
          ports: [
            { name: 'http', containerPort: 8080 },
            { containerPort: 53, protocol: 'UDP' },
          ],
        },
        { name: 'b', ports: [{ containerPort: 9090, protocol: 'SCTP' }] },
      ],
    },
    status: { phase: 'Succeeded', podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'FD00:0:0::1' }] },
  });
  t.same(result, {
    ok: true,
    warnings: [],
    record: {
      namespace: 'team-a',
      name: 'web-1',
      labels: { app: 'web' },
      ips: ['10.0.0.1', 'fd00::1'],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: null, port: 53, protocol: 'UDP' },
        { name: null, port: 9090, protocol: 'SCTP' },
      ],
      hostNetwork: true,
      phase: 'Succeeded',
      owner: { kind: 'ReplicaSet', name: 'web-abc' },
    },
  });
});

t.test('owner is null without a controller reference; podIP is the fallback for IPs', async (t) => {
  const result = parsePod({
    metadata: { name: 'p', ownerReferences: [{ kind: 'ReplicaSet', name: 'rs', controller: false }] },
    status: { podIP: '10.0.0.2' },
  });
  t.ok(result.ok);
  if (result.ok) {
    t.equal(result.record.owner, null);
    t.same(result.record.ips, ['10.0.0.2']);
    t.equal(result.record.phase, null);
    t.equal(result.record.hostNetwork, false);
  }
});

t.test('a Deployment: template labels and ports, replicas, images, object labels, owner', async (t) => {
  const result = parseWorkload(
    {
      metadata: {
        name: 'web',
        labels: { 'app.kubernetes.io/part-of': 'shop' },
        ownerReferences: [{ kind: 'Application', name: 'shop', controller: true }],
      },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            initContainers: [{ image: 'busybox' }],
            containers: [
              { image: 'web:1', ports: [{ name: 'http', containerPort: 80 }] },
              { image: 'web:1' },
            ],
          },
        },
      },
    },
    'Deployment',
  );
  t.same(result, {
    ok: true,
    warnings: [],
    record: {
      namespace: 'default',
      name: 'web',
      kind: 'Deployment',
      labels: { app: 'web' },
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      hostNetwork: false,
      replicas: 3,
      images: ['web:1', 'busybox'],
      objectLabels: { 'app.kubernetes.io/part-of': 'shop' },
      owner: { kind: 'Application', name: 'shop' },
    },
  });
});

t.test('a CronJob takes its pod template from spec.jobTemplate.spec.template', async (t) => {
  const { snapshot } = parseManifestTexts([
    { source: 'w.yaml', text: readFixture('cluster', 'workloads.yaml') },
  ]);
  const cronJob = snapshot.workloads.find((w) => w.kind === 'CronJob');
  t.match(cronJob, {
    namespace: 'team-b',
    name: 'report',
    labels: { app: 'report' },
    ports: [{ name: null, port: 5353, protocol: 'UDP' }],
    replicas: null,
    images: ['example/report:1'],
  });
  const missing = parseWorkload({ metadata: { name: 'c' }, spec: { jobTemplate: { spec: {} } } }, 'CronJob');
  t.match(missing, {
    ok: false,
    issues: [{ path: 'spec.jobTemplate.spec.template', message: /pod template/ }],
  });
});

t.test('a DaemonSet or Job has no replicas', async (t) => {
  for (const kind of ['DaemonSet', 'Job'] as const) {
    const result = parseWorkload({ metadata: { name: 'x' }, spec: { replicas: 2, template: {} } }, kind);
    t.ok(result.ok && result.record.replicas === null, kind);
  }
});

t.test('a Service: type, selector, clusterIPs, ports with targetPort and protocol defaults', async (t) => {
  const result = parseService({
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { app: 'web' },
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10', 'fd00:96::a'],
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { port: 53, protocol: 'UDP' },
        { port: 443, targetPort: 8443 },
      ],
    },
  });
  t.same(result, {
    ok: true,
    warnings: [],
    record: {
      namespace: 'shop',
      name: 'web',
      type: 'ClusterIP',
      selector: { app: 'web' },
      clusterIPs: ['10.96.0.10', 'fd00:96::a'],
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: null, port: 53, targetPort: 53, protocol: 'UDP' },
        { name: null, port: 443, targetPort: 8443, protocol: 'TCP' },
      ],
    },
  });
});

t.test('Service clusterIPs: clusterIP alone, None dropped, empty selector is null', async (t) => {
  const single = parseService({ metadata: { name: 'a' }, spec: { clusterIP: '10.96.0.1', selector: {} } });
  t.match(single, { ok: true, record: { clusterIPs: ['10.96.0.1'], selector: null } });
  const headless = parseService({
    metadata: { name: 'b' },
    spec: { clusterIP: 'None', clusterIPs: ['None'] },
  });
  t.match(headless, { ok: true, record: { clusterIPs: [], selector: null } });
  const external = parseService({
    metadata: { name: 'c' },
    spec: { type: 'ExternalName', externalName: 'x.example' },
  });
  t.match(external, { ok: true, record: { type: 'ExternalName', clusterIPs: [] } });
  const bad = parseService({ metadata: { name: 'd' }, spec: { clusterIP: '10.96.0.300' } });
  t.match(bad, { ok: false, issues: [{ path: 'spec.clusterIP' }] });
});

t.test('a Namespace always carries its name label; deletion makes it Terminating', async (t) => {
  t.same(
    parseNamespace({ metadata: { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'x' } } }),
    {
      ok: true,
      warnings: [],
      record: {
        name: 'shop',
        labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' },
        phase: 'Active',
        implicit: false,
      },
    },
  );
  t.match(parseNamespace({ metadata: { name: 'a' }, status: { phase: 'Terminating' } }), {
    record: { phase: 'Terminating' },
  });
  t.match(parseNamespace({ metadata: { name: 'b', deletionTimestamp: '2024-01-01T00:00:00Z' } }), {
    record: { phase: 'Terminating' },
  });
  t.match(parseNamespace({ metadata: { name: 'Shop' } }), { ok: false, issues: [{ path: 'metadata.name' }] });
});

t.test('light validation of pods, workloads and services', async (t) => {
  t.match(parsePod({ metadata: {} }), {
    ok: false,
    issues: [{ path: 'metadata.name', message: 'expected a name, got nothing' }],
  });
  t.match(parsePod({ metadata: { name: 'p', labels: { version: 2 } } }), {
    ok: false,
    issues: [{ path: 'metadata.labels.version', message: 'expected a string, got 2' }],
  });
  t.match(
    parsePod({ metadata: { name: 'p' }, spec: { containers: [{ ports: [{ containerPort: 70000 }] }] } }),
    {
      ok: false,
      issues: [
        {
          path: 'spec.containers[0].ports[0].containerPort',
          message: 'expected an integer 1-65535, got 70000',
        },
      ],
    },
  );
  t.match(
    parsePod({ metadata: { name: 'p' }, spec: { containers: [{ ports: [{ containerPort: '80' }] }] } }),
    {
      ok: false,
      issues: [{ message: 'expected an integer 1-65535, got "80"' }],
    },
  );
  t.match(parsePod({ metadata: { name: 'p' }, spec: { hostNetwork: 'yes' } }), {
    ok: false,
    issues: [{ path: 'spec.hostNetwork' }],
  });
  t.match(parsePod({ metadata: { name: 'p' }, status: { phase: 'Done' } }), {
    ok: false,
    issues: [{ path: 'status.phase' }],
  });
  t.match(parsePod({ metadata: { name: 'p', ownerReferences: [{ controller: true, name: 'x' }] } }), {
    ok: false,
    issues: [{ path: 'metadata.ownerReferences[0].kind' }],
  });
  t.match(parseWorkload({ metadata: { name: 'd' }, spec: { replicas: -1, template: {} } }, 'Deployment'), {
    ok: false,
    issues: [{ path: 'spec.replicas' }],
  });
  t.match(parseWorkload({ metadata: { name: 'd' }, spec: {} }, 'StatefulSet'), {
    ok: false,
    issues: [{ path: 'spec.template' }],
  });
  t.match(parseService({ metadata: { name: 's' }, spec: { ports: [{ port: 0 }] } }), {
    ok: false,
    issues: [{ path: 'spec.ports[0].port' }],
  });
  t.match(parseService({ metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: '8080' }] } }), {
    ok: false,
    issues: [{ path: 'spec.ports[0].targetPort' }],
  });
});

t.test('a container port without containerPort is ignored with a warning', async (t) => {
  const result = parsePod({
    metadata: { name: 'p' },
    spec: { containers: [{ ports: [{ name: 'udps', containerport: 3535 }] }] },
  });
  t.match(result, {
    ok: true,
    record: { ports: [] },
    warnings: [{ path: 'spec.containers[0].ports[0].containerPort', message: /port ignored/ }],
  });
});

t.test(
  'an invalid object becomes an InvalidObjectError with its file, document, kind and name',
  async (t) => {
    const error = catchManifestError(() =>
      parseObjects(
        { kind: 'Namespace', metadata: { name: 'ok' } },
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a', labels: [] } },
      ),
    );
    t.equal(error.errors.length, 1);
    const invalid = error.errors[0];
    t.type(invalid, InvalidObjectError);
    t.match(invalid, {
      name: 'InvalidObjectError',
      code: 'E_INVALID_OBJECT',
      source: 'test.yaml',
      documentIndex: 2,
      itemIndex: null,
      kind: 'Pod',
      namespace: 'a',
      objectName: 'p',
      issues: [{ path: 'metadata.labels', message: 'expected an object, got an array' }],
    });
    t.equal(
      invalid?.message,
      'test.yaml document 2: Pod a/p: metadata.labels: expected an object, got an array',
    );
  },
);

t.test('the per-kind parsers never throw, whatever the input', async (t) => {
  const input = fc.oneof(
    fc.anything(),
    fc.record({ metadata: fc.anything(), spec: fc.anything(), status: fc.anything() }, { requiredKeys: [] }),
    fc.record({
      metadata: fc.record(
        { name: fc.string(), labels: fc.anything(), ownerReferences: fc.anything() },
        { requiredKeys: [] },
      ),
      spec: fc.record(
        {
          containers: fc.array(fc.record({ ports: fc.array(fc.dictionary(fc.string(), fc.anything())) })),
          template: fc.anything(),
          ports: fc.array(fc.anything()),
          clusterIPs: fc.anything(),
        },
        { requiredKeys: [] },
      ),
    }),
  );
  fc.assert(
    fc.property(input, fc.constantFrom(...WORKLOAD_KINDS), (value, kind) => {
      for (const result of [
        parsePod(value),
        parseService(value),
        parseNamespace(value),
        parseWorkload(value, kind),
      ]) {
        if (!result.ok && result.issues.length === 0) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  t.pass('no exception across generated inputs');
});
