/**
 * The NetworkPolicy semantics, point by point, each with a case that fails
 * when the point is implemented the common wrong way. Manifests are small
 * YAML; answers come from the public connectivity entry point.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import { formatConnections } from '../../src/semantics/connection-set.js';
import type { Connectivity } from '../../src/semantics/connectivity.js';
import { connectivityOf } from '../../src/semantics/connectivity.js';
import { parseAddress } from '../../src/semantics/ip-set.js';

const PODS = readFileSync(new URL('../fixtures/semantics/pods.yaml', import.meta.url), 'utf8');

function connectivityWith(policies: string, base = PODS): Connectivity {
  return connectivityOf(
    parseManifestTexts([
      { source: 'pods.yaml', text: base },
      { source: 'policies.yaml', text: policies },
    ]).snapshot,
  );
}

/** The allowed set from `src` to `dst`, where either may be an IP address (External). */
function conn(c: Connectivity, src: string, dst: string): string {
  const matches = (ref: Connectivity['entries'][number]['src'], want: string): boolean => {
    if (ref.kind === 'endpoint') return ref.id === want;
    const a = parseAddress(want);
    if (!a || a.family !== ref.range.family) return false;
    return ref.range.lo <= a.value && a.value <= ref.range.hi;
  };
  const hit = c.entries.find((e) => matches(e.src, src) && matches(e.dst, dst));
  return hit ? formatConnections(hit.conn) : 'No Connections';
}

const CLIENT = 'a/client[Pod]';
const SERVER = 'a/server[Pod]';
const OTHER = 'b/other[Pod]';

const policy = (spec: string, ns = 'a', name = 'p'): string =>
  `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n${spec
    .trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n---\n`;

t.test('no policy: everything is allowed, self-connections are not listed', async (t) => {
  const c = connectivityWith('');
  t.equal(conn(c, CLIENT, SERVER), 'All Connections');
  t.equal(conn(c, SERVER, SERVER), 'No Connections', 'no self pair');
  t.equal(conn(c, CLIENT, '8.8.8.8'), 'All Connections');
  t.equal(conn(c, '8.8.8.8', SERVER), 'All Connections');
});

t.test('NotIn matches pods without the key', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from:
      - podSelector: { matchExpressions: [{ key: tier, operator: NotIn, values: [web] }] }`),
  );
  t.equal(conn(c, CLIENT, SERVER), 'All Connections', 'client has no tier label: NotIn matches');
  t.equal(conn(c, OTHER, SERVER), 'No Connections', 'podSelector alone: only the policy namespace');
});

t.test('namespaceSelector and podSelector in one peer are ANDed; two peers are ORed', async (t) => {
  const and = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from:
      - namespaceSelector: { matchLabels: { env: dev } }
        podSelector: { matchLabels: { role: client } }`),
  );
  t.equal(conn(and, OTHER, SERVER), 'All Connections', 'b/other is a client in a dev namespace');
  t.equal(conn(and, CLIENT, SERVER), 'No Connections', 'a/client is a client but not in dev');
  const or = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from:
      - namespaceSelector: { matchLabels: { env: dev } }
      - podSelector: { matchLabels: { role: client } }`),
  );
  t.equal(conn(or, OTHER, SERVER), 'All Connections');
  t.equal(conn(or, CLIENT, SERVER), 'All Connections', 'OR: a/client matches the podSelector peer');
});

t.test('namespaceSelector alone selects every pod of the matching namespaces', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from: [{ namespaceSelector: {} }]`),
  );
  t.equal(conn(c, OTHER, SERVER), 'All Connections');
  t.equal(conn(c, CLIENT, SERVER), 'All Connections');
  t.equal(conn(c, '8.8.8.8', SERVER), 'No Connections', 'selectors never match External');
});

t.test('policyTypes defaults: Ingress always, Egress only with egress rules', async (t) => {
  const egressOnly = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
egress:
  - to: [{ podSelector: { matchLabels: { role: server } } }]`),
  );
  t.equal(conn(egressOnly, CLIENT, SERVER), 'All Connections');
  t.equal(conn(egressOnly, CLIENT, OTHER), 'No Connections', 'egress isolated');
  t.equal(conn(egressOnly, SERVER, CLIENT), 'No Connections', 'ingress isolated too (implied Ingress)');
  const ingressRulesOnly = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
ingress: [{}]`),
  );
  t.equal(conn(ingressRulesOnly, CLIENT, OTHER), 'All Connections', 'no egress rules: egress not isolated');
  const explicitEgress = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
policyTypes: [Egress]
egress:
  - to: [{ podSelector: { matchLabels: { role: server } } }]`),
  );
  t.equal(conn(explicitEgress, SERVER, CLIENT), 'All Connections', 'policyTypes [Egress]: ingress open');
  const ignoredRules = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
policyTypes: [Ingress]
ingress: [{}]
egress:
  - to: [{ podSelector: { matchLabels: { role: server } } }]`),
  );
  t.equal(
    conn(ignoredRules, CLIENT, OTHER),
    'All Connections',
    'egress rules without Egress type do nothing',
  );
});

t.test('empty ingress list isolates; a rule {} allows everything', async (t) => {
  const empty = connectivityWith(policy(`podSelector: { matchLabels: { role: server } }\ningress: []`));
  t.equal(conn(empty, CLIENT, SERVER), 'No Connections');
  t.equal(conn(empty, '1.2.3.4', SERVER), 'No Connections');
  const all = connectivityWith(policy(`podSelector: { matchLabels: { role: server } }\ningress: [{}]`));
  t.equal(conn(all, CLIENT, SERVER), 'All Connections');
  t.equal(conn(all, '1.2.3.4', SERVER), 'All Connections', 'a rule without from matches External too');
  t.equal(conn(all, 'fd00::99', SERVER), 'All Connections', 'and IPv6 External');
});

t.test('ports: default protocol TCP, missing port = whole protocol, endPort inclusive', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - ports:
      - port: 8000
        endPort: 8010
      - protocol: UDP
      - protocol: SCTP
        port: 9000`),
  );
  t.equal(conn(c, CLIENT, SERVER), 'SCTP 9000,TCP 8000-8010,UDP 1-65535');
});

t.test('named ports resolve on the destination with the same protocol', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - ports:
      - port: http
      - port: dns
        protocol: TCP
      - port: dns
        protocol: UDP
      - port: missing`),
  );
  t.equal(conn(c, CLIENT, SERVER), 'TCP 8080,UDP 5353', 'dns/TCP resolves to nothing (declared UDP)');
  const egress = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
policyTypes: [Egress]
egress:
  - ports: [{ port: http }]`),
  );
  t.equal(conn(egress, CLIENT, SERVER), 'TCP 8080', 'egress named port resolves on the destination');
  t.equal(conn(egress, CLIENT, OTHER), 'No Connections', 'other declares no http port');
  t.equal(conn(egress, CLIENT, '8.8.8.8'), 'No Connections', 'named ports never match External');
});

t.test('ipBlock: except at the CIDR edges, IPv6, and pod IPs', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: client } }
policyTypes: [Egress]
egress:
  - to:
      - ipBlock: { cidr: 192.168.0.0/16, except: [192.168.1.0/24] }
      - ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] }
      - ipBlock: { cidr: 10.0.1.2/32 }`),
  );
  t.equal(conn(c, CLIENT, '192.168.0.255'), 'All Connections', 'just below the except');
  t.equal(conn(c, CLIENT, '192.168.1.0'), 'No Connections', 'first address of the except');
  t.equal(conn(c, CLIENT, '192.168.1.255'), 'No Connections', 'last address of the except');
  t.equal(conn(c, CLIENT, '192.168.2.0'), 'All Connections', 'just above the except');
  t.equal(conn(c, CLIENT, '192.169.0.0'), 'No Connections', 'outside the cidr');
  t.equal(conn(c, CLIENT, '2001:db8::1'), 'All Connections', 'IPv6 inside');
  t.equal(conn(c, CLIENT, '2001:db8:1::1'), 'No Connections', 'IPv6 except');
  t.equal(conn(c, CLIENT, SERVER), 'All Connections', 'ipBlock matches the pod by its IP');
  t.equal(conn(c, CLIENT, OTHER), 'No Connections', 'pod outside every block');
});

t.test('ipBlock except on a pod IP excludes that pod', async (t) => {
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from: [{ ipBlock: { cidr: 10.0.0.0/16, except: [10.0.1.1/32] } }]`),
  );
  t.equal(conn(c, CLIENT, SERVER), 'No Connections', 'client 10.0.1.1 is excepted');
  t.equal(conn(c, OTHER, SERVER), 'All Connections', 'other 10.0.2.1 is inside');
});

t.test('a connection needs both the egress and the ingress side', async (t) => {
  const c = connectivityWith(
    policy(
      `
podSelector: { matchLabels: { role: client } }
policyTypes: [Egress]
egress: [{ ports: [{ port: 80 }, { port: 443 }] }]`,
      'a',
      'client-egress',
    ) +
      policy(
        `
podSelector: { matchLabels: { role: server } }
ingress: [{ ports: [{ port: 443 }, { port: 8443 }] }]`,
        'a',
        'server-ingress',
      ),
  );
  t.equal(conn(c, CLIENT, SERVER), 'TCP 443', 'intersection of both sides');
});

t.test('workload peers: controller owner, bare pods, node-owned pods, templates', async (t) => {
  const base = `
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-1
  namespace: default
  labels: { app: web }
  ownerReferences: [{ kind: ReplicaSet, name: web-abc, controller: true, apiVersion: apps/v1, uid: u }]
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-2
  namespace: default
  labels: { app: web }
  ownerReferences: [{ kind: ReplicaSet, name: web-abc, controller: true, apiVersion: apps/v1, uid: u }]
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: static-node1
  namespace: kube-system
  ownerReferences: [{ kind: Node, name: node1, controller: true, apiVersion: v1, uid: n }]
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: helper
  namespace: default
  ownerReferences: [{ kind: ReplicaSet, name: not-controller, apiVersion: apps/v1, uid: v }]
spec: { containers: [{ name: c, image: x }] }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: nightly } }
        spec: { containers: [{ name: c, image: x }], restartPolicy: Never }
`;
  const c = connectivityWith('', base);
  t.same([...c.endpoints].sort(), [
    'default/helper[Pod]',
    'default/nightly[CronJob]',
    'default/web-abc[ReplicaSet]',
    'kube-system/static-node1[Pod]',
  ]);
});

t.test('equal pod-only peers in two namespaces select in each policy’s own namespace', async (t) => {
  // Rule targets are cached by content: the policy's namespace is part of what a peer without
  // namespaceSelector selects, so the two rules below must not share their targets.
  const c = connectivityWith(
    policy(`
podSelector: { matchLabels: { role: server } }
ingress:
  - from: [{ podSelector: { matchLabels: { role: client } } }]
`) +
      policy(
        `
podSelector: { matchLabels: { role: client } }
policyTypes: [Egress]
egress:
  - to: [{ podSelector: { matchLabels: { role: client } } }]
`,
        'b',
        'q',
      ),
  );
  t.equal(conn(c, CLIENT, SERVER), 'All Connections', 'a/client is a client of a');
  t.equal(conn(c, OTHER, CLIENT), 'No Connections', 'b/other may reach clients of b only');
  t.equal(conn(c, OTHER, SERVER), 'No Connections');
});
