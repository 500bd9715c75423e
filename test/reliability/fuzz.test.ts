/**
 * Hostile and malformed input (fast-check, fixed seed, bounded count), from one generator
 * (test/support/hostile-input.ts): generated NetworkPolicies and other objects, mutated at any
 * depth (wrong types, extreme numbers, numbers as strings, invalid CIDRs, unknown protocols, very
 * long and odd unicode strings, deep nesting, nulls, missing fields), then as text (truncated,
 * duplicate keys, garbage, BOM), plus pathological texts.
 *
 * - POST /validate: each body is answered promptly with a 4xx JSON error or a well-formed
 *   AdmissionReview echoing the request's uid, never a 5xx and never a failed analysis;
 *   afterwards the same app still gives valid requests the right verdict.
 * - The manifest loader: parseManifestTexts returns a snapshot or throws a typed manifest error
 *   with a message, and `netpol-preflight connectivity FILE` exits 0 or 2 with a clear message,
 *   never 3 with a stack trace.
 *
 * FUZZ_SEED and FUZZ_RUNS override the seed and the count (`make soak` runs 20,000).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import t, { type Test } from 'tap';
import { pino } from 'pino';
import { stringify as toYaml } from 'yaml';
import type { WebhookApp } from '../../src/app.js';
import { isInputError } from '../../src/cli/input-errors.js';
import { runCli } from '../../src/cli/run.js';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import {
  applyMutations,
  applyTextMutation,
  hostileValue,
  mutation,
  networkPolicy,
  otherObject,
  PATHOLOGICAL_TEXTS,
  pathologicalText,
  stringifyWithDuplicateKey,
  textMutation,
  type Json,
  type JsonObject,
} from '../support/hostile-input.js';
import { checkAnswer, type Answer } from '../support/answers.js';
import { buildTestApp, DENY_ALL_EGRESS, FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

const SEED = Number(process.env['FUZZ_SEED'] ?? 20_251_121);

// --- POST /validate ----------------------------------------------------------------------------
const REVIEW_RUNS = Number(process.env['FUZZ_RUNS'] ?? 1000);
/** No single answer may take longer than this (the deadline is 8 s; the fixture cluster is small). */
const ANSWER_TIMEOUT_MS = 10_000;

const KIND = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
const RESOURCE = { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' };

/** A well-formed AdmissionReview of a generated policy (itself valid or not). */
const review: fc.Arbitrary<JsonObject> = fc
  .record({
    uid: fc.uuid(),
    operation: fc.constantFrom(
      'CREATE',
      'CREATE',
      'CREATE',
      'UPDATE',
      'UPDATE',
      'DELETE',
      'DELETE',
      'CONNECT',
    ),
    object: networkPolicy,
    oldObject: fc.oneof(networkPolicy, networkPolicy, networkPolicy, fc.constant(null)),
    other: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, otherObject),
    dryRun: fc.boolean(),
    username: fc.constantFrom('alice', 'system:serviceaccount:flux-system:kustomize-controller', ''),
    groups: fc.array(fc.constantFrom('system:authenticated', 'gitops'), { maxLength: 2 }),
    subResource: fc.constantFrom(undefined, undefined, undefined, undefined, '', 'status'),
  })
  .map((r) => {
    const object = r.other ?? r.object;
    const metadata = (object['metadata'] ?? {}) as JsonObject;
    const kind =
      r.other === null
        ? KIND
        : { group: '', version: 'v1', kind: typeof object['kind'] === 'string' ? object['kind'] : 'Widget' };
    return {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: r.uid,
        kind,
        resource: RESOURCE,
        requestKind: kind,
        ...(r.subResource === undefined ? {} : { subResource: r.subResource }),
        name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
        namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : 'shop',
        operation: r.operation,
        userInfo: { username: r.username, uid: 'u-1', groups: r.groups, extra: { 'x/y': ['z'] } },
        object: r.operation === 'DELETE' ? null : object,
        oldObject: r.operation === 'CREATE' ? null : (r.oldObject ?? object),
        dryRun: r.dryRun,
        options: null,
      },
    };
  });

interface Sent {
  readonly text: string;
  readonly contentType: string | null;
}

const json = (value: Json): Sent => ({ text: JSON.stringify(value), contentType: 'application/json' });

/** Every kind of body, weighted toward those that get past the envelope check. */
const body: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 3, arbitrary: review.map(json) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(review, fc.array(mutation, { minLength: 1, maxLength: 3 }))
      .map(([r, ms]) => json(applyMutations(r, ms))),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(review, fc.nat(), hostileValue, fc.boolean()).map(([r, at, extra, first]) => ({
      text: stringifyWithDuplicateKey(r, at, extra, first),
      contentType: 'application/json',
    })),
  },
  {
    weight: 2,
    arbitrary: fc.tuple(review, fc.array(textMutation, { minLength: 1, maxLength: 2 })).map(([r, ms]) => ({
      text: ms.reduce(applyTextMutation, JSON.stringify(r)),
      contentType: 'application/json',
    })),
  },
  { weight: 1, arbitrary: pathologicalText.map((text) => ({ text, contentType: 'application/json' })) },
  { weight: 1, arbitrary: hostileValue.map(json) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        review,
        fc.constantFrom(
          null,
          'text/plain',
          'application/yaml',
          'application/json; charset=latin1',
          'APPLICATION/JSON',
          'application/jsonx',
        ),
      )
      .map(([r, contentType]) => ({ text: JSON.stringify(r), contentType })),
  },
);

async function send(app: WebhookApp, sent: Sent): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)),
      ANSWER_TIMEOUT_MS,
    );
  });
  try {
    const res = await Promise.race([
      app.inject({
        method: 'POST',
        url: '/validate',
        payload: sent.text,
        headers: sent.contentType === null ? {} : { 'content-type': sent.contentType },
      }),
      hang,
    ]);
    return {
      statusCode: res.statusCode,
      contentType: String(res.headers['content-type'] ?? ''),
      body: res.body,
    };
  } finally {
    clearTimeout(timer);
  }
}

t.test(`${REVIEW_RUNS} hostile bodies to /validate (seed ${SEED})`, async (t) => {
  // A clock the test moves: deadlines never fire by accident (the clock stands still during a
  // review), and the changes the fuzz admitted expire from the read-your-writes overlay.
  let clock = 0;
  // The log lines are read for the decision of each review (skipReason included).
  const decisions = new Map<string, number>();
  const sink = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        const m = /"decision":"([a-z-]+)"(?:,"skipReason":"([a-z-]+)")?/.exec(line);
        if (m)
          decisions.set(
            `${m[1]}${m[2] ? `:${m[2]}` : ''}`,
            (decisions.get(`${m[1]}${m[2] ? `:${m[2]}` : ''}`) ?? 0) + 1,
          );
      }
      done();
    },
  });
  const app = buildTestApp({
    now: () => clock,
    loggerInstance: pino({ level: 'debug' }, sink),
    loadShedding: false,
  });
  t.teardown(() => app.close());
  const statuses = new Map<number, number>();
  const verdicts = new Map<string, number>();
  let problems = 0;

  const run = await fc.check(
    fc.asyncProperty(body, async (sent) => {
      // a second between reviews: admitted changes leave the overlay after 60 of them
      clock += 1000;
      const answer = await send(app, sent);
      statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
      const problem = checkAnswer(sent.text, answer);
      if (problem !== null) {
        problems++;
        throw new Error(problem);
      }
      if (answer.statusCode === 200) {
        const verdict = classify(answer.body);
        verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
        if (verdict === 'failed') throw new Error(`the analysis failed: ${answer.body.slice(0, 300)}`);
      }
    }),
    { seed: SEED, numRuns: REVIEW_RUNS, endOnFailure: true },
  );
  if (run.failed) reportCounterexample(t, run.counterexample?.[0] ?? null, run.errorInstance);
  t.equal(problems, 0, 'every body was answered with a 4xx JSON error or an AdmissionReview echoing its uid');
  const summary = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}x${n}`)
    .join(' ');
  t.ok((statuses.get(200) ?? 0) > REVIEW_RUNS / 5, `a good share reached the analysis (${summary})`);
  t.ok((statuses.get(400) ?? 0) > 0, 'and some were refused at the edge');
  t.comment(`decisions: ${[...decisions].map(([d, n]) => `${d}x${n}`).join(' ')}`);
  const tally = [...verdicts].map(([v, n]) => `${v}x${n}`).join(' ');
  t.equal(verdicts.get('failed') ?? 0, 0, `no analysis failed (${tally})`);
  for (const verdict of ['allowed', 'warned', 'denied', 'invalid']) {
    t.ok((verdicts.get(verdict) ?? 0) > 0, `some reviews were ${verdict}`);
  }

  // Afterwards, with the admitted changes expired, valid requests get the right verdict.
  clock += 10 * 60_000;
  const health = await app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200, 'still alive');
  const fresh = buildTestApp({ loadShedding: false });
  t.teardown(() => fresh.close());
  for (const [label, r] of [
    [
      'deny-all egress in blog',
      policyReview('CREATE', 'blog', 'lockdown', { after: DENY_ALL_EGRESS }, { uid: 'after-1' }),
    ],
    [
      'frontend to cart in shop',
      policyReview('CREATE', 'shop', 'f2c', { after: FRONTEND_TO_CART }, { uid: 'after-2' }),
    ],
  ] as const) {
    const [got, expected] = await Promise.all(
      [app, fresh].map((a) => a.inject({ method: 'POST', url: '/validate', payload: r })),
    );
    t.equal(got?.statusCode, 200, label);
    t.same(got?.json(), expected?.json(), `${label}: the same answer as a fresh webhook`);
  }
  const denied = (
    await app.inject({
      method: 'POST',
      url: '/validate',
      payload: policyReview('CREATE', 'blog', 'lockdown', { after: DENY_ALL_EGRESS }),
    })
  ).json() as {
    response: { allowed: boolean; status?: { message: string } };
  };
  t.equal(denied.response.allowed, false, 'deny-all egress without DNS is still denied');
  t.match(denied.response.status?.message, /dns-egress-blocked/);
});

/** Fails with a short message; FUZZ_DUMP=FILE writes the whole failing body there. */
function reportCounterexample(t: Test, sent: Sent | null, error: unknown): void {
  const dump = process.env['FUZZ_DUMP'];
  if (dump !== undefined && sent !== null) writeFileSync(dump, sent.text);
  const message =
    error instanceof Error
      ? (error.stack ?? error.message).split('\n').slice(0, 6).join(' | ')
      : String(error);
  t.fail(`${message.slice(0, 500)}; body (${sent?.contentType ?? '?'}): ${sent?.text.slice(0, 500) ?? '?'}`);
}

/** allowed, warned, denied, invalid (the object fails API validation), failed (per failureMode). */
function classify(text: string): string {
  const { response } = JSON.parse(text) as {
    response: { allowed: boolean; warnings?: string[]; status?: { code: number; message: string } };
  };
  if (response.warnings?.some((w) => w.includes('allowed unchecked'))) return 'failed';
  if (response.allowed) return (response.warnings ?? []).length > 0 ? 'warned' : 'allowed';
  if (response.status?.code !== 403) return 'failed';
  return / is invalid: /.test(response.status.message) ? 'invalid' : 'denied';
}

// --- the manifest loader ------------------------------------------------------------------------
const MANIFEST_RUNS = Math.round(Number(process.env['FUZZ_RUNS'] ?? 1000) * 0.3);
/** The CLI runs write a file each: fewer of them. */
const CLI_RUNS = Math.max(50, Math.round(MANIFEST_RUNS / 10));

type Format = 'yaml' | 'json-list' | 'json-object';

interface Manifest {
  readonly text: string;
  readonly format: Format;
}

function render(objects: readonly Json[], format: Format): string {
  switch (format) {
    case 'yaml':
      // the yaml package writes recursively: a value nested 2000 deep is written as JSON (also YAML)
      return objects.map((o) => yamlOrJson(o)).join('---\n');
    case 'json-list':
      return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 1);
    case 'json-object':
      return JSON.stringify(objects[0] ?? {});
  }
}

function yamlOrJson(value: Json): string {
  try {
    return toYaml(value, { lineWidth: 0 });
  } catch {
    return `${JSON.stringify(value)}\n`;
  }
}

const manifest: fc.Arbitrary<Manifest> = fc
  .record({
    objects: fc.array(fc.oneof(networkPolicy, otherObject, otherObject), { maxLength: 6 }),
    mutations: fc.array(mutation, { maxLength: 2 }),
    texts: fc.array(textMutation, { maxLength: 2 }),
    format: fc.constantFrom<Format>('yaml', 'yaml', 'json-list', 'json-object'),
  })
  .map(({ objects, mutations, texts, format }) => {
    const mutated = applyMutations(objects, mutations);
    const list = Array.isArray(mutated) ? mutated : [mutated];
    return { text: texts.reduce(applyTextMutation, render(list, format)), format };
  });

/** Null when `error` is an acceptable answer to bad input; else what is wrong with it. */
function checkManifestError(error: unknown): string | null {
  if (!isInputError(error)) {
    return `not a typed input error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  }
  if (error.message.trim() === '') return 'an input error without a message';
  return null;
}

function failManifest(t: Test, run: fc.RunDetails<[Manifest]>): void {
  const text = run.counterexample?.[0].text ?? '?';
  const error = run.errorInstance instanceof Error ? run.errorInstance.message : String(run.errorInstance);
  t.fail(`${error.slice(0, 800)}; manifest: ${JSON.stringify(text.slice(0, 500))}`);
}

t.test(`${MANIFEST_RUNS} hostile manifests to parseManifestTexts (seed ${SEED})`, async (t) => {
  let loaded = 0;
  let refused = 0;
  let slowest = { ms: 0, text: '' };
  const run = fc.check(
    fc.property(manifest, ({ text, format }) => {
      const started = performance.now();
      try {
        const parsed = parseManifestTexts([{ source: `fuzz.${format === 'yaml' ? 'yaml' : 'json'}`, text }]);
        if (!Array.isArray(parsed.snapshot.pods) || !Array.isArray(parsed.snapshot.policies)) {
          throw new Error('a snapshot without pods or policies');
        }
        loaded++;
      } catch (error) {
        const problem = checkManifestError(error);
        if (problem !== null) throw new Error(problem);
        refused++;
      } finally {
        const ms = performance.now() - started;
        if (ms > slowest.ms) slowest = { ms, text };
      }
    }),
    { seed: SEED, numRuns: MANIFEST_RUNS, endOnFailure: true },
  );
  if (run.failed) failManifest(t, run);
  t.comment(
    `slowest: ${slowest.ms.toFixed(0)} ms, ${slowest.text.length} chars: ${JSON.stringify(slowest.text.slice(0, 300))}`,
  );
  t.ok(loaded > MANIFEST_RUNS / 10, `some manifests loaded (${loaded})`);
  t.ok(refused > MANIFEST_RUNS / 10, `some were refused with a typed error (${refused})`);
});

t.test('pathological texts, each once: a snapshot or a typed error, within 5 s', async (t) => {
  for (const text of PATHOLOGICAL_TEXTS) {
    const label = `${JSON.stringify(text.slice(0, 30))} (${text.length} chars)`;
    const started = performance.now();
    try {
      parseManifestTexts([{ source: 'pathological.yaml', text }]);
      t.pass(`${label}: loaded`);
    } catch (error) {
      t.equal(
        checkManifestError(error),
        null,
        `${label}: ${error instanceof Error ? error.message.slice(0, 120) : ''}`,
      );
    }
    t.ok(performance.now() - started < 5000, `${label}: within 5 s`);
  }
});

t.test(`${CLI_RUNS} hostile manifests to \`connectivity FILE\` (seed ${SEED})`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'netpol-fuzz-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const codes = new Map<number, number>();
  let n = 0;
  const run = await fc.check(
    fc.asyncProperty(manifest, async ({ text, format }) => {
      const file = join(dir, `m${n++}.${format === 'yaml' ? 'yaml' : 'json'}`);
      writeFileSync(file, text);
      let stdout = '';
      let stderr = '';
      const code = await runCli(['connectivity', file], {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        isTTY: false,
      });
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (code !== 0 && code !== 2) throw new Error(`exit ${code}: ${stderr.slice(0, 600)}`);
      if (/\n\s+at /.test(stderr) || stderr.includes('internal error')) {
        throw new Error(`a stack trace: ${stderr.slice(0, 600)}`);
      }
      if (code === 2 && !stderr.startsWith('error: ')) throw new Error(`exit 2 without a message: ${stderr}`);
      if (code === 0 && stderr !== '') throw new Error(`exit 0 with ${stderr}`);
      void stdout;
    }),
    { seed: SEED, numRuns: CLI_RUNS, endOnFailure: true },
  );
  if (run.failed) failManifest(t, run);
  t.ok((codes.get(0) ?? 0) > 0 && (codes.get(2) ?? 0) > 0, `both outcomes seen (${[...codes].join(' ')})`);
});
