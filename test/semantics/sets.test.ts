import t from 'tap';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  allPortsOf,
  connectionsOf,
  formatConnections,
  intersectConnections,
  subtractConnections,
  unionConnections,
  equalConnections,
} from '../../src/semantics/connection-set.js';
import { intersectIntervals, normalizeIntervals, subtractIntervals } from '../../src/semantics/intervals.js';
import {
  atomizeAddressSpace,
  formatIpRange,
  ipBlockToSet,
  ipSetContainsAnyAddress,
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
