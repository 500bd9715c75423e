/** The admission reader of NetworkPolicy objects: a read remembered by the object's text. */
import t from 'tap';
import type { AdmissionRequest } from '../../src/webhook/admission-review.js';
import { readPolicyChange } from '../../src/webhook/admission-change.js';
import { MAX_REMEMBERED_OBJECT_CHARS, PolicyReader } from '../../src/webhook/policy-reader.js';
import { nest } from '../support/hostile-input.js';

const policy = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, resourceVersion: '7' },
  spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], ...extra },
});

t.test('the same object, sent again as a new value, gives the same record', async (t) => {
  const reader = new PolicyReader(4);
  const first = reader.read(policy('web'), 'shop');
  const again = reader.read(structuredClone(policy('web')), 'shop');
  t.ok(first.ok && again.ok);
  if (!first.ok || !again.ok) return;
  t.equal(again.policy, first.policy, 'the remembered record itself');
  t.equal(first.policy.namespace, 'shop', 'the default namespace applies');
});

t.test('a different object, or another default namespace, is read afresh', async (t) => {
  const reader = new PolicyReader(4);
  const first = reader.read(policy('web'), 'shop');
  const other = reader.read(policy('web', { ingress: [{}] }), 'shop');
  const elsewhere = reader.read(policy('web'), 'shop2');
  t.ok(first.ok && other.ok && elsewhere.ok);
  if (!first.ok || !other.ok || !elsewhere.ok) return;
  t.not(other.policy, first.policy);
  t.same(other.policy.ingress, [{ peers: [], ports: [] }]);
  t.not(elsewhere.policy, first.policy);
  t.equal(elsewhere.policy.namespace, 'shop2');
  const renamed = reader.read({ ...policy('web'), metadata: { name: 'web', resourceVersion: '8' } }, 'shop');
  t.ok(renamed.ok && renamed.policy !== first.policy, 'any change of the text is a new read');
});

t.test('an invalid object is invalid again when sent again', async (t) => {
  const reader = new PolicyReader(4);
  const bad = policy('web', { policyTypes: ['Sideways'] });
  const first = reader.read(bad, 'shop');
  const again = reader.read(structuredClone(bad), 'shop');
  t.notOk(first.ok);
  t.same(again, first);
});

t.test('capacity 0 remembers nothing; the least recently read is forgotten first', async (t) => {
  const none = new PolicyReader(0);
  const a = none.read(policy('a'), 'shop');
  const b = none.read(policy('a'), 'shop');
  t.ok(a.ok && b.ok && a.policy !== b.policy);
  const reader = new PolicyReader(2);
  const first = reader.read(policy('a'), 'shop');
  const b1 = reader.read(policy('b'), 'shop');
  reader.read(policy('a'), 'shop');
  reader.read(policy('c'), 'shop');
  const a2 = reader.read(policy('a'), 'shop');
  const b2 = reader.read(policy('b'), 'shop');
  t.ok(first.ok && a2.ok && b1.ok && b2.ok);
  if (!first.ok || !a2.ok || !b1.ok || !b2.ok) return;
  t.equal(a2.policy, first.policy, 'a was read recently, so it is kept');
  t.not(b2.policy, b1.policy, 'b was the least recently read, so it was forgotten');
});

t.test('objects too long or too deep to remember are still read', async (t) => {
  const reader = new PolicyReader(4);
  const long = policy('web', {
    ingress: [{ from: [{ podSelector: { matchLabels: { a: 'x'.repeat(63) } } }] }],
  });
  (long.metadata as Record<string, unknown>)['annotations'] = {
    note: 'y'.repeat(MAX_REMEMBERED_OBJECT_CHARS),
  };
  const first = reader.read(long, 'shop');
  const again = reader.read(long, 'shop');
  t.ok(first.ok && again.ok);
  if (first.ok && again.ok) t.not(again.policy, first.policy, 'read afresh each time');
  // Deeper than JSON.stringify can write: the reader does not fail, the parser reads past it.
  const deep = policy('web', { futureField: nest(20_000, 'object') });
  t.throws(() => JSON.stringify(deep), RangeError);
  const read = reader.read(deep, 'shop');
  t.ok(read.ok, 'an unknown field is ignored, however deep');
  t.notOk(reader.read(undefined, 'shop').ok, 'no object at all is an issue, not an exception');
});

t.test('a read not to remember is neither looked up nor kept', async (t) => {
  const reader = new PolicyReader(4);
  const kept = reader.read(policy('web'), 'shop');
  const once = reader.read(policy('web'), 'shop', false);
  const again = reader.read(policy('web'), 'shop');
  t.ok(kept.ok && once.ok && again.ok);
  if (!kept.ok || !once.ok || !again.ok) return;
  t.not(once.policy, kept.policy, 'read afresh although remembered');
  t.same(once.policy, kept.policy, 'to the same record');
  t.equal(again.policy, kept.policy);
  const other = reader.read(policy('other'), 'shop', false);
  const otherAgain = reader.read(policy('other'), 'shop');
  t.ok(other.ok && otherAgain.ok && other.policy !== otherAgain.policy, 'and not kept');
});

t.test('readPolicyChange remembers the objects of UPDATEs and DELETEs, not those of CREATEs', async (t) => {
  const snapshot = { namespaces: [], pods: [], workloads: [], policies: [], services: [] };
  const request = (operation: 'CREATE' | 'UPDATE' | 'DELETE', uid: string): AdmissionRequest => ({
    uid,
    kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
    resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
    operation,
    namespace: 'shop',
    name: 'web',
    userInfo: { username: 'alice' },
    ...(operation === 'DELETE' ? {} : { object: policy('web', { ingress: [{}] }) }),
    ...(operation === 'CREATE' ? {} : { oldObject: policy('web') }),
  });
  const reader = new PolicyReader(8);
  const records = (operation: 'CREATE' | 'UPDATE' | 'DELETE', uid: string) => {
    const read = readPolicyChange(request(operation, uid), snapshot, reader);
    if (read.kind !== 'change') throw new Error(`${operation}: ${read.kind}`);
    return read.change;
  };
  const u1 = records('UPDATE', 'u1');
  const u2 = records('UPDATE', 'u2');
  t.equal(u2.object, u1.object, "an UPDATE's object, sent again, is the same record");
  t.equal(u2.oldObject, u1.oldObject, 'and so is its oldObject');
  t.equal(records('DELETE', 'd1').oldObject, u1.oldObject, "a DELETE's oldObject too");
  const c1 = records('CREATE', 'c1');
  const c2 = records('CREATE', 'c2');
  t.not(c2.object, c1.object, "a CREATE's object is read afresh each time");
  t.same(c2.object, c1.object);
});
