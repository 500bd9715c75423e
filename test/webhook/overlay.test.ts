/** The read-your-writes overlay, as pure functions. */
import t from 'tap';
import type { PolicyChange } from '../../src/model/findings.js';
import type { ClusterSnapshot, PolicyRecord } from '../../src/model/records.js';
import {
  applyOverlay,
  EMPTY_OVERLAY,
  haveSameSpec,
  isChangeVisible,
  pruneOverlay,
  recordAdmittedChange,
} from '../../src/webhook/overlay.js';

function policy(
  namespace: string,
  name: string,
  app: string,
  annotations: Record<string, string> = {},
): PolicyRecord {
  return {
    namespace,
    name,
    podSelector: { matchLabels: { app }, matchExpressions: [] },
    policyTypes: ['ingress'],
    ingress: [],
    egress: [],
    annotations,
  };
}

const empty: ClusterSnapshot = { namespaces: [], pods: [], workloads: [], policies: [], services: [] };
const withA: ClusterSnapshot = { ...empty, policies: [policy('shop', 'a', 'web')] };

const createB: PolicyChange = {
  operation: 'CREATE',
  namespace: 'shop',
  name: 'b',
  object: policy('shop', 'b', 'db'),
  oldObject: null,
};
const updateA: PolicyChange = {
  operation: 'UPDATE',
  namespace: 'shop',
  name: 'a',
  object: policy('shop', 'a', 'api'),
  oldObject: policy('shop', 'a', 'web'),
};
const deleteA: PolicyChange = {
  operation: 'DELETE',
  namespace: 'shop',
  name: 'a',
  object: null,
  oldObject: policy('shop', 'a', 'web'),
};

t.test(
  'recording bumps the generation; a later change of the same policy replaces the earlier one',
  async (t) => {
    const one = recordAdmittedChange(EMPTY_OVERLAY, updateA, 10);
    t.equal(one.generation, 1);
    t.equal(EMPTY_OVERLAY.entries.size, 0, 'the input is not mutated');
    const two = recordAdmittedChange(one, deleteA, 20);
    t.equal(two.generation, 2);
    t.equal(two.entries.size, 1);
    t.equal(two.entries.get('shop/a')?.change.operation, 'DELETE');
    t.equal(two.entries.get('shop/a')?.admittedAt, 20);
  },
);

t.test('applyOverlay applies creates, updates and deletes on top of the snapshot', async (t) => {
  const overlay = recordAdmittedChange(recordAdmittedChange(EMPTY_OVERLAY, createB, 0), updateA, 0);
  const out = applyOverlay(withA, overlay);
  t.same(
    out.policies.map((p) => [p.name, p.podSelector.matchLabels['app']]),
    [
      ['a', 'api'],
      ['b', 'db'],
    ],
  );
  t.same(
    out.namespaces.map((n) => n.name),
    ['shop'],
    'the namespace is added when missing',
  );
  t.equal(withA.policies[0]?.podSelector.matchLabels['app'], 'web', 'the snapshot is not mutated');
  t.same(applyOverlay(withA, recordAdmittedChange(EMPTY_OVERLAY, deleteA, 0)).policies, []);
  t.equal(applyOverlay(withA, EMPTY_OVERLAY), withA, 'an empty overlay returns the snapshot itself');
});

t.test(
  'a change is visible once the snapshot shows the same spec (or the absence, for a delete)',
  async (t) => {
    t.notOk(isChangeVisible(withA, createB));
    t.ok(
      isChangeVisible({ ...empty, policies: [policy('shop', 'b', 'db', { note: 'x' })] }, createB),
      'annotations do not matter',
    );
    t.notOk(isChangeVisible(withA, updateA), 'the old spec is still there');
    t.ok(isChangeVisible({ ...empty, policies: [policy('shop', 'a', 'api')] }, updateA));
    t.notOk(isChangeVisible(withA, deleteA));
    t.ok(isChangeVisible(empty, deleteA));
  },
);

t.test('pruning drops what the source shows and what outlived the TTL, and nothing else', async (t) => {
  const overlay = recordAdmittedChange(recordAdmittedChange(EMPTY_OVERLAY, createB, 0), updateA, 50);
  t.equal(pruneOverlay(overlay, withA, 10, 100), overlay, 'nothing to drop: the same object');
  const seen = pruneOverlay(
    overlay,
    { ...empty, policies: [policy('shop', 'a', 'web'), policy('shop', 'b', 'db')] },
    10,
    100,
  );
  t.same([...seen.entries.keys()], ['shop/a'], 'the source now shows b');
  t.equal(seen.generation, overlay.generation + 1);
  const expired = pruneOverlay(overlay, withA, 120, 100);
  t.same([...expired.entries.keys()], ['shop/a'], 'b (admitted at 0) expired; a (at 50) did not');
  t.equal(pruneOverlay(overlay, withA, 151, 100).entries.size, 0);
});

t.test('haveSameSpec compares selector, types and rules only', async (t) => {
  t.ok(haveSameSpec(policy('x', 'a', 'web'), policy('y', 'b', 'web', { k: 'v' })));
  t.notOk(haveSameSpec(policy('x', 'a', 'web'), policy('x', 'a', 'api')));
  t.notOk(haveSameSpec(policy('x', 'a', 'web'), { ...policy('x', 'a', 'web'), policyTypes: null }));
});
