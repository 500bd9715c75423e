import fc from 'fast-check';
import t from 'tap';
import type { EndpointClass } from '../../src/semantics/classes.js';
import { compilePorts, mergePorts } from '../../src/semantics/compile.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  allPortsOf,
  connectionsOf,
  formatConnections,
  intersectConnections,
  subtractConnections,
  unionAllConnections,
  unionConnections,
  equalConnections,
} from '../../src/semantics/connection-set.js';
import { resolveNamedPorts } from '../../src/semantics/evaluate.js';
import {
  intersectIntervals,
  normalizeIntervals,
  subtractIntervals,
  unionIntervals,
} from '../../src/semantics/intervals.js';
import type { IpRange } from '../../src/semantics/ip-set.js';
import {
  atomizeAddressSpace,
  formatIpRange,
  ipBlockToSet,
  ipSetContains,
  ipSetContainsAnyAddress,
  parseAddress,
  parseCidr,
} from '../../src/semantics/ip-set.js';

t.test('intervals normalize, intersect and subtract without mutating inputs', async (t) => {
  t.same(
    normalizeIntervals([
      [5, 9],
      [1, 3],
      [4, 4],
      [20, 10],
    ]),
    [[1, 9]],
  );
  const a = [[1, 100]] as const;
  const b = [
    [10, 20],
    [50, 60],
  ] as const;
  t.same(subtractIntervals(a, b), [
    [1, 9],
    [21, 49],
    [61, 100],
  ]);
  t.same(a, [[1, 100]], 'input untouched');
  t.same(intersectIntervals(a, b), b);
  t.same(subtractIntervals([[1, 10]], [[1, 10]]), []);
});

t.test('connection sets', async (t) => {
  const tcp80 = connectionsOf('TCP', 80);
  const udp53 = connectionsOf('UDP', 53);
  t.equal(formatConnections(unionConnections(tcp80, udp53)), 'TCP 80,UDP 53');
  t.equal(formatConnections(ALL_CONNECTIONS), 'All Connections');
  t.equal(formatConnections(NO_CONNECTIONS), 'No Connections');
  t.equal(
    formatConnections(subtractConnections(ALL_CONNECTIONS, connectionsOf('SCTP', 9003))),
    'SCTP 1-9002,9004-65535,TCP 1-65535,UDP 1-65535',
  );
  t.equal(intersectConnections(tcp80, udp53), NO_CONNECTIONS, 'different protocols do not intersect');
  t.equal(
    unionConnections(unionConnections(allPortsOf('TCP'), allPortsOf('UDP')), connectionsOf('SCTP', 1, 65535)),
    ALL_CONNECTIONS,
    'a union covering everything is the ALL sentinel',
  );
  t.ok(equalConnections(connectionsOf('TCP', 80, 81), unionConnections(tcp80, connectionsOf('TCP', 81))));
  t.equal(formatConnections(connectionsOf('TCP', 8000, 8080)), 'TCP 8000-8080');
});

t.test('CIDRs and ipBlocks', async (t) => {
  const r = parseCidr('10.0.0.1/24');
  t.ok(r, 'host bits are tolerated');
  t.equal(formatIpRange(r!), '10.0.0.0-10.0.0.255');
  t.equal(parseCidr('10.0.0.0/33'), null);
  t.equal(parseCidr('nonsense'), null);
  const block = ipBlockToSet('10.0.0.0/16', ['10.0.1.0/24']);
  t.ok(ipSetContainsAnyAddress(block, ['10.0.0.255']), 'just below the except');
  t.notOk(ipSetContainsAnyAddress(block, ['10.0.1.0']), 'first address of the except');
  t.notOk(ipSetContainsAnyAddress(block, ['10.0.1.255']), 'last address of the except');
  t.ok(ipSetContainsAnyAddress(block, ['10.0.2.0']), 'just above the except');
  t.notOk(ipSetContainsAnyAddress(block, ['10.1.0.0']), 'outside the cidr');
  const v6 = ipBlockToSet('2001:db8::/32', ['2001:db8:1::/48']);
  t.ok(ipSetContainsAnyAddress(v6, ['2001:db8::1']));
  t.notOk(ipSetContainsAnyAddress(v6, ['2001:db8:1::5']));
  t.notOk(ipSetContainsAnyAddress(v6, ['10.0.0.1']), 'families never mix');
  t.notOk(ipSetContainsAnyAddress(block, ['::ffff:10.0.0.1']), 'IPv4-mapped IPv6 is IPv6');
});

t.test('atoms cover the address space and split at every boundary', async (t) => {
  const atoms = atomizeAddressSpace([ipBlockToSet('10.0.0.0/8', ['10.1.0.0/16'])]);
  t.same(atoms.filter((a) => a.family === 4).map(formatIpRange), [
    '0.0.0.0-9.255.255.255',
    '10.0.0.0-10.0.255.255',
    '10.1.0.0-10.1.255.255',
    '10.2.0.0-10.255.255.255',
    '11.0.0.0-255.255.255.255',
  ]);
  t.equal(atoms.filter((a) => a.family === 6).length, 1, 'IPv6 space is one atom when no IPv6 block exists');
});

t.test('an ipBlock is its cidr minus its excepts, however many and in any order', async (t) => {
  const cidr4 = fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 22, max: 32 }))
    .map(([b, c, n]) => `10.${b}.${c}.0/${n}`);
  const block = fc.tuple(
    fc.constantFrom('10.0.0.0/14', '10.1.0.0/16', '10.0.0.0/8', '2001:db8::/32'),
    fc.array(fc.oneof(cidr4, fc.constant('2001:db8:1::/48'), fc.constant('bad')), { maxLength: 30 }),
    fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
      ),
      {
        minLength: 1,
        maxLength: 20,
      },
    ),
  );
  fc.assert(
    fc.property(block, ([cidr, except, probes]) => {
      const set = ipBlockToSet(cidr, except);
      const base = parseCidr(cidr)!;
      return probes.every(([b, c, d]) => {
        const address = parseAddress(`10.${b}.${c}.${d}`)!;
        const inRange = (r: IpRange | null): boolean =>
          r !== null && r.family === address.family && r.lo <= address.value && address.value <= r.hi;
        const want = inRange(base) && !except.some((e) => inRange(parseCidr(e)));
        return ipSetContains(set, address.family, address.value) === want;
      });
    }),
    { numRuns: 500 },
  );
  const many = ipBlockToSet(
    '10.0.0.0/8',
    Array.from({ length: 4000 }, (_, i) => `10.${(i >> 6) & 255}.${(i & 63) * 4}.0/23`).reverse(),
  );
  t.ok(ipSetContainsAnyAddress(many, ['10.0.2.0']), 'between two excepts');
  t.notOk(ipSetContainsAnyAddress(many, ['10.62.125.1']), 'inside the last except (10.62.124.0/23)');
  t.ok(ipSetContainsAnyAddress(many, ['10.62.126.0']), 'after the last except');
});

t.test('unions of interval and connection sets: one pass, one sort, the same sets', async (t) => {
  const intervals = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 6 })), { maxLength: 8 })
    .map((xs) => normalizeIntervals(xs.map(([a, w]) => [a, a + w] as const)));
  fc.assert(
    fc.property(
      intervals,
      intervals,
      (a, b) => JSON.stringify(unionIntervals(a, b)) === JSON.stringify(normalizeIntervals([...a, ...b])),
    ),
    { numRuns: 300 },
  );
  const conn = fc.oneof(
    fc.constant(ALL_CONNECTIONS),
    fc.constant(NO_CONNECTIONS),
    fc
      .tuple(
        fc.constantFrom('TCP' as const, 'UDP' as const, 'SCTP' as const),
        fc.integer({ min: 1, max: 99 }),
      )
      .map(([p, port]) => connectionsOf(p, port, port + (port % 3))),
  );
  fc.assert(
    fc.property(fc.array(conn, { maxLength: 8 }), (sets) => {
      const folded = sets.reduce(unionConnections, NO_CONNECTIONS);
      const all = unionAllConnections(sets);
      return equalConnections(folded, all) && (folded === ALL_CONNECTIONS) === (all === ALL_CONNECTIONS);
    }),
    { numRuns: 300 },
  );
  t.equal(unionAllConnections([]), NO_CONNECTIONS);
  t.equal(unionAllConnections([allPortsOf('TCP'), allPortsOf('UDP'), allPortsOf('SCTP')]), ALL_CONNECTIONS);
  const ports = Array.from({ length: 30_000 }, (_, i) => connectionsOf('TCP', 2 * i + 1));
  t.equal(unionAllConnections(ports).TCP.length, 30_000, '30,000 separate ports');
});

t.test('merged rule ports allow, on every destination, what one of the rules allows', async (t) => {
  const portRecords = fc.array(
    fc.oneof(
      fc.record({
        protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
        port: fc.integer({ min: 1, max: 20 }),
        endPort: fc.constant(null),
      }),
      fc.record({
        protocol: fc.constantFrom('TCP' as const, 'UDP' as const),
        port: fc.constantFrom('http', 'dns', 'metrics'),
        endPort: fc.constant(null),
      }),
    ),
    { maxLength: 3 },
  );
  const declared = [
    { name: 'http', protocol: 'TCP' as const, port: 8080 },
    { name: 'dns', protocol: 'UDP' as const, port: 53 },
  ];
  fc.assert(
    fc.property(fc.array(portRecords, { minLength: 1, maxLength: 5 }), (rules) => {
      const compiled = rules.map((r) => compilePorts(r));
      const merged = mergePorts(compiled);
      for (const ports of [declared, declared.slice(1), []]) {
        const cls = { ports } as unknown as EndpointClass;
        const want = compiled.reduce(
          (acc, p) => unionConnections(acc, resolveNamedPorts(p, cls)),
          NO_CONNECTIONS,
        );
        if (!equalConnections(resolveNamedPorts(merged, cls), want)) return false;
      }
      return true;
    }),
    { numRuns: 300 },
  );
  const one = compilePorts([{ protocol: 'TCP', port: 80, endPort: null }]);
  t.equal(mergePorts([one]), one, 'a single rule is kept as it is');
});
