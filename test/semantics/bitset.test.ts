/**
 * bitset.ts against sets of numbers: the bits set are the positions added, and addCountingNew
 * adds exactly the positions of `from` outside `except`, counting those that were new.
 */
import fc from 'fast-check';
import t from 'tap';
import { addCountingNew, clearBit, emptyBitset, hasBit, setBit } from '../../src/semantics/bitset.js';

const SIZE = 130;
const positions = fc.uniqueArray(fc.integer({ min: 0, max: SIZE - 1 }), { maxLength: 60 });

function bitsOf(list: readonly number[]): Uint32Array {
  const bits = emptyBitset(SIZE);
  for (const p of list) setBit(bits, p);
  return bits;
}

function members(bits: Uint32Array): number[] {
  return Array.from({ length: SIZE }, (_, p) => p).filter((p) => hasBit(bits, p));
}

t.test('set, clear and has agree with a set of numbers', async (t) => {
  fc.assert(
    fc.property(positions, positions, (added, cleared) => {
      const bits = bitsOf(added);
      for (const p of cleared) clearBit(bits, p);
      const want = added.filter((p) => !cleared.includes(p)).sort((a, b) => a - b);
      if (JSON.stringify(members(bits)) !== JSON.stringify(want)) throw new Error('members');
    }),
    { numRuns: 300, seed: 7 },
  );
  t.equal(emptyBitset(64).length, 2, '64 positions take two words');
  t.equal(emptyBitset(65).length, 3);
});

t.test('addCountingNew adds the bits outside `except` and counts the new ones', async (t) => {
  fc.assert(
    fc.property(positions, positions, fc.option(positions, { nil: null }), (into, from, except) => {
      const bits = bitsOf(into);
      const added = addCountingNew(bits, bitsOf(from), except === null ? null : bitsOf(except));
      const fresh = from.filter((p) => !into.includes(p) && !(except ?? []).includes(p));
      const want = [...new Set([...into, ...fresh])].sort((a, b) => a - b);
      if (added !== fresh.length) throw new Error(`counted ${added}, expected ${fresh.length}`);
      if (JSON.stringify(members(bits)) !== JSON.stringify(want)) throw new Error('members');
    }),
    { numRuns: 500, seed: 11 },
  );
  const full = emptyBitset(32);
  full[0] = 0xffffffff;
  t.equal(addCountingNew(emptyBitset(32), full, null), 32, 'a whole word, sign bit included');
});
