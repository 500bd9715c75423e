import t from 'tap';
import type { LabelSelector } from '../../src/model/records.js';
import { formatSelector, matchSelector, selectorKey } from '../../src/semantics/selectors.js';

const sel = (s: Partial<LabelSelector>): LabelSelector => ({ matchLabels: {}, matchExpressions: [], ...s });

t.test('empty selector selects everything', async (t) => {
  t.ok(matchSelector(sel({}), {}));
  t.ok(matchSelector(sel({}), { app: 'x' }));
});

t.test('NotIn matches when the key is absent (the common wrong way returns false)', async (t) => {
  const s = sel({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] });
  t.ok(matchSelector(s, {}), 'missing key matches');
  t.ok(matchSelector(s, { env: 'dev' }));
  t.notOk(matchSelector(s, { env: 'prod' }));
});

t.test('In, Exists, DoesNotExist', async (t) => {
  const inSel = sel({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] });
  t.ok(matchSelector(inSel, { tier: 'api' }));
  t.notOk(matchSelector(inSel, {}), 'In needs the key');
  t.notOk(matchSelector(inSel, { tier: 'db' }));
  const exists = sel({ matchExpressions: [{ key: 'tier', operator: 'Exists', values: [] }] });
  t.ok(matchSelector(exists, { tier: '' }), 'an empty value still exists');
  t.notOk(matchSelector(exists, {}));
  const dne = sel({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist', values: [] }] });
  t.ok(matchSelector(dne, {}));
  t.notOk(matchSelector(dne, { tier: 'x' }));
});

t.test('matchLabels and matchExpressions are ANDed', async (t) => {
  const s = sel({
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }],
  });
  t.ok(matchSelector(s, { app: 'web', env: 'prod' }));
  t.notOk(matchSelector(s, { app: 'web' }));
  t.notOk(matchSelector(s, { env: 'prod' }));
  t.notOk(matchSelector(sel({ matchLabels: { toString: 'x' } }), {}), 'no prototype keys');
  t.equal(formatSelector(s), 'app=web,env in (prod)');
});

t.test(
  'selectorKey: equal whatever the order of matchLabels, different when selecting differently',
  async (t) => {
    const a = sel({ matchLabels: { app: 'x', tier: 'web' } });
    t.equal(selectorKey(a), selectorKey(sel({ matchLabels: { tier: 'web', app: 'x' } })));
    t.not(selectorKey(a), selectorKey(sel({ matchLabels: { app: 'x', tier: 'db' } })));
    t.not(selectorKey(a), selectorKey(sel({ matchLabels: { app: 'x' } })));
    const inWeb = sel({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] });
    const notInWeb = sel({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] });
    t.not(selectorKey(inWeb), selectorKey(notInWeb), 'the operator counts');
    t.not(selectorKey(inWeb), selectorKey(sel({})), 'expressions count');
    t.not(selectorKey(sel({ matchLabels: { 'a,b': 'c' } })), selectorKey(sel({ matchLabels: { a: 'b,c' } })));
  },
);

t.test('a selector matched once reads and copies as before (its compiled form is not seen)', async (t) => {
  const s = sel({
    matchLabels: { app: 'web' },
    matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }],
  });
  const before = { json: JSON.stringify(s), keys: Reflect.ownKeys(s).filter((k) => typeof k === 'string') };
  t.ok(matchSelector(s, { app: 'web', env: 'prod' }));
  t.equal(JSON.stringify(s), before.json, 'JSON unchanged');
  t.same(Object.keys(s), before.keys, 'no enumerable key added');
  t.same({ ...s }, JSON.parse(before.json), 'a spread copies the selector only');
  t.notOk(matchSelector(s, { app: 'web', env: 'dev' }), 'the kept form still decides');
  t.notOk(matchSelector({ ...s, matchLabels: { app: 'db' } }, { app: 'web', env: 'prod' }), 'a copy changed');
});

t.test('a frozen selector is matched as any other', async (t) => {
  const s = Object.freeze(sel({ matchLabels: { app: 'web' } }));
  t.ok(matchSelector(s, { app: 'web' }));
  t.notOk(matchSelector(s, { app: 'db' }));
  t.ok(matchSelector(s, { app: 'web', x: 'y' }), 'twice');
});
