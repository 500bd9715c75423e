import t, { type Test } from 'tap';
import {
  createHarness,
  expectedSnapshot,
  snapshotOfObjects,
  waitUntil,
  waitUntilConverged,
  waitUntilReady,
  type Harness,
} from '../support/live-harness.js';
import {
  makeCidrPolicy,
  makeDeployment,
  makeNamespace,
  makePod,
  makeService,
  makeWorkload,
} from '../support/k8s-objects.js';
import type { FakeApiServer } from '../support/fake-apiserver.js';

/** Two namespaces, `pods` pods over them, one object of every other kind. */
function seed(server: FakeApiServer, pods: number): void {
  server.apply('namespaces', makeNamespace('shop', { team: 'a' }));
  server.apply('namespaces', makeNamespace('kube-system'));
  for (let i = 0; i < pods; i++) {
    const namespace = i % 3 === 0 ? 'kube-system' : i % 3 === 1 ? 'shop' : 'undeclared';
    server.apply(
      'pods',
      makePod(namespace, `pod-${String(i).padStart(4, '0')}`, {
        labels: { app: `app-${i % 7}`, 'pod-template-hash': '5d8f7c9b' },
        ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        owner: { kind: 'ReplicaSet', name: `app-${i % 7}-5d8f7c9b` },
      }),
    );
  }
  server.apply('deployments', makeDeployment('shop', 'web', { app: 'web' }));
  server.apply('replicasets', makeWorkload('ReplicaSet', 'apps/v1', 'shop', 'web-5d8f7c9b'));
  server.apply('statefulsets', makeWorkload('StatefulSet', 'apps/v1', 'shop', 'db'));
  server.apply('daemonsets', makeWorkload('DaemonSet', 'apps/v1', 'kube-system', 'cni'));
  server.apply('replicationcontrollers', makeWorkload('ReplicationController', 'v1', 'shop', 'legacy'));
  server.apply('jobs', makeWorkload('Job', 'batch/v1', 'shop', 'migrate'));
  server.apply('cronjobs', makeWorkload('CronJob', 'batch/v1', 'shop', 'report'));
  server.apply('services', makeService('shop', 'web', { app: 'web' }));
  server.apply('networkpolicies', makeCidrPolicy('shop', 'allow-office', '192.168.0.0/16'));
}

async function startSynced(t: Test, pods = 3, pageSize = 500): Promise<Harness> {
  const harness = await createHarness({ pageSize });
  t.teardown(harness.stop);
  seed(harness.server, pods);
  await harness.source.start();
  await waitUntilReady(harness.source);
  return harness;
}

t.test('initial paginated sync: ready, and the snapshot equals the parse layer on the same objects', async (t) => {
  const harness = await createHarness({ pageSize: 100 });
  t.teardown(harness.stop);
  seed(harness.server, 1234);
  t.equal(harness.source.readiness().ready, false, 'not ready before start');
  await harness.source.start();
  await waitUntilReady(harness.source);

  const podLists = harness.server.requests.filter((r) => r.resource === 'pods' && !r.watch);
  t.equal(podLists.length, 13, '1234 pods in pages of 100');
  t.ok(
    podLists.every((r) => r.query['limit'] === '100'),
    'every page asks for limit=100',
  );
  t.equal(podLists.filter((r) => r.query['continue'] !== undefined).length, 12, 'pages 2..13 pass continue');

  const expected = expectedSnapshot(harness.server);
  t.same(harness.source.snapshot(), expected, 'same records as buildSnapshot over the parsed objects');
  t.equal(harness.source.snapshot().pods.length, 1234);
  t.ok(
    harness.source.snapshot().namespaces.some((n) => n.name === 'undeclared' && n.implicit),
    'namespaces referenced but not listed are implicit, as for manifests',
  );
  t.equal(harness.source.snapshot(), harness.source.snapshot(), 'snapshot() is cached while nothing changes');

  const status = harness.source.status();
  t.equal(status.length, 11, 'one status per resource');
  t.ok(
    status.every((s) => s.synced && s.listed && s.lastError === null && s.lastSyncAt !== null),
    'every resource synced',
  );
  t.equal(status.find((s) => s.resource === 'pods')?.objects, 1234);
  t.same(harness.source.readiness(), { ready: true, reason: null });

  await waitUntil('every resource watches', () => harness.server.openWatches() === 11);
  const podWatch = harness.server.requests.find((r) => r.resource === 'pods' && r.watch);
  t.equal(podWatch?.query['resourceVersion'], status.find((s) => s.resource === 'pods')?.resourceVersion);
  t.equal(podWatch?.query['allowWatchBookmarks'], 'true');
});

t.test('ADDED, MODIFIED and DELETED events are applied; version moves only on real changes', async (t) => {
  const harness = await startSynced(t);
  const { server, source } = harness;
  await waitUntil('every resource watches', () => server.openWatches() === 11);

  let version = source.version();
  server.apply('pods', makePod('shop', 'new-pod', { labels: { app: 'new' }, ip: '10.9.9.9' }));
  await waitUntil('the new pod appears', () => source.snapshot().pods.some((p) => p.name === 'new-pod'));
  t.ok(source.version() > version, 'ADDED bumps the version');
  t.same(source.snapshot().pods.find((p) => p.name === 'new-pod')?.ips, ['10.9.9.9']);

  version = source.version();
  const relabelled = makePod('shop', 'new-pod', { labels: { app: 'renamed' }, ip: '10.9.9.9' });
  server.apply('pods', relabelled);
  await waitUntil(
    'the label change arrives',
    () => source.snapshot().pods.find((p) => p.name === 'new-pod')?.labels['app'] === 'renamed',
  );
  t.ok(source.version() > version, 'MODIFIED bumps the version');

  // A status-only update (conditions) leaves the record as it is: no new version.
  version = source.version();
  const before = source.snapshot();
  const statusOnly = structuredClone(relabelled);
  (statusOnly['status'] as { conditions: unknown[] }).conditions = [];
  const stored = server.apply('pods', statusOnly);
  const storedVersion = (stored['metadata'] as { resourceVersion: string }).resourceVersion;
  await waitUntil(
    'the status update is seen',
    () => source.status().find((s) => s.resource === 'pods')?.resourceVersion === storedVersion,
  );
  t.equal(source.version(), version, 'an update that changes no record keeps the version');
  t.equal(source.snapshot(), before, 'and the same snapshot object');

  server.remove('pods', 'shop', 'new-pod');
  server.remove('networkpolicies', 'shop', 'allow-office');
  server.apply('namespaces', makeNamespace('shop', { team: 'b' }));
  await waitUntilConverged(harness);
  t.notOk(
    source.snapshot().pods.some((p) => p.name === 'new-pod'),
    'DELETED removes the pod',
  );
  t.same(source.snapshot().policies, [], 'DELETED removes the policy');
  t.equal(source.snapshot().namespaces.find((n) => n.name === 'shop')?.labels['team'], 'b');
});

t.test('a BOOKMARK advances the resourceVersion the next watch starts from', async (t) => {
  const harness = await startSynced(t);
  const { server, source } = harness;
  await waitUntil('the services watch is open', () => server.openWatches('services') === 1);
  const listedAt = source.status().find((s) => s.resource === 'services')?.resourceVersion;

  server.apply('pods', makePod('shop', 'elsewhere')); // moves the global resourceVersion
  server.bookmark('services');
  const bookmarked = String(server.resourceVersion);
  t.not(listedAt, bookmarked);
  await waitUntil(
    'the bookmark is applied',
    () => source.status().find((s) => s.resource === 'services')?.resourceVersion === bookmarked,
  );
  const version = source.version();

  server.dropWatches('services');
  await waitUntil('the services watch restarts', () =>
    server.requests.some((r) => r.resource === 'services' && r.watch && r.query['resourceVersion'] === bookmarked),
  );
  t.equal(source.version(), version, 'a bookmark changes no record');
  t.equal(
    server.requests.filter((r) => r.resource === 'services' && !r.watch).length,
    1,
    'no relist: the watch resumed from the bookmark',
  );
});

t.test('an object that cannot be projected is logged and skipped; the rest syncs', async (t) => {
  const harness = await createHarness();
  t.teardown(harness.stop);
  const { server, source, log } = harness;
  seed(server, 5);
  server.apply('networkpolicies', makeCidrPolicy('shop', 'bad-cidr', '10.0.0.0/33'));
  await source.start();
  await waitUntilReady(source);

  t.same(
    source.snapshot().policies.map((p) => p.name),
    ['allow-office'],
    'the invalid policy is left out, the valid one is there',
  );
  const valid = server.list().filter((o) => (o['metadata'] as { name: string }).name !== 'bad-cidr');
  t.same(source.snapshot(), snapshotOfObjects(valid), 'everything else is there, as the parse layer reads it');
  const policies = source.status().find((s) => s.resource === 'networkpolicies');
  t.equal(policies?.skipped, 1, 'status counts the skipped object');
  t.equal(policies?.synced, true);

  const warnings = log.lines.filter((l) => l.level === 40 && l['name'] === 'bad-cidr');
  t.equal(warnings.length, 1, 'one warning for the invalid object');
  const warning = warnings[0];
  t.equal(warning?.['kind'], 'NetworkPolicy');
  t.equal(warning?.['namespace'], 'shop');
  t.equal(warning?.['resource'], 'networkpolicies');
  t.match(warning?.['issues'], [{ path: 'spec.ingress[0].from[0].ipBlock.cidr' }], 'names the field');
  t.notMatch(log.text(), /managedFields|fieldsV1/, 'never logs the whole object');

  // Becoming invalid removes the old record; becoming valid again brings it back.
  server.apply('networkpolicies', makeCidrPolicy('shop', 'allow-office', 'not-a-cidr'));
  await waitUntil('the now-invalid policy is removed', () => source.snapshot().policies.length === 0);
  server.apply('networkpolicies', makeCidrPolicy('shop', 'bad-cidr', '10.0.0.0/8'));
  await waitUntil('the fixed policy appears', () => source.snapshot().policies.some((p) => p.name === 'bad-cidr'));
  t.equal(source.status().find((s) => s.resource === 'networkpolicies')?.skipped, 1, 'only allow-office is skipped now');
});

t.test('a subset of resources can be watched', async (t) => {
  const harness = await createHarness({ resources: ['pods', 'namespaces'] });
  t.teardown(harness.stop);
  seed(harness.server, 4);
  await harness.source.start();
  await waitUntilReady(harness.source);
  t.same(
    harness.source.status().map((s) => s.resource),
    ['namespaces', 'pods'],
  );
  t.equal(harness.source.snapshot().pods.length, 4);
  t.same(harness.source.snapshot().policies, []);
});
