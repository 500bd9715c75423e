/**
 * Faults of the API server (the fake one of test/support, on 127.0.0.1) while the webhook keeps
 * answering reviews and the cluster keeps changing: API server down at start, watches dropped
 * mid-stream, 410 Gone (as an HTTP status and as an ERROR event), ERROR events of another code,
 * the API server down for a while after the sync, slow lists that time out. After each fault the
 * cache must converge to the server's true state (the projected snapshot equals the snapshot the
 * parse layer builds from the server's objects); during the long outage staleness must show in
 * /metrics and the log, and readiness must drop past the bound and come back.
 */
import { build } from '../../src/app.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import type { FakeApiServer } from '../../test/support/fake-apiserver.js';
import {
  makeDeployment,
  makeNamespace,
  makePod,
  makePolicy,
  makeService,
} from '../../test/support/k8s-objects.js';
import {
  createHarness,
  waitUntil,
  waitUntilConverged,
  waitUntilReady,
  type Harness,
} from '../../test/support/live-harness.js';
import type { SoakRow } from './table.js';

const GRACE_MS = 3000;

function seed(server: FakeApiServer): void {
  server.apply('namespaces', makeNamespace('kube-system'));
  server.apply(
    'pods',
    makePod('kube-system', 'coredns-1', {
      labels: { 'k8s-app': 'kube-dns' },
      ip: '10.0.0.53',
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }],
    }),
  );
  for (const ns of ['shop', 'payments', 'blog']) {
    server.apply('namespaces', makeNamespace(ns, { team: ns }));
    server.apply('deployments', makeDeployment(ns, 'web', { app: 'web' }));
    server.apply('services', makeService(ns, 'web', { app: 'web' }));
    for (let i = 0; i < 20; i++) {
      server.apply(
        'pods',
        makePod(ns, `web-${i}`, {
          labels: { app: 'web' },
          ip: `10.1.${ns.length}.${i + 1}`,
          owner: { kind: 'ReplicaSet', name: 'web-abc' },
        }),
      );
    }
  }
  server.apply(
    'networkpolicies',
    makePolicy('shop', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
  );
}

interface Counters {
  requests: number;
  errors: number;
  churn: number;
}

/** Reviews against the webhook and changes to the cluster, until stopped. */
function background(
  harness: Harness,
  app: ReturnType<typeof build>,
  counters: Counters,
): () => Promise<void> {
  let stop = false;
  const reviews = (async () => {
    for (let i = 0; !stop; i++) {
      const res = await app.inject({
        method: 'POST',
        url: '/validate',
        payload: {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: {
            uid: `fault-${i}`,
            kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
            resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
            namespace: 'blog',
            name: `p-${i % 10}`,
            operation: 'CREATE',
            userInfo: { username: 'soak' },
            dryRun: true,
            object: makePolicy('blog', `p-${i % 10}`, { podSelector: {}, policyTypes: ['Egress'] }),
          },
        },
      });
      counters.requests++;
      const uid =
        res.statusCode === 200 ? (res.json() as { response?: { uid?: string } }).response?.uid : null;
      if (uid !== `fault-${i}`) counters.errors++;
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const churn = (async () => {
    for (let i = 0; !stop; i++) {
      const ns = ['shop', 'payments', 'blog'][i % 3] as string;
      if (i % 4 === 3) harness.server.remove('pods', ns, `churn-${i - 3}`);
      else
        harness.server.apply(
          'pods',
          makePod(ns, `churn-${i}`, {
            labels: { app: i % 2 === 0 ? 'web' : 'batch' },
            ip: `10.2.${i % 250}.${(i >> 8) % 250}`,
          }),
        );
      counters.churn++;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    stop = true;
    await Promise.all([reviews, churn]);
  };
}

async function metric(app: ReturnType<typeof build>, sample: string): Promise<number | null> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? null : Number(line.slice(sample.length + 1));
}

export async function runFaultPhase(): Promise<SoakRow> {
  const harness = await createHarness({
    syncGracePeriodMs: GRACE_MS,
    requestTimeoutMs: 500,
    stalenessLogIntervalMs: 250,
    backoff: { initialMs: 20, maxMs: 300, resetAfterMs: 2000 },
  });
  const { server, source } = harness;
  const app = build({ source, config: defaultConfig(), loadShedding: false, maxStateAgeMs: 0 });
  const counters: Counters = { requests: 0, errors: 0, churn: 0 };
  const checks: string[] = [];
  const failed: string[] = [];
  let faults = 0;
  let converged = true;
  const converge = async (fault: string): Promise<void> => {
    faults++;
    try {
      await waitUntilReady(source, 15_000);
      await waitUntilConverged(harness, 15_000);
      checks.push(fault);
    } catch (error) {
      converged = false;
      failed.push(`${fault}: ${(error as Error).message}`);
    }
  };
  const expect = (what: string, ok: boolean): void => {
    if (ok) checks.push(what);
    else failed.push(what);
  };
  seed(server);

  // 1. API server down at start: not ready until it returns
  await server.goDown();
  await source.start();
  await new Promise((r) => setTimeout(r, 1000));
  expect('not ready while the API server is down at start', !source.readiness().ready);
  expect('/readyz 503 meanwhile', (await app.inject({ method: 'GET', url: '/readyz' })).statusCode === 503);
  await server.comeUp();
  await converge('API server down at start');

  const stopBackground = background(harness, app, counters);
  // 2. watches dropped mid-stream, three times, with changes in between
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 500));
    server.dropWatches();
    await converge(`watches dropped (${i + 1})`);
  }
  // 3. 410 Gone, as an HTTP status and as an ERROR event
  for (const mode of ['http', 'event'] as const) {
    server.expiredMode = mode;
    server.dropWatches();
    server.apply('namespaces', makeNamespace('blog', { team: 'blog', gone: mode }));
    server.compact();
    await converge(`410 Gone (${mode})`);
  }
  server.failWatches('pods', 410, 'Expired', 'too old resource version');
  await converge('410 Gone on an open watch');
  // 4. an ERROR event of another code
  server.failWatches('pods', 500, 'InternalError', 'etcd is unhappy');
  await converge('ERROR 500 on a watch');
  // 5. the API server down for a while after the sync: served from cache, stale, then not ready
  await server.goDown();
  await new Promise((r) => setTimeout(r, GRACE_MS / 2));
  const staleWithin = (await metric(app, 'netpol_preflight_state_stale_seconds{resource="pods"}')) ?? 0;
  expect(`stale_seconds > 0 within the grace period (${staleWithin})`, staleWithin > 0);
  expect('still ready within the grace period', source.readiness().ready);
  await new Promise((r) => setTimeout(r, GRACE_MS));
  expect('not ready past the grace period', !source.readiness().ready);
  expect('state_ready 0 past the grace period', (await metric(app, 'netpol_preflight_state_ready')) === 0);
  expect(
    'the staleness is in the log',
    harness.log.lines.some((l) => l.level === 40 && l.msg.startsWith('serving cached pods')),
  );
  const before = counters.requests;
  await new Promise((r) => setTimeout(r, 200));
  expect('reviews answered from the cache meanwhile', counters.requests > before);
  await server.comeUp();
  await converge('API server down for 4.5 s after the sync');
  expect(
    'stale_seconds back to 0',
    (await metric(app, 'netpol_preflight_state_stale_seconds{resource="pods"}')) === 0,
  );
  // 6. slow lists: pages slower than the request timeout, after a 410 forces a relist
  server.latencyMs = 700;
  server.dropWatches();
  server.compact();
  await waitUntil(
    'a list timed out',
    () => source.status().some((s) => /timed out/.test(s.lastError ?? '')),
    10_000,
  ).then(
    () => checks.push('slow lists time out'),
    () => failed.push('slow lists time out'),
  );
  server.latencyMs = 0;
  await converge('slow lists');

  await stopBackground();
  await app.close();
  await harness.stop();
  expect(`${counters.requests} reviews during the faults all answered`, counters.errors === 0);
  return {
    phase: 'faults (fake API server)',
    requests: counters.requests,
    errors: counters.errors + failed.length,
    non2xx: null,
    p99Ms: null,
    rssStartMb: null,
    rssEndMb: null,
    faults,
    converged,
    ok: failed.length === 0 && counters.errors === 0 && converged,
    notes:
      `${counters.churn} cluster changes meanwhile; ${checks.length} checks passed` +
      (failed.length > 0 ? `; FAILED: ${failed.join('; ')}` : ''),
  };
}
