/** objectMemo: a value computed once per object, kept where nothing else sees it. */
import t from 'tap';
import { objectMemo } from '../../src/semantics/object-memo.js';

const counted = () => {
  const calls: object[] = [];
  const memo = objectMemo('test', (key: { readonly n: number }) => {
    calls.push(key);
    return { twice: key.n * 2 };
  });
  return { calls, memo };
};

t.test('computed once per object, not per content', async (t) => {
  const { calls, memo } = counted();
  const a = { n: 1 };
  const first = memo(a);
  t.equal(memo(a), first, 'the kept value itself');
  t.equal(calls.length, 1);
  t.same(memo({ n: 1 }), { twice: 2 }, 'another object of equal content');
  t.equal(calls.length, 2, '...is computed for itself');
});

t.test('the kept value is not seen: keys, JSON, spreads', async (t) => {
  const { memo } = counted();
  const a = { n: 3 };
  memo(a);
  t.same(Object.keys(a), ['n']);
  t.equal(JSON.stringify(a), '{"n":3}');
  const copy = { ...a, n: 4 };
  t.same(memo(copy), { twice: 8 }, 'a changed copy does not inherit the value');
});

t.test('a frozen object keeps its value too', async (t) => {
  const { calls, memo } = counted();
  const frozen = Object.freeze({ n: 5 });
  t.same(memo(frozen), { twice: 10 });
  t.equal(memo(frozen), memo(frozen));
  t.equal(calls.length, 1);
});

t.test('two memos keep their values apart', async (t) => {
  const twice = objectMemo('twice', (key: { readonly n: number }) => key.n * 2);
  const thrice = objectMemo('thrice', (key: { readonly n: number }) => key.n * 3);
  const a = { n: 2 };
  t.equal(twice(a), 4);
  t.equal(thrice(a), 6);
  t.equal(twice(a), 4);
});
