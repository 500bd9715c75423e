/**
 * External range lists: the sweep that cuts the address space at the
 * boundaries of weighted sets, and the diff of two lists, against a
 * brute-force evaluation at every address of a small space; and both stay
 * near-linear for thousands of ranges (a policy with thousands of ipBlocks
 * or excepts once took seconds here).
 */
import fc from 'fast-check';
import t from 'tap';
import type { ConnectionSet } from '../../src/semantics/connection-set.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  connectionsOf,
  equalConnections,
  formatConnections,
  unionConnections,
} from '../../src/semantics/connection-set.js';
import type { ExternalRange } from '../../src/semantics/external-ranges.js';
import { diffExternalRanges, sweepWeightedSets } from '../../src/semantics/external-ranges.js';
import type { IpSet } from '../../src/semantics/ip-set.js';
import { ipBlockToSet, ipSetContains } from '../../src/semantics/ip-set.js';

/** Addresses 0..SPACE-1 of IPv4 are probed one by one; the rest of the space is one piece. */
const SPACE = 48;

const connArb = fc.oneof(
  fc.constant(ALL_CONNECTIONS),
  fc.constant(NO_CONNECTIONS),
  fc
    .tuple(fc.constantFrom('TCP' as const, 'UDP' as const), fc.integer({ min: 1, max: 6 }))
    .map(([p, port]) => connectionsOf(p, port)),
);

/** A normalized set of small IPv4 intervals. */
const ipSetArb = fc
  .array(fc.tuple(fc.integer({ min: 0, max: SPACE - 1 }), fc.integer({ min: 0, max: 8 })), { maxLength: 4 })
  .map((pairs): IpSet => {
    const sorted = pairs
      .map(([lo, w]) => [BigInt(lo), BigInt(lo + w)] as const)
      .sort((a, b) => Number(a[0] - b[0]));
    const merged: [bigint, bigint][] = [];
    for (const [lo, hi] of sorted) {
      const last = merged[merged.length - 1];
      if (last && lo <= last[1] + 1n) last[1] = last[1] > hi ? last[1] : hi;
      else merged.push([lo, hi]);
    }
    return { v4: merged, v6: [] };
  });

const itemsArb = fc.array(fc.record({ ips: ipSetArb, conn: connArb }), { maxLength: 6 });

function connAt(list: readonly ExternalRange[], address: bigint): ConnectionSet {
  let out = NO_CONNECTIONS;
  for (const r of list) {
    if (r.range.family === 4 && r.range.lo <= address && address <= r.range.hi)
      out = unionConnections(out, r.conn);
  }
  return out;
}

t.test('sweepWeightedSets: at every address, the union of the sets containing it', async (t) => {
  fc.assert(
    fc.property(itemsArb, (items) => {
      const ranges = sweepWeightedSets(items);
      for (let a = 0n; a < BigInt(SPACE + 10); a++) {
        let want = NO_CONNECTIONS;
        for (const it of items) if (ipSetContains(it.ips, 4, a)) want = unionConnections(want, it.conn);
        const covering = ranges.filter((r) => r.range.family === 4 && r.range.lo <= a && a <= r.range.hi);
        if (covering.length > 1) return false;
        const got = covering[0]?.conn ?? NO_CONNECTIONS;
        if (!equalConnections(got, want)) return false;
      }
      // merged: no two adjacent ranges with the same connections, no empty range
      return ranges.every(
        (r, i) =>
          formatConnections(r.conn) !== 'No Connections' &&
          (i === 0 ||
            ranges[i - 1]!.range.family !== r.range.family ||
            ranges[i - 1]!.range.hi + 1n !== r.range.lo ||
            !equalConnections(ranges[i - 1]!.conn, r.conn)),
      );
    }),
    { numRuns: 400 },
  );
  t.pass('400 random cases');
});

t.test('diffExternalRanges: exactly the addresses whose connections differ, with both sides', async (t) => {
  const listArb = itemsArb.map(sweepWeightedSets);
  fc.assert(
    fc.property(listArb, listArb, listArb, (before, after, extra) => {
      // a list of overlapping ranges too: before and extra concatenated
      for (const [b, a] of [
        [before, after],
        [[...before, ...extra], after],
      ] as const) {
        const diff = diffExternalRanges(b, a);
        for (let x = 0n; x < BigInt(SPACE + 10); x++) {
          const wantB = connAt(b, x);
          const wantA = connAt(a, x);
          const hits = diff.filter((d) => d.range.family === 4 && d.range.lo <= x && x <= d.range.hi);
          if (equalConnections(wantB, wantA)) {
            if (hits.length !== 0) return false;
          } else if (
            hits.length !== 1 ||
            !equalConnections(hits[0]!.before, wantB) ||
            !equalConnections(hits[0]!.after, wantA)
          ) {
            return false;
          }
        }
      }
      return true;
    }),
    { numRuns: 400 },
  );
  t.pass('400 random cases');
});

t.test('thousands of ranges are swept and compared without a quadratic blow-up', async (t) => {
  const blocks = Array.from({ length: 2000 }, (_, i) => ({
    ips: ipBlockToSet(`2001:db8:${i.toString(16)}::/48`, [`2001:db8:${i.toString(16)}:1::/64`]),
    conn: connectionsOf('TCP', 1 + (i % 7)),
  }));
  const excepts = ipBlockToSet(
    '10.0.0.0/8',
    Array.from({ length: 4000 }, (_, i) => `10.${i >> 4}.${(i & 15) * 16}.0/22`),
  );
  const before = sweepWeightedSets([...blocks, { ips: excepts, conn: ALL_CONNECTIONS }]);
  const after = sweepWeightedSets(blocks.slice(1000));
  t.equal(excepts.v4.length, 4000, 'one piece between every two excepts, and one after the last');
  t.equal(before.filter((r) => r.range.family === 6).length, 4000, 'two pieces per IPv6 block');
  const diff = diffExternalRanges(before, after);
  t.equal(diff.filter((d) => d.range.family === 6).length, 2000, 'the 1000 removed blocks, two pieces each');
  t.equal(diff.filter((d) => d.range.family === 4).length, 4000, 'every IPv4 piece is lost');
});
