/**
 * Checks over policies of thousands of rules and peers: a repeated peer or
 * rule is worked out once but still reported at each of its places, and every
 * check whose loop grows with the policy polls the interrupt.
 */
import t from 'tap';
import type { CheckContext } from '../../src/checks/context.js';
import { buildCheckContext, prepareCheckState } from '../../src/checks/context.js';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { CHECKS } from '../../src/checks/registry.js';
import type { PolicyChange, RuleId } from '../../src/model/findings.js';
import { parseNetworkPolicy } from '../../src/parse/network-policy.js';
import { AnalysisInterruptedError } from '../../src/semantics/interrupt.js';
import { loadFixtureSnapshot, networkPolicy, type PolicySpec } from '../support/webhook.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function createOf(spec: PolicySpec, name = 'big'): PolicyChange {
  const parsed = parseNetworkPolicy(networkPolicy('shop', name, spec));
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed)}`);
  return { operation: 'CREATE', namespace: 'shop', name, object: parsed.policy, oldObject: null };
}

const TYPO = { podSelector: { matchLabels: { app: 'frontnd' } } };
/** Pods labelled app=cart in namespaces labelled team=payments: none, but each alone selects pods. */
const AND_TRAP = {
  namespaceSelector: { matchLabels: { team: 'payments' } },
  podSelector: { matchLabels: { app: 'cart' } },
};

t.test('a repeated peer or named port is reported at each of its places', async (t) => {
  const config = defaultConfig();
  const state = prepareCheckState(loadFixtureSnapshot(), config);
  const decision = decideChange(
    state,
    createOf({
      podSelector: { matchLabels: { app: 'cart' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [TYPO, AND_TRAP, TYPO], ports: [{ port: 'metrics' }] },
        { from: [AND_TRAP, TYPO], ports: [{ port: 'metrics' }, { port: 8080 }] },
      ],
    }),
    config,
  );
  const of = (rule: RuleId): string[] =>
    decision.findings.filter((f) => f.rule === rule).map((f) => f.message);
  t.same(of('peer-matches-nothing'), [
    'shop/big ingress[0].from[0] podSelector app=frontnd selects no pod in namespace shop; did you mean app=frontend?',
    'shop/big ingress[0].from[2] podSelector app=frontnd selects no pod in namespace shop; did you mean app=frontend?',
    'shop/big ingress[1].from[1] podSelector app=frontnd selects no pod in namespace shop; did you mean app=frontend?',
  ]);
  t.same(
    of('peer-and-trap').map((m) => m.split(' ')[1]),
    ['ingress[0].from[1]', 'ingress[1].from[0]'],
    'the AND trap at both places',
  );
  t.same(
    of('named-port-unresolved').map((m) => m.split(':')[0]),
    ['shop/big ingress[0].ports[0]', 'shop/big ingress[1].ports[0]'],
    'the unresolved named port in both rules',
  );
});

t.test('a rule reports at most 20 places; the rest are counted in one finding', async (t) => {
  // Without a bound, a 3 MiB policy repeating a typo 27,000 times keeps 27,000 findings in each
  // cached decision and a denial message megabytes long.
  const config = {
    ...defaultConfig(),
    rules: { ...defaultConfig().rules, 'peer-matches-nothing': 'deny' as const },
  };
  const state = prepareCheckState(loadFixtureSnapshot(), config);
  const decision = decideChange(
    state,
    createOf({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: range(500).map(() => ({ from: [TYPO] })),
    }),
    config,
  );
  const typos = decision.findings.filter((f) => f.rule === 'peer-matches-nothing');
  t.equal(typos.length, 20);
  t.match(typos[0]?.message, /ingress\[0\]\.from\[0\] podSelector app=frontnd/);
  t.equal(typos[19]?.message, 'peer-matches-nothing: 481 more places with the same kind of problem');
  t.equal(typos[19]?.severity, 'deny');
  t.ok(
    (decision.denyMessage ?? '').length < 1500,
    `deny message of ${decision.denyMessage?.length} characters`,
  );
  t.match(decision.denyMessage, /\(\+\d+ more\)/);
});

t.test('a policy repeating one rule 20,000 times is decided like one with the rule once', async (t) => {
  const config = defaultConfig();
  const state = prepareCheckState(loadFixtureSnapshot(), config);
  const rule = { from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 7070 }] };
  const once = decideChange(state, createOf({ podSelector: {}, ingress: [rule] }), config);
  const many = decideChange(
    state,
    createOf({ podSelector: {}, ingress: range(20_000).map(() => rule) }),
    config,
  );
  t.same(
    many.findings.map((f) => [f.rule, f.message]),
    once.findings.map((f) => [f.rule, f.message]),
  );
});

t.test('every check whose work grows with the policy polls the interrupt', async (t) => {
  const config = defaultConfig();
  const state = prepareCheckState(loadFixtureSnapshot(), config);
  const change = createOf({
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
    ingress: range(300).map((i) => ({
      from: [{ podSelector: { matchLabels: { app: `caller-${i}` } } }, AND_TRAP],
      ports: [{ port: `p${i}` }],
    })),
    egress: range(300).map((i) => ({
      to: [{ ipBlock: { cidr: `10.${i >> 8}.${i & 255}.0/24`, except: [`10.${i >> 8}.${i & 255}.128/25`] } }],
    })),
  });
  let armed = false;
  const ctx: CheckContext = buildCheckContext(state, change, { interrupt: () => armed });
  t.ok(ctx.impact.length > 0, 'the impact is computed before the interrupt is armed');
  const polled: Partial<Record<RuleId, string>> = {};
  for (const check of CHECKS) {
    armed = true;
    try {
      check.run(ctx);
    } catch (error) {
      if (!(error instanceof AnalysisInterruptedError)) throw error;
      polled[check.id] = error.stage;
    }
    armed = false;
  }
  for (const id of [
    'peer-matches-nothing',
    'peer-and-trap',
    'named-port-unresolved',
    'ipblock-service-ip',
    'connectivity-lost',
  ] as const) {
    t.equal(polled[id], id, `${id} polls`);
  }
});
