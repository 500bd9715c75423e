import t from 'tap';
import { stringify } from 'yaml';
import {
  buildSnapshot,
  DuplicateObjectError,
  InvalidManifestsError,
  parseManifestTexts,
  wrapRecords,
  type ManifestText,
} from '../../src/parse/index.js';
import type { PodRecord } from '../../src/model/records.js';

function textOf(source: string, ...objects: unknown[]): ManifestText {
  return { source, text: objects.map((o) => stringify(o)).join('---\n') };
}

const pod = (namespace: string, name: string): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
});

t.test('adds an implicit namespace for every referenced but undeclared namespace', async (t) => {
  const { snapshot } = parseManifestTexts([
    textOf(
      'a.yaml',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'declared', labels: { team: 'x' } } },
      pod('declared', 'p1'),
      pod('from-pod', 'p2'),
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'db', namespace: 'from-workload' },
        spec: { template: {} },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'n', namespace: 'from-policy' },
      },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'from-service' } },
    ),
  ]);
  t.same(snapshot.namespaces, [
    {
      name: 'declared',
      labels: { team: 'x', 'kubernetes.io/metadata.name': 'declared' },
      phase: 'Active',
      implicit: false,
    },
    {
      name: 'from-pod',
      labels: { 'kubernetes.io/metadata.name': 'from-pod' },
      phase: 'Active',
      implicit: true,
    },
    {
      name: 'from-policy',
      labels: { 'kubernetes.io/metadata.name': 'from-policy' },
      phase: 'Active',
      implicit: true,
    },
    {
      name: 'from-service',
      labels: { 'kubernetes.io/metadata.name': 'from-service' },
      phase: 'Active',
      implicit: true,
    },
    {
      name: 'from-workload',
      labels: { 'kubernetes.io/metadata.name': 'from-workload' },
      phase: 'Active',
      implicit: true,
    },
  ]);
});

t.test('rejects duplicate objects, naming every copy', async (t) => {
  let caught: unknown;
  try {
    parseManifestTexts([
      textOf('a.yaml', pod('shop', 'cart')),
      textOf('b.yaml', pod('other', 'cart'), pod('shop', 'cart')),
    ]);
  } catch (error) {
    caught = error;
  }
  t.type(caught, InvalidManifestsError);
  const errors = (caught as InvalidManifestsError).errors;
  t.equal(errors.length, 1);
  t.type(errors[0], DuplicateObjectError);
  t.match(errors[0], {
    code: 'E_DUPLICATE_OBJECT',
    kind: 'Pod',
    namespace: 'shop',
    objectName: 'cart',
    origins: [
      { source: 'a.yaml', documentIndex: 1 },
      { source: 'b.yaml', documentIndex: 2 },
    ],
  });
  t.equal(
    errors[0]?.message,
    'duplicate Pod shop/cart: declared 2 times (a.yaml document 1, b.yaml document 2)',
  );
});

t.test('objects of different kinds may share a name', async (t) => {
  const workload = (kind: string): unknown => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web' },
    spec: { template: {} },
  });
  const { snapshot } = parseManifestTexts([
    textOf('a.yaml', workload('Deployment'), workload('StatefulSet'), pod('default', 'web')),
  ]);
  t.same(
    snapshot.workloads.map((w) => w.kind),
    ['Deployment', 'StatefulSet'],
  );
});

t.test('the snapshot does not depend on input order', async (t) => {
  const texts = [
    textOf('a.yaml', pod('b', 'z'), pod('a', 'y')),
    textOf('b.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } }, pod('a', 'x')),
  ];
  const forward = parseManifestTexts(texts).snapshot;
  const backward = parseManifestTexts([...texts].reverse()).snapshot;
  t.same(forward, backward);
  t.same(
    forward.pods.map((p) => `${p.namespace}/${p.name}`),
    ['a/x', 'a/y', 'b/z'],
  );
  t.same(
    forward.namespaces.map((n) => n.name),
    ['a', 'b'],
  );
});

t.test('buildSnapshot works on records made in memory', async (t) => {
  const record: PodRecord = {
    namespace: 'ns',
    name: 'p',
    labels: {},
    ips: [],
    ports: [],
    hostNetwork: false,
    phase: null,
    owner: null,
  };
  const snapshot = buildSnapshot(wrapRecords({ pods: [record] }));
  t.same(
    snapshot.namespaces.map((n) => [n.name, n.implicit]),
    [['ns', true]],
  );
  t.throws(() => buildSnapshot(wrapRecords({ pods: [record, record] })), {
    name: 'InvalidManifestsError',
    message: /duplicate Pod ns\/p: declared 2 times \(\(in memory\), \(in memory\)\)/,
  });
});
