/**
 * POST /validate through app.inject(): the AdmissionReview contract, the
 * decisions, and the HTTP edge, case by case.
 */
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { applyPolicyChange } from '../../src/cluster/snapshot-edits.js';
import { parseNetworkPolicy } from '../../src/parse/network-policy.js';
import type { Decision } from '../../src/model/findings.js';
import { OVERRIDE_ANNOTATION } from '../../src/model/findings.js';
import type { DecideFn } from '../../src/webhook/review-handler.js';
import {
  admissionReview,
  buildTestApp,
  captureLogs,
  changingSource,
  configWith,
  DENY_ALL_EGRESS,
  FRONTEND_TO_CART,
  loadFixtureSnapshot,
  metricValue,
  networkPolicy,
  policyReview,
  postReview,
  scrapeMetrics,
  type PolicySpec,
} from '../support/webhook.js';

const ALLOW_DNS: PolicySpec = {
  podSelector: {},
  policyTypes: ['Egress'],
  egress: [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
  ],
};

const PEER_MATCHES_NOTHING: PolicySpec = {
  podSelector: { matchLabels: { app: 'cart' } },
  policyTypes: ['Ingress'],
  ingress: [
    {
      from: [
        { podSelector: { matchLabels: { app: 'frontend' } } },
        { namespaceSelector: { matchLabels: { team: 'nope' } } },
      ],
    },
  ],
};

/** decideChange, keeping each decision it takes. */
function spyDecide(): { decide: DecideFn; calls: () => number; decisions: readonly Decision[] } {
  const decisions: Decision[] = [];
  return {
    decide: (...args) => {
      const decision = decideChange(...args);
      decisions.push(decision);
      return decision;
    },
    calls: () => decisions.length,
    decisions,
  };
}

t.test('answers an AdmissionReview of the same apiVersion and kind, echoing the uid', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const review = policyReview(
    'CREATE',
    'shop',
    'frontend-to-cart',
    { after: FRONTEND_TO_CART },
    { uid: 'b1c2d3e4-0000-4000-8000-000000000001' },
  );
  const res = await postReview(app, review);
  t.equal(res.statusCode, 200);
  t.equal(res.body.apiVersion, 'admission.k8s.io/v1');
  t.equal(res.body.kind, 'AdmissionReview');
  t.equal(res.body.response.uid, 'b1c2d3e4-0000-4000-8000-000000000001');
  t.equal(res.body.response.allowed, true);
  t.notOk(res.body.response.status, 'no status when allowed');
});

t.test(
  'CREATE of a default-deny egress without DNS is denied with code 403, a message and warnings',
  async (t) => {
    const app = buildTestApp();
    t.teardown(() => app.close());
    const res = await postReview(
      app,
      policyReview('CREATE', 'blog', 'default-deny-egress', { after: DENY_ALL_EGRESS }),
    );
    const { response } = res.body;
    t.equal(response.allowed, false);
    t.equal(response.status?.code, 403);
    t.equal(response.status?.reason, 'Forbidden');
    t.match(response.status?.message, /dns-egress-blocked/);
    t.match(response.status?.message, /blog\/default-deny-egress/);
    t.ok((response.warnings ?? []).length > 0, 'the denial carries its warnings');
    t.equal(response.auditAnnotations?.['denied-rules'], 'dns-egress-blocked');
  },
);

t.test('UPDATE is judged against the old object', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const tcpOnly: PolicySpec = {
    ...ALLOW_DNS,
    egress: [{ ...(ALLOW_DNS.egress?.[0] as object), ports: [{ protocol: 'TCP', port: 53 }] }],
  };
  const res = await postReview(
    app,
    policyReview('UPDATE', 'shop', 'allow-dns', { before: ALLOW_DNS, after: tcpOnly }),
  );
  t.equal(res.body.response.allowed, false, 'dropping UDP 53 blocks DNS');
  t.match(res.body.response.status?.message, /UPDATE of NetworkPolicy shop\/allow-dns/);
});

t.test('DELETE carries only oldObject', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const denied = await postReview(
    app,
    policyReview('DELETE', 'payments', 'allow-dns', { before: ALLOW_DNS }),
  );
  t.equal(denied.body.response.allowed, false, 'deleting the DNS allow under a default deny breaks DNS');
  t.match(denied.body.response.status?.message, /DELETE of NetworkPolicy payments\/allow-dns/);
  const allowed = await postReview(
    app,
    policyReview('DELETE', 'shop', 'cart-from-frontend', {
      before: {
        podSelector: { matchLabels: { app: 'cart' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 'grpc' }] },
        ],
      },
    }),
  );
  t.equal(allowed.body.response.allowed, true, 'deleting an ingress allow-list opens traffic: allowed');
});

t.test(
  'DELETE without oldObject falls back to the state, and allows what the state does not know',
  async (t) => {
    const app = buildTestApp();
    t.teardown(() => app.close());
    const known = await postReview(
      app,
      admissionReview({ operation: 'DELETE', namespace: 'payments', name: 'allow-dns' }),
    );
    t.equal(known.body.response.allowed, false, "judged with the state's record of the policy");
    const unknown = await postReview(
      app,
      admissionReview({ operation: 'DELETE', namespace: 'payments', name: 'ghost' }),
    );
    t.equal(unknown.body.response.allowed, true);
  },
);

t.test('a NetworkPolicy the API server would reject is denied, naming the field', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const bad = networkPolicy('shop', 'bad-port', {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ protocol: 'TCP', port: 70000 }] }],
  });
  const res = await postReview(
    app,
    admissionReview({ operation: 'CREATE', namespace: 'shop', name: 'bad-port', object: bad }),
  );
  t.equal(res.body.response.allowed, false);
  t.equal(res.body.response.status?.code, 403);
  t.match(
    res.body.response.status?.message,
    /shop\/bad-port is invalid: spec\.ingress\[0\]\.ports\[0\]\.port/,
  );
});

t.test(
  'a string where a number belongs is not coerced: the object under review is read as sent',
  async (t) => {
    const app = buildTestApp();
    t.teardown(() => app.close());
    const obj = networkPolicy('shop', 'p', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 80, endPort: '90' }] }],
    });
    const res = await postReview(
      app,
      admissionReview({ operation: 'CREATE', namespace: 'shop', name: 'p', object: obj }),
    );
    t.equal(res.body.response.allowed, false);
    t.match(res.body.response.status?.message, /endPort/);
  },
);

t.test('dryRun: the same verdict, and nothing recorded in the read-your-writes overlay', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const dry = await postReview(
    app,
    policyReview('CREATE', 'payments', 'allow-dns-v2', { after: ALLOW_DNS }, { dryRun: true }),
  );
  t.equal(dry.body.response.allowed, true);
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_overlay_entries'), 0);
  const del = await postReview(app, policyReview('DELETE', 'payments', 'allow-dns', { before: ALLOW_DNS }));
  t.equal(del.body.response.allowed, false, 'the dry-run copy does not count');
  const denyDry = await postReview(
    app,
    policyReview('CREATE', 'blog', 'deny', { after: DENY_ALL_EGRESS }, { dryRun: true }),
  );
  t.equal(denyDry.body.response.allowed, false, 'a dry run is denied like the real change');
});

t.test('read-your-writes: a second change sees the first one admitted a moment ago', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const first = await postReview(
    app,
    policyReview('CREATE', 'payments', 'allow-dns-v2', { after: ALLOW_DNS }),
  );
  t.equal(first.body.response.allowed, true);
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_overlay_entries'), 1);
  const second = await postReview(
    app,
    policyReview('DELETE', 'payments', 'allow-dns', { before: ALLOW_DNS }),
  );
  t.equal(second.body.response.allowed, true, 'allow-dns-v2 still allows DNS');
});

t.test('read-your-writes: an admitted change expires from the overlay after its TTL', async (t) => {
  let clock = 0;
  const app = buildTestApp({ now: () => clock, overlayTtlMs: 60_000 });
  t.teardown(() => app.close());
  await postReview(app, policyReview('CREATE', 'payments', 'allow-dns-v2', { after: ALLOW_DNS }));
  clock += 61_000;
  const res = await postReview(app, policyReview('DELETE', 'payments', 'allow-dns', { before: ALLOW_DNS }));
  t.equal(res.body.response.allowed, false, 'the source never showed allow-dns-v2: after the TTL it is gone');
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_overlay_entries'), 0);
});

t.test('read-your-writes: an admitted change leaves the overlay once the source shows it', async (t) => {
  const initial = loadFixtureSnapshot();
  const { source, moveTo } = changingSource(initial);
  let clock = 0;
  const app = buildTestApp({ source, now: () => clock, maxStateAgeMs: 5_000, warmIntervalMs: 0 });
  t.teardown(() => app.close());
  const review = policyReview('CREATE', 'payments', 'allow-dns-v2', { after: ALLOW_DNS });
  t.equal((await postReview(app, review)).body.response.allowed, true);
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_overlay_entries'), 1);
  // the watch delivers the policy, with the same spec
  const created = parseNetworkPolicy((review as { request: { object: unknown } }).request.object);
  if (!created.ok) throw new Error('fixture policy does not parse');
  moveTo(
    applyPolicyChange(initial, {
      operation: 'CREATE',
      namespace: 'payments',
      name: 'allow-dns-v2',
      object: created.policy,
      oldObject: null,
    }),
  );
  // Reviews read the state the latest prepared analysis state came from while it is fresh; past
  // maxStateAgeMs (or once a newer one is prepared in the background) they read the source again.
  clock += 6_000;
  const del = await postReview(app, policyReview('DELETE', 'payments', 'allow-dns', { before: ALLOW_DNS }));
  t.equal(del.body.response.allowed, true, 'judged against the source, which now has allow-dns-v2');
  t.equal(
    metricValue(await scrapeMetrics(app), 'netpol_preflight_overlay_entries'),
    1,
    'allow-dns-v2 left the overlay (the source shows it); the DELETE is in it',
  );
});

t.test('a repeated identical review is answered from the cache, with its own uid', async (t) => {
  const spy = spyDecide();
  const app = buildTestApp({ decide: spy.decide });
  t.teardown(() => app.close());
  const make = (uid: string) =>
    policyReview('CREATE', 'blog', 'deny', { after: DENY_ALL_EGRESS }, { uid, dryRun: true });
  const a = await postReview(app, make('11111111-0000-4000-8000-000000000001'));
  const b = await postReview(app, make('11111111-0000-4000-8000-000000000002'));
  t.equal(spy.calls(), 1, 'analysed once');
  t.equal(b.body.response.uid, '11111111-0000-4000-8000-000000000002');
  t.same({ ...b.body.response, uid: '' }, { ...a.body.response, uid: '' }, 'the same answer');
  const metrics = await scrapeMetrics(app);
  t.equal(metricValue(metrics, 'netpol_preflight_review_cache_total{result="hit"}'), 1);
  t.equal(metricValue(metrics, 'netpol_preflight_review_cache_total{result="miss"}'), 1);
  // metadata noise (resourceVersion, managedFields) does not defeat the cache
  const noisy = make('11111111-0000-4000-8000-000000000003') as {
    request: { object: { metadata: Record<string, unknown> } };
  };
  noisy.request.object.metadata['resourceVersion'] = '999';
  noisy.request.object.metadata['managedFields'] = [{ manager: 'kubectl', time: '2025-02-02T00:00:00Z' }];
  await postReview(app, noisy);
  t.equal(spy.calls(), 1, 'still analysed once');
  // another requester whose escalation differs is analysed again
  const escalatingApp = buildTestApp({
    decide: spy.decide,
    config: configWith({ escalate: [{ users: ['flux'], groups: [], rules: ['peer-matches-nothing'] }] }),
  });
  t.teardown(() => escalatingApp.close());
  await postReview(escalatingApp, make('11111111-0000-4000-8000-000000000004'));
  await postReview(escalatingApp, { ...make('11111111-0000-4000-8000-000000000005') });
  t.equal(spy.calls(), 2, 'same requester: cached');
  const asFlux = policyReview(
    'CREATE',
    'blog',
    'deny',
    { after: DENY_ALL_EGRESS },
    { dryRun: true, username: 'flux' },
  );
  await postReview(escalatingApp, asFlux);
  t.equal(spy.calls(), 3, 'escalated requester: analysed');
});

t.test('requests for other kinds are allowed at once', async (t) => {
  const spy = spyDecide();
  const app = buildTestApp({ decide: spy.decide });
  t.teardown(() => app.close());
  const res = await postReview(
    app,
    admissionReview({
      operation: 'CREATE',
      namespace: 'shop',
      name: 'web',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [] } },
    }),
  );
  t.equal(res.body.response.allowed, true);
  t.notOk(res.body.response.warnings);
  t.equal(spy.calls(), 0);
});

t.test('CONNECT and subresources are allowed at once', async (t) => {
  const spy = spyDecide();
  const app = buildTestApp({ decide: spy.decide });
  t.teardown(() => app.close());
  const connect = await postReview(
    app,
    admissionReview({ operation: 'CONNECT', namespace: 'shop', name: 'p', object: {} }),
  );
  t.equal(connect.body.response.allowed, true);
  const status = await postReview(
    app,
    policyReview('UPDATE', 'blog', 'p', { before: {}, after: DENY_ALL_EGRESS }, { subResource: 'status' }),
  );
  t.equal(status.body.response.allowed, true);
  t.equal(spy.calls(), 0);
});

t.test('an UPDATE that leaves spec alone is allowed at once, override annotation included', async (t) => {
  const spy = spyDecide();
  const logs = captureLogs();
  const app = buildTestApp({ decide: spy.decide, logger: { level: 'info', stream: logs.stream } });
  t.teardown(() => app.close());
  const before = networkPolicy('payments', 'allow-dns', ALLOW_DNS);
  const after = networkPolicy('payments', 'allow-dns', ALLOW_DNS, {
    annotations: { owner: 'payments', [OVERRIDE_ANNOTATION]: 'incident 42' },
    resourceVersion: '101',
  });
  const res = await postReview(
    app,
    admissionReview({
      operation: 'UPDATE',
      namespace: 'payments',
      name: 'allow-dns',
      object: after,
      oldObject: before,
    }),
  );
  t.equal(res.body.response.allowed, true);
  t.equal(spy.calls(), 0, 'not analysed');
  const line = logs.lines().find((l) => l['uid'] === (res.body.response.uid as string));
  t.equal(line?.['decision'], 'skipped');
  t.equal(line?.['skipReason'], 'no-spec-change');
});

t.test('objects in a Terminating namespace are allowed at once', async (t) => {
  const spy = spyDecide();
  const app = buildTestApp({ decide: spy.decide });
  t.teardown(() => app.close());
  const create = await postReview(app, policyReview('CREATE', 'leaving', 'deny', { after: DENY_ALL_EGRESS }));
  t.equal(create.body.response.allowed, true);
  const del = await postReview(
    app,
    policyReview('DELETE', 'leaving', 'allow-all', { before: { podSelector: {} } }),
  );
  t.equal(del.body.response.allowed, true);
  t.equal(spy.calls(), 0);
});

t.test('escalation: listed warnings become denials for the configured users and groups', async (t) => {
  const logs = captureLogs();
  const app = buildTestApp({
    config: configWith({
      escalate: [
        {
          users: ['system:serviceaccount:flux-system:kustomize-controller'],
          groups: ['gitops'],
          rules: ['peer-matches-nothing'],
        },
      ],
    }),
    logger: { level: 'info', stream: logs.stream },
  });
  t.teardown(() => app.close());
  const review = (username: string, groups: string[] = []) =>
    policyReview('CREATE', 'shop', 'cart-ingress', { after: PEER_MATCHES_NOTHING }, { username, groups });
  const human = await postReview(app, review('alice'));
  t.equal(human.body.response.allowed, true);
  t.match(human.body.response.warnings?.join('\n'), /selects no namespace/);
  const flux = await postReview(app, review('system:serviceaccount:flux-system:kustomize-controller'));
  t.equal(flux.body.response.allowed, false);
  t.equal(flux.body.response.auditAnnotations?.['escalated-rules'], 'peer-matches-nothing');
  const byGroup = await postReview(app, review('bob', ['gitops']));
  t.equal(byGroup.body.response.allowed, false, 'escalated by group');
  const line = logs.lines().find((l) => l['uid'] === flux.body.response.uid);
  t.equal(line?.['level'], 40, 'escalations are logged at warn');
  t.equal(line?.['user'], 'system:serviceaccount:flux-system:kustomize-controller');
  t.same(line?.['escalated'], ['peer-matches-nothing']);
});

t.test('the override annotation allows with an audited warning, logged with the user', async (t) => {
  const logs = captureLogs();
  const app = buildTestApp({ logger: { level: 'info', stream: logs.stream } });
  t.teardown(() => app.close());
  const obj = networkPolicy('blog', 'lockdown', DENY_ALL_EGRESS, {
    annotations: { [OVERRIDE_ANNOTATION]: 'INC-7 exfiltration' },
  });
  const res = await postReview(
    app,
    admissionReview({
      operation: 'CREATE',
      namespace: 'blog',
      name: 'lockdown',
      object: obj,
      username: 'oncall@example.com',
    }),
  );
  t.equal(res.body.response.allowed, true);
  t.match(res.body.response.warnings?.[0], /override/);
  t.equal(res.body.response.auditAnnotations?.['override-reason'], 'INC-7 exfiltration');
  const line = logs.lines().find((l) => l['uid'] === res.body.response.uid);
  t.equal(line?.['level'], 40);
  t.equal(line?.['overrideReason'], 'INC-7 exfiltration');
  t.equal(line?.['user'], 'oncall@example.com');
});

t.test('deadline: an analysis that cannot finish is answered per the failure mode', async (t) => {
  for (const failureMode of ['allow-with-warning', 'deny'] as const) {
    let clock = 0;
    let interrupted = false;
    const app = buildTestApp({
      config: configWith({ deadlineMs: 50, failureMode }),
      // every reading of the clock moves it by 10 ms: the deadline passes during the analysis
      now: () => (clock += 10),
      decide: (snapshot, change, config, requester, options) => {
        try {
          return decideChange(snapshot, change, config, requester, options);
        } catch (error) {
          interrupted = (error as Error).name === 'AnalysisInterruptedError';
          throw error;
        }
      },
    });
    t.teardown(() => app.close());
    const res = await postReview(
      app,
      policyReview('CREATE', 'blog', 'deny', { after: DENY_ALL_EGRESS }, { uid: `deadline-${failureMode}` }),
    );
    t.ok(interrupted, `${failureMode}: the engine was interrupted`);
    t.equal(res.body.response.uid, `deadline-${failureMode}`);
    if (failureMode === 'allow-with-warning') {
      t.equal(res.body.response.allowed, true);
      t.match(res.body.response.warnings?.[0], /did not finish within 50 ms; allowed unchecked/);
    } else {
      t.equal(res.body.response.allowed, false);
      t.equal(res.body.response.status?.code, 504);
      t.match(res.body.response.status?.message, /did not finish within 50 ms/);
    }
    const metrics = await scrapeMetrics(app);
    const decision = failureMode === 'deny' ? 'failed-closed' : 'failed-open';
    t.equal(
      metricValue(metrics, `netpol_preflight_reviews_total{operation="CREATE",decision="${decision}"}`),
      1,
    );
  }
});

t.test('a review that waited past its deadline is not analysed at all', async (t) => {
  let clock = 0;
  const spy = spyDecide();
  const app = buildTestApp({
    config: configWith({ deadlineMs: 50 }),
    now: () => (clock += 100),
    decide: spy.decide,
  });
  t.teardown(() => app.close());
  const res = await postReview(app, policyReview('CREATE', 'blog', 'deny', { after: DENY_ALL_EGRESS }));
  t.equal(res.body.response.allowed, true);
  t.equal(spy.calls(), 0);
});

t.test(
  'an unexpected exception still answers with the uid, per the failure mode, and logs the stack',
  async (t) => {
    for (const failureMode of ['allow-with-warning', 'deny'] as const) {
      const logs = captureLogs();
      const app = buildTestApp({
        config: configWith({ failureMode }),
        logger: { level: 'info', stream: logs.stream },
        decide: () => {
          throw new TypeError('engine exploded');
        },
      });
      t.teardown(() => app.close());
      const uid = `boom-${failureMode}`;
      const res = await postReview(
        app,
        policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid }),
      );
      t.equal(res.statusCode, 200);
      t.equal(res.body.response.uid, uid);
      t.equal(res.body.response.allowed, failureMode === 'allow-with-warning');
      if (failureMode === 'deny') t.equal(res.body.response.status?.code, 500);
      else t.match(res.body.response.warnings?.[0], /internal error/);
      const line = logs.lines().find((l) => l['uid'] === uid);
      t.equal(line?.['level'], 50, 'logged as an error');
      t.match((line?.['err'] as { stack?: string } | undefined)?.stack, /TypeError: engine exploded\n\s+at /);
    }
  },
);

t.test('warnings stay within the API server limits; the last one counts the rest', async (t) => {
  const many: Decision = {
    allowed: true,
    findings: Array.from({ length: 25 }, (_, i) => ({
      rule: 'peer-matches-nothing' as const,
      severity: 'warn' as const,
      message: `finding ${i} ${'x'.repeat(200)}`,
      subjects: [],
    })),
    warnings: Array.from({ length: 25 }, (_, i) => `finding ${i} ${'x'.repeat(200)}`),
    denyMessage: null,
    enforcement: 'enforce',
    overrideReason: null,
    escalated: [],
  };
  const app = buildTestApp({ decide: () => many });
  t.teardown(() => app.close());
  const res = await postReview(
    app,
    policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'warn-budget' }),
  );
  const warnings = res.body.response.warnings ?? [];
  t.equal(warnings.length, 10);
  for (const w of warnings) {
    t.ok(w.length <= 120, `at most 120 characters (${w.length})`);
    t.notMatch(w, /^Warning:/i);
  }
  t.ok(warnings.join('').length < 4096);
  t.match(
    warnings[9],
    /^\+16 more warnings: run netpol-preflight explain, or see the webhook log \(uid warn-budget\)$/,
  );
});

t.test(
  'one log line per review: uid, operation, object, user, decision, rules, duration; no object',
  async (t) => {
    const logs = captureLogs();
    const app = buildTestApp({ logger: { level: 'info', stream: logs.stream } });
    t.teardown(() => app.close());
    const res = await postReview(
      app,
      policyReview(
        'CREATE',
        'blog',
        'default-deny-egress',
        { after: DENY_ALL_EGRESS },
        { username: 'carol' },
      ),
    );
    const lines = logs.lines();
    t.equal(lines.length, 1, 'exactly one line');
    const line = lines[0] ?? {};
    t.match(line, {
      uid: res.body.response.uid,
      operation: 'CREATE',
      namespace: 'blog',
      name: 'default-deny-egress',
      user: 'carol',
      decision: 'denied',
      cache: 'miss',
    });
    t.ok((line['rules'] as string[]).includes('dns-egress-blocked'));
    t.type(line['durationMs'], 'number');
    t.notMatch(JSON.stringify(line), /podSelector|"spec"|managedFields/, 'no object in the log');
    // The keys of a plain review, in this order: the optional ones (skipReason, escalated,
    // overrideReason, recorded, notes) only when they say something.
    t.same(
      Object.keys(line).filter((k) => !['level', 'time', 'pid', 'hostname', 'reqId', 'msg'].includes(k)),
      [
        'uid',
        'operation',
        'kind',
        'namespace',
        'name',
        'user',
        'dryRun',
        'decision',
        'rules',
        'cache',
        'stateVersion',
        'durationMs',
      ],
    );
  },
);

t.test('the log line names a rule once however many places it reports', async (t) => {
  const twoPeersMatchingNothing: PolicySpec = {
    ...PEER_MATCHES_NOTHING,
    ingress: [
      {
        from: [
          { namespaceSelector: { matchLabels: { team: 'nope' } } },
          { namespaceSelector: { matchLabels: { team: 'nada' } } },
        ],
      },
    ],
  };
  const logs = captureLogs();
  const spy = spyDecide();
  const app = buildTestApp({ logger: { level: 'info', stream: logs.stream }, decide: spy.decide });
  t.teardown(() => app.close());
  await postReview(app, policyReview('CREATE', 'shop', 'cart-ingress', { after: twoPeersMatchingNothing }));
  const reported = (spy.decisions[0]?.findings ?? []).filter((f) => f.rule === 'peer-matches-nothing');
  t.equal(reported.length, 2, 'the rule reports both peers');
  const rules = (logs.lines()[0] ?? {})['rules'] as string[];
  t.ok(rules.includes('peer-matches-nothing'));
  t.equal(new Set(rules).size, rules.length, 'each rule once');
});

t.test('metrics count reviews by operation and decision, and findings by rule', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  await postReview(app, policyReview('CREATE', 'blog', 'deny', { after: DENY_ALL_EGRESS }));
  await postReview(app, policyReview('CREATE', 'shop', 'ok', { after: FRONTEND_TO_CART }));
  await postReview(app, policyReview('CREATE', 'leaving', 'x', { after: DENY_ALL_EGRESS }));
  const text = await scrapeMetrics(app);
  t.equal(metricValue(text, 'netpol_preflight_reviews_total{operation="CREATE",decision="denied"}'), 1);
  t.equal(metricValue(text, 'netpol_preflight_reviews_total{operation="CREATE",decision="skipped"}'), 1);
  t.equal(metricValue(text, 'netpol_preflight_findings_total{rule="dns-egress-blocked",severity="deny"}'), 1);
  t.equal(metricValue(text, 'netpol_preflight_review_duration_seconds_count{cache="miss"}'), 2);
  t.equal(metricValue(text, 'netpol_preflight_review_duration_seconds_count{cache="none"}'), 1);
  // Counts are totals since start: a second scrape, after one more review, adds only that one.
  await postReview(app, policyReview('CREATE', 'blog', 'deny-2', { after: DENY_ALL_EGRESS }));
  const again = await scrapeMetrics(app);
  t.equal(metricValue(again, 'netpol_preflight_reviews_total{operation="CREATE",decision="denied"}'), 2);
  t.equal(metricValue(again, 'netpol_preflight_reviews_total{operation="CREATE",decision="skipped"}'), 1);
  t.equal(
    metricValue(again, 'netpol_preflight_findings_total{rule="dns-egress-blocked",severity="deny"}'),
    2,
  );
  t.equal(metricValue(again, 'netpol_preflight_review_cache_total{result="miss"}'), 3);
});
