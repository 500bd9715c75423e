import t, { type Test } from 'tap';
import {
  createHarness,
  waitUntil,
  waitUntilConverged,
  waitUntilReady,
  type Harness,
} from '../support/live-harness.js';
import { makeNamespace, makePod, makeService } from '../support/k8s-objects.js';
import type { ExpiredMode, FakeApiServer } from '../support/fake-apiserver.js';
import type { LiveResourceStatus } from '../../src/cluster/live/index.js';

function seed(server: FakeApiServer): void {
  server.apply('namespaces', makeNamespace('shop'));
  for (let i = 0; i < 5; i++) server.apply('pods', makePod('shop', `pod-${i}`, { ip: `10.0.0.${i + 1}` }));
  server.apply('services', makeService('shop', 'web', { app: 'web' }));
}

async function startSynced(t: Test, options: Parameters<typeof createHarness>[0] = {}): Promise<Harness> {
  const harness = await createHarness({ resources: ['namespaces', 'pods', 'services'], ...options });
  t.teardown(harness.stop);
  seed(harness.server);
  await harness.source.start();
  await waitUntilReady(harness.source);
  await waitUntil('every resource watches', () => harness.server.openWatches() === 3);
  return harness;
}

function statusOf(harness: Harness, resource: string): LiveResourceStatus {
  const status = harness.source.status().find((s) => s.resource === resource);
  if (status === undefined) throw new Error(`no status for ${resource}`);
  return status;
}

function countRequests(server: FakeApiServer, resource: string, kind: 'list' | 'watch'): number {
  return server.requests.filter((r) => r.resource === resource && r.watch === (kind === 'watch')).length;
}

/** Delays the reflectors asked for, without the long request and inactivity timeouts. */
function backoffDelays(harness: Harness): number[] {
  return harness.clock.delays.filter((d) => d < 1000);
}

for (const mode of ['http', 'event'] satisfies ExpiredMode[]) {
  t.test(
    `410 Gone (${mode === 'http' ? 'HTTP status' : 'ERROR event'}) relists; changes during the gap are right`,
    async (t) => {
      const harness = await startSynced(t);
      const { server, source } = harness;
      server.expiredMode = mode;

      // While the watches are away: add, change, delete; then forget the history.
      server.dropWatches();
      server.apply('pods', makePod('shop', 'pod-new', { ip: '10.0.0.99' }));
      server.apply('pods', makePod('shop', 'pod-1', { labels: { app: 'changed' }, ip: '10.0.0.2' }));
      server.remove('pods', 'shop', 'pod-2');
      server.remove('services', 'shop', 'web');
      server.apply('namespaces', makeNamespace('shop', { relisted: 'yes' }));
      server.compact();

      await waitUntilConverged(harness);
      await waitUntilReady(source);
      t.equal(countRequests(server, 'pods', 'list'), 2, 'pods were relisted once');
      t.equal(countRequests(server, 'services', 'list'), 2, 'services were relisted once');
      const names = source.snapshot().pods.map((p) => p.name);
      t.same(
        names,
        ['pod-0', 'pod-1', 'pod-3', 'pod-4', 'pod-new'],
        'the deleted pod is gone, the new one is there',
      );
      t.same(source.snapshot().pods.find((p) => p.name === 'pod-1')?.labels, { app: 'changed' });
      t.same(source.snapshot().services, [], 'the service deleted during the gap is gone');
      t.ok(
        harness.log.lines.some((l) => l.msg.includes('410 Gone') && l['resource'] === 'pods'),
        'the relist is logged',
      );
      t.equal(statusOf(harness, 'pods').resourceVersion, String(server.resourceVersion));
    },
  );
}

t.test('a continue token that expired mid-list restarts the list from scratch', async (t) => {
  const harness = await createHarness({ resources: ['pods'], pageSize: 2 });
  t.teardown(harness.stop);
  const { server, source } = harness;
  seed(server);
  server.latencyMs = 20;
  await source.start();
  // The second page is asked for (and held by the latency) once the first one was served.
  await waitUntil('the second page is requested', () => countRequests(server, 'pods', 'list') >= 2);
  server.apply('pods', makePod('shop', 'pod-late'));
  server.compact();
  server.latencyMs = 0;
  await waitUntilReady(source);
  await waitUntilConverged(harness);
  const firstPages = server.requests.filter(
    (r) => r.resource === 'pods' && !r.watch && r.query['continue'] === undefined,
  );
  t.equal(firstPages.length, 2, 'after the 410 on the continue token, the list started over');
  t.match(statusOf(harness, 'pods'), { listed: true, synced: true, lastError: null });
  t.ok(source.snapshot().pods.some((p) => p.name === 'pod-late'));
});

t.test(
  'a dropped watch restarts from the last resourceVersion with backoff, without relisting',
  async (t) => {
    const harness = await startSynced(t);
    const { server, source } = harness;
    const seen = statusOf(harness, 'pods').resourceVersion;

    server.dropWatches('pods');
    server.apply('pods', makePod('shop', 'pod-while-away', { ip: '10.0.0.50' }));
    await waitUntilConverged(harness);
    const resumed = server.requests.filter((r) => r.resource === 'pods' && r.watch).at(-1);
    t.equal(resumed?.query['resourceVersion'], seen, 'the watch resumed from the last seen resourceVersion');
    t.equal(countRequests(server, 'pods', 'list'), 1, 'no relist: the event was replayed by the watch');
    t.same(backoffDelays(harness), [13], 'one backoff delay: 10 ms x (1 + 0.5 x 0.5 jitter)');

    // Repeated failures back off exponentially up to the cap, then the watch recovers.
    server.failNext({ resource: 'pods', watch: true, status: 500, count: 4 });
    server.dropWatches('pods');
    server.apply('pods', makePod('shop', 'pod-after-failures'));
    await waitUntilConverged(harness);
    await waitUntil('the pods watch is open again', () => server.openWatches('pods') === 1);
    t.same(backoffDelays(harness).slice(1), [13, 25, 50, 80, 80], 'delays double and are capped at maxMs');
    t.equal(countRequests(server, 'pods', 'list'), 1, 'still no relist');
    t.equal(statusOf(harness, 'pods').lastError, null, 'recovered: no error left');
    t.ok(
      harness.log.lines.some(
        (l) => l.level === 40 && l.msg === 'watch failed' && String(l['err']).includes('HTTP 500'),
      ),
      'the failure is logged with its status',
    );

    // A clean end (the server's timeoutSeconds) after a healthy watch restarts at once.
    const delaysBefore = backoffDelays(harness).length;
    server.endWatches('pods');
    server.apply('pods', makePod('shop', 'pod-after-clean-end'));
    await waitUntilConverged(harness);
    t.equal(backoffDelays(harness).length, delaysBefore, 'no backoff after a clean end');
    t.equal(countRequests(server, 'pods', 'list'), 1);
    t.ok(source.readiness().ready);
  },
);

t.test('ERROR events: 410 on a running watch relists at once; another code restarts the watch', async (t) => {
  const harness = await startSynced(t);
  const { server, source } = harness;
  server.apply('pods', makePod('shop', 'pod-seen')); // the watch has delivered an event: healthy
  await waitUntil('pod-seen arrives', () => source.snapshot().pods.some((p) => p.name === 'pod-seen'));

  const delays = backoffDelays(harness).length;
  server.failWatches('pods', 410, 'Expired', 'too old resource version');
  await waitUntil('pods are relisted', () => countRequests(server, 'pods', 'list') === 2);
  t.equal(backoffDelays(harness).length, delays, 'no backoff before relisting after a healthy watch');
  await waitUntil('the pods watch is open again', () => server.openWatches('pods') === 1);

  const seen = statusOf(harness, 'pods').resourceVersion;
  const watches = countRequests(server, 'pods', 'watch');
  server.failWatches('pods', 500, 'InternalError', 'etcd is unhappy');
  await waitUntil('the watch restarts', () => countRequests(server, 'pods', 'watch') === watches + 1);
  t.equal(
    server.requests.filter((r) => r.resource === 'pods' && r.watch).at(-1)?.query['resourceVersion'],
    seen,
    'from the last resourceVersion',
  );
  t.equal(countRequests(server, 'pods', 'list'), 2, 'no relist for a non-410 ERROR');
  t.ok(backoffDelays(harness).length > delays, 'restarted after a backoff');
  t.ok(
    harness.log.lines.some((l) => l.msg === 'watch failed' && l['statusCode'] === 500),
    'the ERROR event is logged with its code',
  );
  await waitUntilConverged(harness);
});

t.test('a malformed watch line restarts the watch from the last good resourceVersion', async (t) => {
  const harness = await startSynced(t);
  const { server } = harness;
  server.apply('pods', makePod('shop', 'pod-before'));
  await waitUntil('pod-before arrives', () =>
    harness.source.snapshot().pods.some((p) => p.name === 'pod-before'),
  );
  const good = statusOf(harness, 'pods').resourceVersion;
  server.writeRawLine('pods', '{"type":"ADDED","object":{"metadata":');
  await waitUntil('the watch restarts', () =>
    server.requests.some((r) => r.resource === 'pods' && r.watch && r.query['resourceVersion'] === good),
  );
  server.apply('pods', makePod('shop', 'pod-after'));
  await waitUntilConverged(harness);
  t.ok(
    harness.log.lines.some((l) => String(l['err']).includes('malformed watch line')),
    'the malformed line is logged, not silently dropped',
  );
});

t.test('API server down at start: not ready until it comes back', async (t) => {
  const harness = await createHarness({ resources: ['namespaces', 'pods', 'services'] });
  t.teardown(harness.stop);
  const { server, source } = harness;
  seed(server);
  await server.goDown();
  await source.start();
  await waitUntil('every list has failed', () => source.status().every((s) => s.lastError !== null));

  const readiness = source.readiness();
  t.equal(readiness.ready, false);
  t.match(
    readiness.reason,
    /waiting for the initial list of namespaces, pods, services \(0 of 3 resources listed\)/,
  );
  t.match(readiness.reason, /ECONNREFUSED/, 'says why');
  t.same(source.snapshot().pods, [], 'nothing to serve yet');
  t.ok(source.status().every((s) => !s.listed && !s.synced && s.lastSyncAt === null));

  await server.comeUp();
  await waitUntilReady(source);
  await waitUntilConverged(harness);
  t.ok(source.status().every((s) => s.synced && s.lastError === null));
});

t.test(
  'API server down after sync: keeps serving, reports staleness, readiness drops after the grace period',
  async (t) => {
    const harness = await startSynced(t, { syncGracePeriodMs: 30_000 });
    const { server, source, clock } = harness;
    const served = source.snapshot();
    const syncedAt = statusOf(harness, 'pods').lastSyncAt;

    await server.goDown();
    await waitUntil('every watch has failed to reconnect', () =>
      source.status().every((s) => !s.synced && /ECONNREFUSED/.test(s.lastError ?? '')),
    );
    t.equal(source.snapshot(), served, 'the cached snapshot is still served');
    const pods = statusOf(harness, 'pods');
    t.equal(pods.lastSyncAt, syncedAt, 'lastSyncAt shows how old the data is');
    t.match(pods.lastError, /^watch pods: .*ECONNREFUSED/, 'lastError says what failed');
    t.ok(pods.unsyncedSince !== null && pods.unsyncedSince >= (syncedAt ?? 0), 'unsyncedSince is set');
    const within = source.readiness();
    t.equal(within.ready, true, 'still ready within the grace period');
    t.match(within.reason, /pods resyncing for/, 'but says what is degraded');

    clock.advance(31_000);
    const beyond = source.readiness();
    t.equal(beyond.ready, false, 'not ready once unsynced beyond the grace period');
    t.match(beyond.reason, /pods not synced for 3\d s \(grace 30 s\)/, 'names the resource and the bound');
    t.equal(source.snapshot(), served, 'and still serving');

    await server.comeUp();
    await waitUntilReady(source);
    t.ok(source.status().every((s) => s.synced && s.lastError === null && s.unsyncedSince === null));
  },
);

t.test('a slow API server: list pages time out and are retried', async (t) => {
  const harness = await createHarness({ resources: ['pods'], requestTimeoutMs: 50 });
  t.teardown(harness.stop);
  const { server, source } = harness;
  seed(server);
  server.latencyMs = 200;
  await source.start();
  await waitUntil('a list timed out', () => statusOf(harness, 'pods').lastError !== null);
  t.match(statusOf(harness, 'pods').lastError, /timed out after 50 ms/);
  t.equal(source.readiness().ready, false);
  server.latencyMs = 0;
  await waitUntilReady(source);
  await waitUntilConverged(harness);
});

t.test('stop() is prompt, closes every watch, and nothing runs afterwards', async (t) => {
  const harness = await startSynced(t);
  const { server, source } = harness;
  const started = Date.now();
  await source.stop();
  t.ok(Date.now() - started < 500, 'stop() resolves promptly');
  await waitUntil('the server sees every watch closed', () => server.openWatches() === 0);
  const requests = server.requests.length;
  server.apply('pods', makePod('shop', 'after-stop'));
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.equal(server.requests.length, requests, 'no request after stop()');
  t.ok(source.status().every((s) => s.phase === 'stopped'));
});

t.test('stop() during a slow request does not wait for the response', async (t) => {
  const harness = await createHarness({ resources: ['pods'] });
  t.teardown(harness.stop);
  const { server, source } = harness;
  server.latencyMs = 5000;
  await source.start();
  await waitUntil('the list request is in flight', () => server.requests.length === 1);
  const started = Date.now();
  await source.stop();
  t.ok(Date.now() - started < 500, 'stop() does not wait for the slow server');
});
