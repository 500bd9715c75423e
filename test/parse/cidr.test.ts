import t from 'tap';
import { parseNetworkPolicy, parsePod } from '../../src/parse/index.js';

/** The canonical cidr a policy's ipBlock normalizes to, or `invalid`. */
function normalizeCidr(cidr: string): string {
  const result = parseNetworkPolicy({
    metadata: { name: 'p' },
    spec: { egress: [{ to: [{ ipBlock: { cidr } }] }] },
  });
  if (!result.ok) return 'invalid';
  const peer = result.policy.egress[0]?.peers[0];
  return peer?.kind === 'ipBlock' ? peer.ipBlock.cidr : 'no ipBlock';
}

// Kubernetes validates ipBlock.cidr with the "sloppy" Go parser unless the alpha
// StrictIPCIDRValidation gate is on: host bits, leading zeros and IPv4-mapped IPv6 are accepted.
const CIDRS: readonly [string, string][] = [
  ['10.0.0.0/8', '10.0.0.0/8'],
  ['10.1.2.3/8', '10.0.0.0/8'],
  ['0.0.0.0/0', '0.0.0.0/0'],
  ['192.168.1.5/32', '192.168.1.5/32'],
  ['010.001.0.0/16', '10.1.0.0/16'],
  ['10.0.0.0/08', '10.0.0.0/8'],
  ['2001:DB8::/32', '2001:db8::/32'],
  ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
  ['2001:0:0:1:0:0:0:1/128', '2001:0:0:1::1/128'],
  ['::/0', '::/0'],
  ['::1/128', '::1/128'],
  ['1:2:3:4:5:6:7::/128', '1:2:3:4:5:6:7:0/128'],
  ['1:2:3:4:5:6:1.2.3.4/128', '1:2:3:4:5:6:102:304/128'],
  ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
  ['fd00::1/8', 'fd00::/8'],
  ['10.0.0.0/33', 'invalid'],
  ['10.0.0.0/-1', 'invalid'],
  ['10.0.0/8', 'invalid'],
  ['10.0.0.256/8', 'invalid'],
  ['10.0.0.0', 'invalid'],
  ['10.0.0.0/', 'invalid'],
  [' 10.0.0.0/8', 'invalid'],
  ['fd00::/129', 'invalid'],
  ['1:2:3:4:5:6:7:8::/64', 'invalid'],
  ['1:::2/64', 'invalid'],
  ['1::2::3/64', 'invalid'],
  ['12345::/16', 'invalid'],
  ['fe80::1%eth0/64', 'invalid'],
  ['::1.2.3/96', 'invalid'],
];

t.test('ipBlock CIDRs are validated like the API server and normalized to their network', async (t) => {
  for (const [input, expected] of CIDRS) t.equal(normalizeCidr(input), expected, input);
});

t.test('pod IPs are validated and written canonically', async (t) => {
  const ok = parsePod({
    metadata: { name: 'p' },
    status: { podIPs: [{ ip: 'FD00:0::5' }, { ip: '10.0.0.5' }] },
  });
  t.match(ok, { ok: true, record: { ips: ['fd00::5', '10.0.0.5'] } });
  const bad = parsePod({ metadata: { name: 'p' }, status: { podIPs: [{ ip: '10.0.0.500' }] } });
  t.match(bad, { ok: false, issues: [{ path: 'status.podIPs[0].ip', message: /got "10\.0\.0\.500"/ }] });
});
