/** Admission warnings within the API server's limits. */
import t from 'tap';
import { budgetWarnings, describeHiddenWarnings, normalizeWarning } from '../../src/webhook/warnings.js';

t.test('normalizeWarning: one line, no prefix, at most 120 characters', async (t) => {
  t.equal(normalizeWarning('Warning: something\nbroke\there'), 'something broke here');
  t.equal(normalizeWarning('warning:   lower-case prefix'), 'lower-case prefix');
  const long = normalizeWarning('y'.repeat(300));
  t.equal(long.length, 120);
  t.match(long, /…$/);
  t.equal(normalizeWarning('a\u0000b\u007fc'), 'a b c');
});

t.test('a few warnings pass unchanged; duplicates and empty lines go', async (t) => {
  t.same(budgetWarnings(['a', 'b', 'a', '  '], 'uid'), ['a', 'b']);
  t.same(budgetWarnings([], 'uid'), []);
});

t.test('exactly ten fit; eleven become nine and a count of two', async (t) => {
  const ten = Array.from({ length: 10 }, (_, i) => `w${i}`);
  t.same(budgetWarnings(ten, 'u'), ten);
  const eleven = [...ten, 'w10'];
  const out = budgetWarnings(eleven, 'u');
  t.equal(out.length, 10);
  t.same(out.slice(0, 9), ten.slice(0, 9));
  t.equal(out[9], '+2 more warnings: run netpol-preflight explain, or see the webhook log (uid u)');
});

t.test('the closing warning drops the uid when it would not fit in 120 characters', async (t) => {
  const text = describeHiddenWarnings(3, 'u'.repeat(100));
  t.equal(text, '+3 more warnings: run netpol-preflight explain, or see the webhook log');
  t.ok(text.length <= 120);
});

t.test('many long warnings: at most 10, each at most 120, under 4096 in all', async (t) => {
  const out = budgetWarnings(
    Array.from({ length: 500 }, (_, i) => `${i} ${'z'.repeat(1000)}`),
    '6f1c8a4e-9b2d-4c3e-8f7a-1b2c3d4e5f60',
  );
  t.equal(out.length, 10);
  t.ok(out.every((w) => w.length <= 120));
  t.ok(out.join('').length < 4096);
  t.match(out[9], /^\+491 more warnings: .*\(uid 6f1c8a4e-9b2d-4c3e-8f7a-1b2c3d4e5f60\)$/);
});
