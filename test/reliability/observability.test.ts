/**
 * What operators see.
 *
 * Logs: never whole objects, tokens or certificates. Reviews of a policy carrying a distinctive
 * annotation value, sent by a user whose userInfo.extra carries a token-like value (allowed,
 * denied, invalid, unparseable old object, cached, refused at the edge), with an Authorization
 * header, and a server whose certificate is reloaded (and once refused): none of those strings,
 * and no PEM, appears in any log line. Always: the break-glass annotation and escalations are
 * logged at warn with the requesting user, cached answers too.
 *
 * Staleness: the API server away after the first sync, seen from the webhook (the list/watch
 * recovery itself is tested in test/cluster/live-recovery.test.ts): reviews keep being answered
 * from the cache, /metrics and the log say how stale it is, /readyz stays ready within the 30 s
 * bound and turns not ready past it, and once the API server is back the cache converges to its
 * state (changes made meanwhile included), staleness drops to 0 and the log says so.
 *
 * What the running webhook may touch, checked in the code (test/deploy checks the manifests:
 * non-root, read-only root filesystem, dropped capabilities, and a ClusterRole with get, list and
 * watch on exactly the cached resources and no Secrets): nothing in src/ writes to the
 * filesystem, so a read-only root filesystem is all it needs; the live cache reads no Secrets or
 * ConfigMaps and sends no write request; no logger call is handed a request, a body, an object
 * under review, headers or userInfo.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import t from 'tap';
import { pino } from 'pino';
import { build } from '../../src/app.js';
import { RESOURCE_DEFINITIONS } from '../../src/cluster/live/resources.js';
import { OVERRIDE_ANNOTATION } from '../../src/model/findings.js';
import { startServer } from '../../src/server.js';
import { createCertificateAuthority, issueServingCertificate } from '../../src/tls/certificates.js';
import { makeNamespace, makePod, makePolicy } from '../support/k8s-objects.js';
import { createHarness, waitUntil, waitUntilConverged, waitUntilReady } from '../support/live-harness.js';
import {
  admissionReview,
  buildTestApp,
  configWith,
  DENY_ALL_EGRESS,
  fixtureSource,
  FRONTEND_TO_CART,
  metricValue,
  networkPolicy,
  policyReview,
  scrapeMetrics,
  type PolicySpec,
} from '../support/webhook.js';

// --- logs -----------------------------------------------------------------------------------------

const ANNOTATION_VALUE = 'ZZ-distinctive-annotation-value-7f3a9c';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.ZZ-token-like-extra-value.c2lnbmF0dXJl';
const BEARER = 'ZZ-bearer-token-in-a-header-41d0';

/** Every line a pino logger writes, as text. */
function capture(): { logger: pino.Logger; text: () => string; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const text = (): string => chunks.join('');
  return {
    logger: pino({ level: 'trace' }, stream),
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function secretReview(
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  name: string,
  spec: PolicySpec | null,
  old: unknown = null,
  extra: { username?: string; annotations?: Record<string, string> } = {},
): Record<string, unknown> {
  const object =
    spec === null
      ? null
      : networkPolicy('shop', name, spec, {
          annotations: { 'example.com/note': ANNOTATION_VALUE, ...extra.annotations },
        });
  const review = admissionReview({
    operation,
    namespace: 'shop',
    name,
    object,
    oldObject: old,
    username: extra.username ?? 'alice@example.com',
  });
  const request = review['request'] as { userInfo: Record<string, unknown> };
  request.userInfo['extra'] = { 'authentication.kubernetes.io/credential-id': [`JTI=${TOKEN}`] };
  return review;
}

t.test('no object content, token or certificate in any log line', async (t) => {
  const log = capture();
  const app = buildTestApp({ loggerInstance: log.logger });
  t.teardown(() => app.close());
  const invalid = { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 1 }] }] } as PolicySpec;
  const unparseableOld = networkPolicy(
    'shop',
    'old',
    { podSelector: { matchLabels: { app: 7 } } } as PolicySpec,
    {
      annotations: { 'example.com/note': ANNOTATION_VALUE },
    },
  );
  const reviews = [
    secretReview('CREATE', 'allowed', FRONTEND_TO_CART),
    secretReview('CREATE', 'allowed', FRONTEND_TO_CART), // cached
    secretReview('CREATE', 'denied', DENY_ALL_EGRESS),
    secretReview('CREATE', 'invalid', invalid),
    secretReview('UPDATE', 'old', FRONTEND_TO_CART, unparseableOld),
    secretReview('DELETE', 'old', null, unparseableOld),
  ];
  for (const review of reviews) {
    const res = await app.inject({
      method: 'POST',
      url: '/validate',
      payload: review,
      headers: { authorization: `Bearer ${BEARER}` },
    });
    t.equal(res.statusCode, 200);
  }
  // refused at the edge: the token in an invalid envelope, in undecodable JSON, in a 415
  const broken = secretReview('CREATE', 'x', FRONTEND_TO_CART);
  delete (broken['request'] as Record<string, unknown>)['uid'];
  for (const [payload, type] of [
    [JSON.stringify(broken), 'application/json'],
    [`{"token": "${TOKEN}", "note": "${ANNOTATION_VALUE}"`, 'application/json'],
    [JSON.stringify(broken), 'text/plain'],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/validate',
      payload,
      headers: { 'content-type': type },
    });
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `refused (${res.statusCode})`);
  }
  const text = log.text();
  t.ok(log.lines().filter((l) => typeof l['uid'] === 'string').length >= 6, 'one line per review');
  t.notOk(text.includes(ANNOTATION_VALUE), 'the annotation value never appears');
  t.notOk(text.includes(TOKEN), 'the token-like userInfo.extra value never appears');
  t.notOk(text.includes(BEARER), 'the Authorization header never appears');
  t.notOk(text.includes('managedFields') || text.includes('"spec"'), 'no object is logged');
});

t.test('no PEM in the logs of a server whose certificate is reloaded, or refused', async (t) => {
  const log = capture();
  const dir = await mkdtemp(join(tmpdir(), 'netpol-logpem-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCertificateAuthority('log test CA');
  const [first, second] = await Promise.all([
    issueServingCertificate(ca, { hosts: ['localhost'] }),
    issueServingCertificate(ca, { hosts: ['localhost'] }),
  ]);
  await writeFile(join(dir, 'tls.crt'), first.cert);
  await writeFile(join(dir, 'tls.key'), first.key);
  let reloaded: () => void = () => {};
  const reload = new Promise<void>((r) => (reloaded = r));
  const server = await startServer({
    source: fixtureSource(),
    config: configWith(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    drainMs: 0,
    reloadDebounceMs: 20,
    reloadPollMs: 100,
    loggerInstance: log.logger,
    onCertificateReload: () => reloaded(),
  });
  t.teardown(() => server.close());
  // a mismatched pair first (refused, logged), then a good one (reloaded, logged)
  await writeFile(join(dir, 'tls.crt'), second.cert);
  await new Promise((r) => setTimeout(r, 300));
  await writeFile(join(dir, 'tls.key'), second.key);
  await reload;
  await server.close();
  const text = log.text();
  t.match(text, /TLS certificate reloaded/, 'the reload is logged');
  t.match(text, /TLS certificate not reloaded/, 'the refused pair is logged');
  t.notOk(text.includes('-----BEGIN'), 'no PEM block');
  for (const pem of [first.cert, first.key, second.cert, second.key, ca.cert]) {
    const body = pem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));
    t.notOk(
      body.some((line) => text.includes(line)),
      'no line of a certificate or key',
    );
  }
});

t.test('the break-glass annotation and escalations are always logged at warn with the user', async (t) => {
  const log = capture();
  const app = buildTestApp({
    loggerInstance: log.logger,
    config: configWith({ escalate: [{ users: ['ci-bot'], groups: [], rules: ['isolated-no-allow'] }] }),
  });
  t.teardown(() => app.close());
  const overridden = (uid: string, dryRun: boolean): Record<string, unknown> => {
    const review = admissionReview({
      uid,
      operation: 'CREATE',
      namespace: 'blog',
      name: 'lockdown',
      dryRun,
      username: 'oncall@example.com',
      object: networkPolicy('blog', 'lockdown', DENY_ALL_EGRESS, {
        annotations: { [OVERRIDE_ANNOTATION]: 'INC-42 contain the breach' },
      }),
    });
    return review;
  };
  const escalated = (uid: string): Record<string, unknown> =>
    admissionReview({
      uid,
      operation: 'CREATE',
      namespace: 'shop',
      name: 'shop-default-deny',
      username: 'ci-bot',
      dryRun: true,
      object: networkPolicy('shop', 'shop-default-deny', { podSelector: {}, policyTypes: ['Ingress'] }),
    });
  for (const review of [
    overridden('o-1', true),
    overridden('o-2', true),
    overridden('o-3', false),
    escalated('e-1'),
    escalated('e-2'),
  ]) {
    const res = await app.inject({ method: 'POST', url: '/validate', payload: review });
    t.equal(res.statusCode, 200);
  }
  const line = (uid: string): Record<string, unknown> | undefined =>
    log.lines().find((l) => l['uid'] === uid);
  for (const uid of ['o-1', 'o-2', 'o-3']) {
    const l = line(uid);
    t.equal(l?.['level'], 40, `${uid}: at warn (cache ${String(l?.['cache'])})`);
    t.equal(l?.['user'], 'oncall@example.com', `${uid}: with the user`);
    t.equal(l?.['overrideReason'], 'INC-42 contain the breach', `${uid}: with the reason`);
  }
  t.equal(line('o-2')?.['cache'], 'hit', 'a cached answer is logged the same way');
  for (const uid of ['e-1', 'e-2']) {
    const l = line(uid);
    t.equal(l?.['level'], 40, `${uid}: escalation at warn`);
    t.equal(l?.['user'], 'ci-bot');
    t.same(l?.['escalated'], ['isolated-no-allow']);
  }
});

// --- staleness ------------------------------------------------------------------------------------

t.test('API server down after sync: served from cache, staleness reported, bounded readiness', async (t) => {
  const harness = await createHarness({
    resources: ['namespaces', 'pods', 'networkpolicies'],
    syncGracePeriodMs: 30_000,
    stalenessLogIntervalMs: 20,
  });
  t.teardown(harness.stop);
  const { server, source, clock, log } = harness;
  server.apply('namespaces', makeNamespace('kube-system'));
  server.apply('namespaces', makeNamespace('shop'));
  server.apply(
    'pods',
    makePod('kube-system', 'coredns-1', {
      labels: { 'k8s-app': 'kube-dns' },
      ip: '10.0.0.53',
      ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }],
    }),
  );
  server.apply('pods', makePod('shop', 'web-1', { labels: { app: 'web' }, ip: '10.0.1.1' }));
  await source.start();
  await waitUntilReady(source);

  const app = build({
    source,
    config: configWith(),
    loggerInstance: log.logger,
    wallClock: () => clock.now(),
    loadShedding: false,
    // judge against the newest cache state at once (by default a prepared state is reused for 10 s)
    maxStateAgeMs: 0,
  });
  t.teardown(() => app.close());
  const verdict = async (uid: string): Promise<boolean> => {
    const res = await app.inject({
      method: 'POST',
      url: '/validate',
      payload: policyReview(
        'CREATE',
        'shop',
        'deny-egress',
        { after: DENY_ALL_EGRESS },
        { uid, dryRun: true },
      ),
    });
    t.equal(res.statusCode, 200);
    return (res.json() as { response: { allowed: boolean } }).response.allowed;
  };
  t.equal(await verdict('before'), false, 'synced: a policy that breaks DNS for shop/web is denied');
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_state_stale_seconds{resource="pods"}'), 0);

  await server.goDown();
  await waitUntil('every watch is lost', () => source.status().every((s) => !s.synced));
  // a change the webhook cannot see yet
  server.apply('pods', makePod('shop', 'web-2', { labels: { app: 'web' }, ip: '10.0.1.2' }));
  server.apply(
    'networkpolicies',
    makePolicy('shop', 'allow-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
  );

  clock.advance(12_000);
  await waitUntil('the staleness is logged', () =>
    log.lines.some((l) => l.level === 40 && /^serving cached pods, not synced for 1\d\.\d s/.test(l.msg)),
  );
  const staleLine = log.lines.findLast((l) => /^serving cached pods/.test(l.msg));
  t.match(staleLine, { resource: 'pods', graceSeconds: 30 }, 'the log line names the resource and the bound');
  t.match(String(staleLine?.['lastError']), /^watch pods: /, `and why (${String(staleLine?.['lastError'])})`);
  let metrics = await scrapeMetrics(app);
  const stale = metricValue(metrics, 'netpol_preflight_state_stale_seconds{resource="pods"}') ?? 0;
  t.ok(stale >= 12 && stale < 20, `/metrics: pods stale for ${stale} s`);
  t.equal(metricValue(metrics, 'netpol_preflight_state_ready'), 1, 'still ready within the bound');
  const readyWithin = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(readyWithin.statusCode, 200);
  t.match(
    (readyWithin.json() as { reason: string }).reason,
    /pods resyncing for/,
    'and says what is degraded',
  );
  t.equal(await verdict('during'), false, 'reviews are still answered, from the cached state');

  clock.advance(20_000);
  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(notReady.statusCode, 503, 'past the 30 s bound: not ready');
  t.match((notReady.json() as { reason: string }).reason, /pods not synced for 3\d s \(grace 30 s\)/);
  metrics = await scrapeMetrics(app);
  t.equal(metricValue(metrics, 'netpol_preflight_state_ready'), 0);
  await waitUntil('the readiness change is logged', () =>
    log.lines.some((l) => l.level === 40 && l.msg.startsWith('cluster state not ready')),
  );
  t.equal(await verdict('stale'), false, 'a review that still reaches this pod is answered');

  await server.comeUp();
  await waitUntilReady(source);
  await waitUntilConverged(harness);
  t.pass("the cache converged to the server's state, changes made while it was away included");
  metrics = await scrapeMetrics(app);
  t.equal(
    metricValue(metrics, 'netpol_preflight_state_stale_seconds{resource="pods"}'),
    0,
    'staleness back to 0',
  );
  t.equal(metricValue(metrics, 'netpol_preflight_state_ready'), 1);
  await waitUntil(
    'the recovery is logged',
    () =>
      log.lines.some((l) => l.msg === 'pods synced again') &&
      log.lines.some((l) => l.msg === 'cluster state ready'),
  );
  t.equal(
    await verdict('after'),
    true,
    'the allow-all-egress policy made meanwhile is now seen: DNS is not broken',
  );
});

// --- what the code may touch ---------------------------------------------------------------------

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string = SRC): { file: string; text: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [{ file: join(dir, e.name).slice(SRC.length), text: readFileSync(join(dir, e.name), 'utf8') }]
        : [],
  );
}

/** What src/ may import from the file system modules: reading and watching only. */
const FS_READS = new Set([
  'readFile',
  'readFileSync',
  'readdir',
  'readdirSync',
  'stat',
  'statSync',
  'realpath',
  'watch',
  'Stats',
  'FSWatcher',
]);
const FS_IMPORT =
  /import\s+(type\s+)?(\*\s+as\s+\w+|\{([^}]*)\}|\w+)\s+from\s+['"](node:)?fs(\/promises)?['"]/g;

t.test('src/ never writes to the filesystem: a read-only root filesystem is enough', async (t) => {
  const files = sources();
  t.ok(files.length > 50, `${files.length} source files`);
  let importing = 0;
  for (const { file, text } of files) {
    t.notMatch(text, /require\(\s*['"](node:)?fs/, `${file}: no require of fs`);
    for (const m of text.matchAll(FS_IMPORT)) {
      importing++;
      const names = (m[3] ?? '')
        .split(',')
        .map((n) => n.replace(/^\s*type\s+/, '').trim())
        .filter((n) => n !== '');
      t.ok(m[3] !== undefined, `${file}: named imports only from fs (${m[2]})`);
      const writes = names.filter((n) => !FS_READS.has(n));
      t.same(writes, [], `${file}: reads only (${names.join(', ')})`);
    }
  }
  t.ok(importing > 0, 'the check sees the modules that read files');
});

t.test('the live cache reads no Secrets or ConfigMaps, and sends no write request', async (t) => {
  const paths = RESOURCE_DEFINITIONS.map((d) => d.path);
  t.notOk(
    paths.some((p) => /\/(secrets|configmaps|serviceaccounts|tokenreviews)$/.test(p)),
    `cached resources: ${paths.join(' ')}`,
  );
  const api = readFileSync(join(SRC, 'cluster/live/kube-api.ts'), 'utf8');
  t.notMatch(api, /method:\s*['"](POST|PUT|PATCH|DELETE)['"]/i, 'no write request to the API server');
});

t.test('nothing in src/ logs a whole object or request', async (t) => {
  for (const { file, text } of sources()) {
    // a logger call (or child logger) whose fields include the request, its body, an object under
    // review or headers, as a field (`object: o`) or a shorthand (`{ object }`), or that is given
    // a whole review as its first argument
    const m =
      /\.(trace|debug|info|warn|error|fatal|child)\(\s*(\{[^}]*\b(request|req|review|body|object|oldObject|headers|userInfo)\s*[:,}]|(request|req|review|body)\s*[,)])/.exec(
        text,
      );
    t.notOk(m, `${file}${m ? `: ${m[0].slice(0, 80)}` : ''}`);
  }
});
