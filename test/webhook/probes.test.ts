/** GET /healthz, /readyz and /metrics. */
import t from 'tap';
import type { ClusterStateSource, ResourceSyncStatus } from '../../src/cluster/state-source.js';
import { buildTestApp, loadFixtureSnapshot, metricValue, scrapeMetrics } from '../support/webhook.js';

/** A source that becomes ready when told, as a live cache does after its first list. */
function slowSource(): { source: ClusterStateSource; markSynced: () => void } {
  const snapshot = loadFixtureSnapshot();
  let synced = false;
  const status = (): ResourceSyncStatus[] => [
    {
      resource: 'pods',
      synced,
      objects: synced ? 12 : 0,
      lastSyncAt: synced ? 1_700_000_000_000 : null,
      lastError: null,
    },
    {
      resource: 'networkpolicies',
      synced,
      objects: synced ? 3 : 0,
      lastSyncAt: synced ? 1_700_000_000_000 : null,
      lastError: null,
    },
  ];
  return {
    source: {
      snapshot: () => snapshot,
      version: () => (synced ? 2 : 1),
      readiness: () =>
        synced
          ? { ready: true, reason: null }
          : { ready: false, reason: 'waiting for the first list of pods' },
      status,
      start: async () => {},
      stop: async () => {},
    },
    markSynced: () => {
      synced = true;
    },
  };
}

t.test('/healthz answers as soon as the app runs', async (t) => {
  const { source } = slowSource();
  const app = buildTestApp({ source });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
});

t.test('/readyz is 503 with the reason until the source is ready, then 200', async (t) => {
  const { source, markSynced } = slowSource();
  const app = buildTestApp({ source });
  t.teardown(() => app.close());
  const before = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(before.statusCode, 503);
  t.same(before.json(), { ready: false, reason: 'waiting for the first list of pods' });
  markSynced();
  // Then not before the analysis state is prepared (at once when /readyz asks first).
  const preparing = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(preparing.statusCode, 503);
  t.same(preparing.json(), { ready: false, reason: 'preparing the analysis state' });
  let after = preparing;
  for (let i = 0; i < 100 && after.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    after = await app.inject({ method: 'GET', url: '/readyz' });
  }
  t.equal(after.statusCode, 200);
  t.same(after.json(), { ready: true, reason: null });
});

t.test('/readyz: a failed preparation is retried (the version of a static state never moves)', async (t) => {
  const snapshot = loadFixtureSnapshot();
  let calls = 0;
  const source: ClusterStateSource = {
    snapshot: () => {
      if (++calls === 1) throw new Error('first snapshot fails');
      return snapshot;
    },
    version: () => 1,
    readiness: () => ({ ready: true, reason: null }),
    status: () => [],
    start: async () => {},
    stop: async () => {},
  };
  const app = buildTestApp({ source, warmIntervalMs: 10 });
  t.teardown(() => app.close());
  let res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  for (let i = 0; i < 200 && res.statusCode !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    res = await app.inject({ method: 'GET', url: '/readyz' });
  }
  t.equal(res.statusCode, 200, 'ready after the retry');
  t.ok(calls >= 2, `snapshot taken ${calls} times`);
});

t.test('/readyz: not ready while shutting down, though the state (and its metric) is ready', async (t) => {
  const { source, markSynced } = slowSource();
  markSynced();
  const app = buildTestApp({ source, warmIntervalMs: 0, notReadyReason: () => 'shutting down' });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.same(res.json(), { ready: false, reason: 'shutting down' });
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_state_ready'), 1);
});

t.test('/readyz does not wait for a prepared analysis state when warming is off', async (t) => {
  const { source, markSynced } = slowSource();
  markSynced();
  const app = buildTestApp({ source, warmIntervalMs: 0 });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 200);
});

t.test('/metrics exposes Prometheus text with the state of the source', async (t) => {
  const { source, markSynced } = slowSource();
  const app = buildTestApp({ source });
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.equal(metricValue(res.body, 'netpol_preflight_state_ready'), 0);
  t.equal(metricValue(res.body, 'netpol_preflight_state_synced{resource="pods"}'), 0);
  markSynced();
  const text = await scrapeMetrics(app);
  t.equal(metricValue(text, 'netpol_preflight_state_ready'), 1);
  t.equal(metricValue(text, 'netpol_preflight_state_synced{resource="pods"}'), 1);
  t.equal(metricValue(text, 'netpol_preflight_state_objects{resource="pods"}'), 12);
  t.equal(metricValue(text, 'netpol_preflight_state_objects{resource="networkpolicies"}'), 3);
  t.equal(
    metricValue(text, 'netpol_preflight_state_last_sync_timestamp_seconds{resource="pods"}'),
    1_700_000_000,
  );
  for (const name of [
    'netpol_preflight_reviews_total',
    'netpol_preflight_findings_total',
    'netpol_preflight_review_duration_seconds',
    'netpol_preflight_review_cache_total',
    'netpol_preflight_overlay_entries',
  ]) {
    t.match(text, new RegExp(`# TYPE ${name} `), `${name} is declared`);
  }
});

t.test('each app has its own registry', async (t) => {
  const a = buildTestApp();
  const b = buildTestApp({ processMetrics: true });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  const [textA, textB] = await Promise.all([scrapeMetrics(a), scrapeMetrics(b)]);
  t.notMatch(textA, /netpol_preflight_process_cpu/, 'no process metrics unless asked');
  t.match(textB, /netpol_preflight_process_cpu_seconds_total/);
});
