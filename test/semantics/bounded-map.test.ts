import t from 'tap';
import { BoundedMap, ContentCache } from '../../src/semantics/bounded-map.js';

t.test('keeps the most recently used entries within the entry budget', async (t) => {
  const m = new BoundedMap<number>(2, 100);
  m.set('a', 1, 1);
  m.set('b', 2, 1);
  t.equal(m.get('a'), 1, 'a is now the most recently used');
  m.set('c', 3, 1);
  t.equal(m.get('b'), undefined, 'b, the least recently used, was evicted');
  t.equal(m.get('a'), 1);
  t.equal(m.get('c'), 3);
  t.equal(m.size, 2);
});

t.test('keeps the total weight within the weight budget', async (t) => {
  const m = new BoundedMap<string>(10, 10);
  m.set('a', 'a', 4);
  m.set('b', 'b', 4);
  m.set('c', 'c', 4);
  t.equal(m.get('a'), undefined, 'evicted to make room');
  t.equal(m.weight, 8);
  m.set('b', 'b2', 1);
  t.equal(m.weight, 5, 'replacing an entry replaces its weight');
  t.equal(m.get('b'), 'b2');
  m.set('huge', 'x', 11);
  t.equal(m.get('huge'), undefined, 'an entry over the whole budget is not kept');
  t.equal(m.get('c'), 'c', 'and evicts nothing');
});

t.test('rejects a weight that is not a positive integer, naming it', async (t) => {
  const m = new BoundedMap<number>(10, 10);
  t.throws(() => m.set('a', 1, 0), new RangeError('weight must be a positive integer, got 0'));
  t.throws(() => m.set('a', 1, 1.5), RangeError);
  t.throws(() => m.set('a', 1, Number.NaN), RangeError);
  t.equal(m.size, 0, 'nothing kept');
});

t.test('a budget of weight below 1 keeps nothing; a fractional one is its integer part', async (t) => {
  const none = new BoundedMap<number>(10, 0.5);
  none.set('a', 1, 1);
  t.equal(none.size, 0);
  const m = new BoundedMap<number>(10, 2.5);
  m.set('a', 1, 2);
  m.set('b', 2, 1);
  t.equal(m.get('a'), undefined, 'a weight of 3 is over 2.5: the least recently used goes');
  t.equal(m.get('b'), 2);
  t.equal(m.weight, 1);
});

t.test('rejects nonsensical budgets', async (t) => {
  t.throws(() => new BoundedMap(-1, 1), RangeError);
  t.throws(() => new BoundedMap(1.5, 1), RangeError);
  t.throws(() => new BoundedMap(1, Number.NaN), RangeError);
  const none = new BoundedMap<number>(0, 10);
  none.set('a', 1, 1);
  t.equal(none.size, 0);
});

t.test('ContentCache: once per object, shared by objects of equal content, within its bounds', async (t) => {
  const computed: string[] = [];
  const cache = new ContentCache<{ readonly text: string }, string>(2, 100, (v) => v.length);
  const get = (o: { readonly text: string }): string =>
    cache.get(
      o,
      () => o.text,
      () => {
        computed.push(o.text);
        return o.text.toUpperCase();
      },
    );
  const a = { text: 'ab' };
  t.equal(get(a), 'AB');
  t.equal(get(a), 'AB');
  t.equal(get({ text: 'ab' }), 'AB', 'another object with the same content');
  t.same(computed, ['ab'], 'computed once');
  get({ text: 'cd' });
  get({ text: 'ef' });
  t.equal(get({ text: 'ab' }), 'AB');
  t.same(computed, ['ab', 'cd', 'ef', 'ab'], 'evicted from the content layer beyond 2 contents');
  t.equal(get(a), 'AB', 'the object layer still answers for a');
  t.same(computed, ['ab', 'cd', 'ef', 'ab']);
});
