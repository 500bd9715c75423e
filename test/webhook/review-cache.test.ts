/** The bounded LRU of decisions and its key. */
import t from 'tap';
import type { PolicyRecord } from '../../src/model/records.js';
import { computeReviewCacheKey, escalationIdentity, ReviewCache } from '../../src/webhook/review-cache.js';

t.test('evicts the least recently used entry beyond its capacity', async (t) => {
  const cache = new ReviewCache<number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  t.equal(cache.get('a'), 1, 'a is now the most recent');
  cache.set('c', 3);
  t.equal(cache.size, 2);
  t.equal(cache.get('b'), undefined, 'b was evicted');
  t.equal(cache.get('a'), 1);
  t.equal(cache.get('c'), 3);
  cache.set('a', 10);
  t.equal(cache.get('a'), 10, 'set replaces');
  t.equal(cache.size, 2);
});

t.test('capacity 0 caches nothing; a bad capacity is an error', async (t) => {
  const none = new ReviewCache<number>(0);
  none.set('a', 1);
  t.equal(none.get('a'), undefined);
  t.throws(() => new ReviewCache<number>(-1), RangeError);
  t.throws(() => new ReviewCache<number>(1.5), RangeError);
});

t.test('the key depends on every part, and not on the order of label maps', async (t) => {
  const selector = (matchLabels: Record<string, string>) => ({ matchLabels, matchExpressions: [] });
  const rule = (matchLabels: Record<string, string>) => ({
    peers: [{ kind: 'selector' as const, namespaceSelector: selector(matchLabels), podSelector: null }],
    ports: [],
  });
  const record: PolicyRecord = {
    namespace: 'shop',
    name: 'p',
    podSelector: selector({ a: '1', b: '2' }),
    policyTypes: null,
    ingress: [rule({ team: 'x', env: 'prod' })],
    egress: [],
    annotations: { 'z.io/x': '1', 'a.io/y': '2' },
  };
  // As the parser would write the same policy sent with its maps in another order.
  const reordered: PolicyRecord = {
    ...record,
    podSelector: selector({ b: '2', a: '1' }),
    ingress: [rule({ env: 'prod', team: 'x' })],
    annotations: { 'a.io/y': '2', 'z.io/x': '1' },
  };
  const base = {
    operation: 'CREATE' as const,
    object: record,
    oldObject: null,
    escalation: '',
    stateVersion: '1.0',
  };
  const key = computeReviewCacheKey(base);
  t.equal(computeReviewCacheKey({ ...base, object: reordered }), key);
  t.equal(computeReviewCacheKey({ ...base, object: reordered, oldObject: null }), key);
  t.not(computeReviewCacheKey({ ...base, operation: 'UPDATE' }), key);
  t.not(computeReviewCacheKey({ ...base, oldObject: record }), key);
  t.not(computeReviewCacheKey({ ...base, escalation: '0' }), key);
  t.not(computeReviewCacheKey({ ...base, stateVersion: '2.0' }), key);
  t.not(computeReviewCacheKey({ ...base, object: { ...record, name: 'q' } }), key);
  t.not(computeReviewCacheKey({ ...base, object: { ...record, ingress: [rule({ team: 'x' })] } }), key);
  t.not(computeReviewCacheKey({ ...base, object: { ...record, annotations: {} } }), key);
  t.not(
    computeReviewCacheKey({ ...base, object: reordered, oldObject: record }),
    computeReviewCacheKey({ ...base, object: reordered, oldObject: null }),
  );
});

t.test('a key is short whatever the size of the policies, and still tells records apart', async (t) => {
  // The cache keeps a key per entry, and every CREATE adds an entry: with keys as long as the
  // policies' JSON, the M review stream left 192 bytes per review in the old generation; 100 with
  // digests.
  const record = (value: string): PolicyRecord => ({
    namespace: 'shop',
    name: 'p',
    podSelector: { matchLabels: {}, matchExpressions: [] },
    policyTypes: null,
    ingress: [],
    egress: [],
    annotations: { note: value },
  });
  const base = { operation: 'UPDATE' as const, escalation: '', stateVersion: '1' };
  for (const size of [1, 1000, 100_000]) {
    const text = 'x'.repeat(size);
    const key = computeReviewCacheKey({ ...base, object: record(text), oldObject: record('') });
    t.ok(
      key.length <= 160,
      `a record with a ${size}-character annotation: a key of ${key.length} characters`,
    );
    t.equal(
      computeReviewCacheKey({ ...base, object: record(text), oldObject: record('') }),
      key,
      'equal records, equal keys',
    );
    t.not(computeReviewCacheKey({ ...base, object: record(`${text}y`), oldObject: record('') }), key);
    t.not(
      computeReviewCacheKey({ ...base, object: record(''), oldObject: record(text) }),
      key,
      'the sides count',
    );
  }
});

t.test('escalationIdentity lists the escalation entries that apply to the requester', async (t) => {
  const rules = [
    { users: ['flux'], groups: [], rules: ['peer-matches-nothing' as const] },
    { users: [], groups: ['gitops'], rules: ['peer-and-trap' as const] },
  ];
  t.equal(escalationIdentity(rules, { username: 'alice', groups: [] }), '');
  t.equal(escalationIdentity(rules, { username: 'flux', groups: [] }), '0');
  t.equal(escalationIdentity(rules, { username: 'flux', groups: ['gitops'] }), '0,1');
});
