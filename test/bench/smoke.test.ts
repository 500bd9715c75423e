/**
 * The benchmark harness end to end on the tiny XS size (5 namespaces, ~100 pods, 20 policies)
 * with 0.5 s load runs and no warm-up: compile it as `npm run bench` does, run it, check the JSON
 * it writes. No timing is asserted: figures on a shared CI machine mean nothing.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { ReviewStream } from '../../bench/admission-requests.js';
import { generateCluster } from '../../bench/generator.js';
import { checkResultsShape } from '../../bench/results.js';
import { BENCH_SIZES } from '../../bench/sizes.js';
import { isRecord } from '../../bench/guards.js';
import { checkAdmissionReview } from '../../src/webhook/admission-review-schema.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** Without the TypeScript loader tap passes to its tests: the harness runs compiled. */
const plainEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  return env;
};

t.test('review stream: valid AdmissionReviews, distinct uids, new CREATE names on each pass', async (t) => {
  const { changes } = generateCluster(BENCH_SIZES.XS);
  const stream = new ReviewStream(changes, 'abcdef01');
  const bodies = Array.from({ length: 2 * changes.length }, () => JSON.parse(stream.next()) as unknown);
  const uids = new Set<string>();
  const names = new Map<string, number>();
  for (const body of bodies) {
    const checked = checkAdmissionReview(body);
    if (!checked.ok) {
      t.fail(`invalid review: ${JSON.stringify(checked.issues)}`);
      continue;
    }
    const { request } = checked.review;
    uids.add(request.uid);
    t.equal(request.dryRun, true);
    const key = `${request.operation} ${request.namespace}/${request.name}`;
    names.set(key, (names.get(key) ?? 0) + 1);
  }
  t.equal(uids.size, bodies.length, 'every request has its own uid');
  for (const [key, count] of names) {
    if (key.startsWith('CREATE')) t.equal(count, 1, `${key} is created once`);
  }
  t.ok(
    [...names.keys()].some((k) => k.startsWith('CREATE') && k.endsWith('-p1')),
    'pass 1 renames CREATEs',
  );
  const mix = stream.mix();
  t.equal(mix.CREATE + mix.UPDATE + mix.DELETE, changes.length);
});

t.test('results shape checker names what is missing', async (t) => {
  t.same(checkResultsShape({ sizes: {} }), ['"sizes" is empty']);
  const issues = checkResultsShape({ sizes: { XS: { pods: 1, admission: {}, state: {}, engine: {} } } });
  t.ok(issues.includes('sizes.XS.admission.c16 is not an object'));
  t.ok(issues.includes('sizes.XS.state.ready_s is not a number'));
});

t.test('harness end to end on XS', async (t) => {
  const out = join(t.testdir(), 'results.json');
  const started = performance.now();
  await run(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bench.json', '--noCheck'],
    {
      cwd: ROOT,
      env: plainEnv(),
    },
  );
  const { stdout } = await run(
    process.execPath,
    ['dist-bench/bench/run.js', '--sizes', 'XS', '--duration', '0.5', '--warmup', '0', '--out', out],
    { cwd: ROOT, env: plainEnv(), timeout: 120_000 },
  );
  t.comment(`compile + run: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  t.match(stdout, /XS\s+admission ratio p99 c16 ours\/no-op\s+\d/);
  t.match(stdout, /XS\s+state heap bytes per pod\s+\d+/);

  const results: unknown = JSON.parse(await readFile(out, 'utf8'));
  t.same(checkResultsShape(results), [], 'the JSON has every required figure');
  if (!isRecord(results) || !isRecord(results['sizes']) || !isRecord(results['meta']))
    return t.fail('no sizes or meta in the JSON');
  t.same(Object.keys(results['sizes']), ['XS']);
  t.equal(results['meta']['node'], process.version);
  const xs = results['sizes']['XS'];
  if (!isRecord(xs) || !isRecord(xs['admission']) || !isRecord(xs['state']))
    return t.fail('no XS admission or state figures');
  t.ok((xs['pods'] as number) > 0, 'pods counted');
  t.equal(xs['state']['pods'], xs['pods'], 'the live source synced every generated pod');
  for (const run of ['c1', 'c16', 'noop_c1', 'noop_c16']) {
    const figures = xs['admission'][run];
    if (!isRecord(figures)) return t.fail(`no ${run} figures`);
    t.ok((figures['requests'] as number) > 0, `${run}: answers measured`);
    t.equal(
      (figures['errors'] as number) + (figures['non2xx'] as number) + (figures['timeouts'] as number),
      0,
      `${run}: every review was answered 200 (valid AdmissionReviews, nothing shed)`,
    );
  }
  const cache = xs['admission']['cache'];
  if (!isRecord(cache) || !isRecord(cache['c16'])) return t.fail('no cache figures');
  t.ok((cache['c16']['hits'] as number) + (cache['c16']['misses'] as number) > 0, 'cache use reported');
  const gc = xs['admission']['gc'];
  if (!isRecord(gc) || !isRecord(gc['c1']) || !isRecord(gc['c16']) || !Array.isArray(gc['c16_rounds']))
    return t.fail('no GC figures');
  t.equal(gc['c16_rounds'].length, 1, 'one GC figure per round of ours (0.5 s: one round)');
  // About a thousand reviews allocate far more than V8's young generation holds.
  t.ok(
    (gc['c1']['young'] as number) + (gc['c16']['young'] as number) > 0,
    'young collections read from /metrics',
  );
  t.match(stdout, /XS\s+admission c16 ours full GCs, each round\s+\d/);
});
