/**
 * The engine polls the caller's interrupt inside every loop that grows with
 * the size of one policy: compiling it (rules, peers, excepts, port entries)
 * and building the side summaries of a model derived with it (rules, peers).
 * A model or compile without an interrupt never polls.
 */
import t from 'tap';
import type { PolicyRecord } from '../../src/model/records.js';
import { parseNetworkPolicy } from '../../src/parse/network-policy.js';
import { compilePolicy } from '../../src/semantics/compile.js';
import { prepareState } from '../../src/semantics/impact.js';
import type { Interrupt } from '../../src/semantics/interrupt.js';
import { AnalysisInterruptedError, NEVER_INTERRUPT, pollEvery } from '../../src/semantics/interrupt.js';
import { derivePolicyModel } from '../../src/semantics/policy-model.js';
import { loadFixtureSnapshot, networkPolicy, type PolicySpec } from '../support/webhook.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function policyOf(spec: PolicySpec, name = 'big'): PolicyRecord {
  const parsed = parseNetworkPolicy(networkPolicy('shop', name, spec));
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed)}`);
  return parsed.policy;
}

/** Counts its polls; says stop from the `stopAt`-th on. */
function countingInterrupt(stopAt = Infinity): Interrupt & { polls: number } {
  const f = Object.assign(() => ++f.polls >= stopAt, { polls: 0 });
  return f;
}

function stageOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (error) {
    if (error instanceof AnalysisInterruptedError) return error.stage;
    throw error;
  }
}

t.test('pollEvery polls on the first call and every n-th after; NEVER_INTERRUPT costs nothing', async (t) => {
  const interrupt = countingInterrupt();
  const poll = pollEvery(interrupt, 'loop', 4);
  for (let i = 0; i < 9; i++) poll();
  t.equal(interrupt.polls, 3, 'calls 1, 5 and 9');
  t.equal(
    stageOf(() => pollEvery(() => true, 'loop', 4)()),
    'loop',
    'throws AnalysisInterruptedError with the stage',
  );
  t.equal(pollEvery(NEVER_INTERRUPT, 'a'), pollEvery(NEVER_INTERRUPT, 'b'), 'one shared no-op');
});

const MANY_RULES: PolicySpec = {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: range(2000).map((i) => ({
    from: [{ podSelector: { matchLabels: { app: i % 2 === 0 ? 'cart' : `caller-${i}` } } }],
    ports: [{ protocol: 'TCP', port: 1 + i }],
  })),
};

t.test('compiling a policy polls per rule, peer, except and port entry', async (t) => {
  const rules = policyOf(MANY_RULES);
  const counted = countingInterrupt();
  const compiled = compilePolicy(rules, { interrupt: counted });
  t.ok(counted.polls >= (2000 * 3) / 64, `${counted.polls} polls for 2000 rules of one peer and one port`);
  t.same(compiled, compilePolicy(rules), 'the same result as without an interrupt');
  t.equal(
    stageOf(() => compilePolicy(rules, { interrupt: countingInterrupt(50) })),
    'compile',
  );

  const excepts = policyOf({
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            ipBlock: {
              cidr: '10.0.0.0/8',
              except: range(4000).map((i) => `10.${i >> 4}.${(i & 15) * 16}.0/20`),
            },
          },
        ],
      },
    ],
  });
  const inExcepts = countingInterrupt();
  compilePolicy(excepts, { interrupt: inExcepts });
  t.ok(inExcepts.polls >= 4000 / 64, `${inExcepts.polls} polls for one ipBlock with 4000 excepts`);
});

t.test('a derived model polls while it builds the summaries the policy changes', async (t) => {
  const prepared = prepareState(loadFixtureSnapshot());
  const added = compilePolicy(policyOf(MANY_RULES));
  const classes = prepared.index.classesByNamespace.get('shop') ?? [];
  const frontend = classes.find((c) => c.labels['app'] === 'frontend');
  const blog = (prepared.index.classesByNamespace.get('blog') ?? [])[0];
  t.ok(frontend && blog, 'fixture classes');

  const counted = countingInterrupt();
  const model = derivePolicyModel(prepared.model, null, added, { interrupt: counted });
  const summary = model.summary(frontend!, 'ingress');
  t.ok(counted.polls >= 2000 / 64, `${counted.polls} polls for a summary over 2000 rules`);
  t.same(
    summary.specific,
    derivePolicyModel(prepared.model, null, added).summary(frontend!, 'ingress').specific,
    'the same summary as without an interrupt',
  );

  const stopping = derivePolicyModel(prepared.model, null, added, { interrupt: () => true });
  t.equal(
    stageOf(() => stopping.summary(frontend!, 'ingress')),
    'policy model',
  );
  t.equal(
    stageOf(() => stopping.summary(blog!, 'ingress')),
    null,
    'a class the change does not select keeps the base summary: nothing to build, no poll',
  );
});
