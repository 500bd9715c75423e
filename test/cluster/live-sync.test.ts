import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
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
import { FakeApiServer } from '../support/fake-apiserver.js';
import { createLiveStateSource, loadKubeConfig, type LiveStateSource } from '../../src/cluster/live/index.js';

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

t.test(
  'initial paginated sync: ready, and the snapshot equals the parse layer on the same objects',
  async (t) => {
    const harness = await createHarness({ pageSize: 50 });
    t.teardown(harness.stop);
    seed(harness.server, 620);
    t.equal(harness.source.readiness().ready, false, 'not ready before start');
    await harness.source.start();
    await waitUntilReady(harness.source);

    const podLists = harness.server.requests.filter((r) => r.resource === 'pods' && !r.watch);
    t.equal(podLists.length, 13, '620 pods in pages of 50');
    t.ok(
      podLists.every((r) => r.query['limit'] === '50'),
      'every page asks for limit=50',
    );
    t.equal(
      podLists.filter((r) => r.query['continue'] !== undefined).length,
      12,
      'pages 2..13 pass continue',
    );

    const expected = expectedSnapshot(harness.server);
    t.same(harness.source.snapshot(), expected, 'same records as buildSnapshot over the parsed objects');
    t.equal(harness.source.snapshot().pods.length, 620);
    t.ok(
      harness.source.snapshot().namespaces.some((n) => n.name === 'undeclared' && n.implicit),
      'namespaces referenced but not listed are implicit, as for manifests',
    );
    t.equal(
      harness.source.snapshot(),
      harness.source.snapshot(),
      'snapshot() is cached while nothing changes',
    );

    const status = harness.source.status();
    t.equal(status.length, 11, 'one status per resource');
    t.ok(
      status.every((s) => s.synced && s.listed && s.lastError === null && s.lastSyncAt !== null),
      'every resource synced',
    );
    t.equal(status.find((s) => s.resource === 'pods')?.objects, 620);
    t.same(harness.source.readiness(), { ready: true, reason: null });

    await waitUntil('every resource watches', () => harness.server.openWatches() === 11);
    const podWatch = harness.server.requests.find((r) => r.resource === 'pods' && r.watch);
    t.equal(podWatch?.query['resourceVersion'], status.find((s) => s.resource === 'pods')?.resourceVersion);
    t.equal(podWatch?.query['allowWatchBookmarks'], 'true');
  },
);

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
    server.requests.some(
      (r) => r.resource === 'services' && r.watch && r.query['resourceVersion'] === bookmarked,
    ),
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
  t.same(
    source.snapshot(),
    snapshotOfObjects(valid),
    'everything else is there, as the parse layer reads it',
  );
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
  await waitUntil('the fixed policy appears', () =>
    source.snapshot().policies.some((p) => p.name === 'bad-cidr'),
  );
  t.equal(
    source.status().find((s) => s.resource === 'networkpolicies')?.skipped,
    1,
    'only allow-office is skipped now',
  );
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

t.test('loadKubeConfig: a kubeconfig file pointing at the server', async (t) => {
  const dir = t.testdir({});
  const server = await FakeApiServer.start();
  const file = join(dir, 'kubeconfig.yaml');
  writeFileSync(file, server.kubeConfigYaml());
  const kubeConfig = loadKubeConfig(file);
  t.equal(kubeConfig.getCurrentCluster()?.server, server.url);
  const source = createLiveStateSource({
    kubeConfig,
    logger: pino({ level: 'silent' }),
    resources: ['pods'],
  });
  t.teardown(async () => {
    await source.stop();
    await server.close();
  });
  server.apply('pods', makePod('shop', 'p'));
  await source.start();
  await waitUntilReady(source);
  t.same(
    source.snapshot().pods.map((p) => p.name),
    ['p'],
  );

  t.throws(
    () => createLiveStateSource({ kubeConfig: new KubeConfig(), logger: pino({ level: 'silent' }) }),
    { name: 'KubeConfigError', code: 'E_KUBECONFIG' },
    'a KubeConfig without a current cluster is refused at creation',
  );
  t.throws(() => loadKubeConfig(join(dir, 'missing.yaml')), {
    name: 'KubeConfigError',
    code: 'E_KUBECONFIG',
  });
  const empty = join(dir, 'empty.yaml');
  writeFileSync(empty, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  t.throws(() => loadKubeConfig(empty), { name: 'KubeConfigError', message: /no current context/ });
});

/**
 * Heap retained per pod: sync N realistic pods (managedFields, status, unused spec: about 2.3 kB
 * of JSON each), then compare the heap after a full GC with the source alive and after it was
 * stopped and dropped. The fake server's own copies are in both measurements.
 */
t.test('memory: a few hundred bytes of heap per pod', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const measureHeap = (): number => {
    for (let i = 0; i < 2; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const server = await FakeApiServer.start();
  t.teardown(() => server.close());
  const pods = 2000;
  for (let i = 0; i < pods; i++) {
    const app = `app-${i % 50}`;
    server.apply(
      'pods',
      makePod(`team-${i % 20}`, `${app}-5d8f7c9b-${i.toString(36).padStart(5, 'x')}`, {
        labels: { app, 'pod-template-hash': '5d8f7c9b', 'app.kubernetes.io/part-of': 'shop' },
        ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        owner: { kind: 'ReplicaSet', name: `${app}-5d8f7c9b` },
      }),
    );
  }
  const jsonBytes = JSON.stringify(server.list('pods').slice(0, 100)).length / 100;
  // The only reference to the source: dropped before the second measurement.
  const holder: { source: LiveStateSource | null } = {
    source: createLiveStateSource({
      kubeConfig: server.kubeConfig(),
      logger: pino({ level: 'silent' }),
      resources: ['pods'],
    }),
  };
  await holder.source?.start();
  await waitUntil('the pods are listed', () => holder.source?.readiness().ready === true, 20_000);
  t.equal(holder.source?.snapshot().pods.length, pods);
  const withSource = measureHeap();
  await holder.source?.stop();
  holder.source = null;
  const withoutSource = measureHeap();
  const perPod = Math.round((withSource - withoutSource) / pods);
  t.comment(
    `${pods} pods: ${perPod} bytes of heap per pod (store + snapshot), raw JSON ${Math.round(jsonBytes)} bytes per pod`,
  );
  t.ok(perPod > 0 && perPod < 800, `between 0 and 800 bytes per pod (measured ${perPod})`);
});
