/**
 * A deterministic (seeded) generator of realistic clusters and of a stream
 * of NetworkPolicy changes to admit, as raw Kubernetes objects, so every
 * benchmark goes through the same parsing/projection code as real input.
 *
 * Shape: namespaces with team/env labels; apps as Deployments (most) and
 * StatefulSets with several replicas, their pods owned by ReplicaSets /
 * StatefulSets, named ports; a few DaemonSets; CoreDNS and Calico in
 * kube-system; a monitoring namespace. Policies per namespace: default-deny
 * (most namespaces), allow-DNS, app-to-app ingress with named and numeric
 * ports, namespaceSelector+podSelector peers (monitoring scrapes),
 * matchExpressions, ipBlock egress with excepts.
 */

export interface ClusterSize {
  readonly name: string;
  readonly namespaces: number;
  readonly pods: number;
  readonly policies: number;
}

export const SIZES: Readonly<Record<'S' | 'M' | 'L', ClusterSize>> = {
  S: { name: 'S', namespaces: 50, pods: 2_000, policies: 200 },
  M: { name: 'M', namespaces: 500, pods: 20_000, policies: 2_000 },
  L: { name: 'L', namespaces: 2_000, pods: 150_000, policies: 10_000 },
};

export type RawObject = Record<string, unknown> & {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
};

export interface ChangeSpec {
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE';
  /** The new object (CREATE, UPDATE). */
  readonly object: RawObject | null;
  /** The current object (UPDATE, DELETE). */
  readonly oldObject: RawObject | null;
}

export interface GeneratedCluster {
  readonly size: ClusterSize;
  readonly objects: readonly RawObject[];
  readonly changes: readonly ChangeSpec[];
  readonly podCount: number;
  readonly policyCount: number;
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TIERS = ['web', 'api', 'worker', 'data'] as const;
const APP_WORDS = [
  'cart',
  'checkout',
  'search',
  'catalog',
  'auth',
  'billing',
  'orders',
  'profile',
  'reports',
  'media',
  'ledger',
  'events',
  'gateway',
  'notify',
  'pricing',
  'stock',
];

function ipOf(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

interface App {
  readonly namespace: string;
  readonly name: string;
  readonly tier: (typeof TIERS)[number];
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly replicas: number;
  readonly port: { name: string; number: number };
}

function podTemplate(
  labels: Record<string, string>,
  ports: { name: string; containerPort: number; protocol?: string }[],
  image: string,
) {
  return {
    metadata: { labels },
    spec: { containers: [{ name: 'main', image, ports }] },
  };
}

function policy(namespace: string, name: string, spec: Record<string, unknown>): RawObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};
const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

export function generateCluster(size: ClusterSize, seed = 42): GeneratedCluster {
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const objects: RawObject[] = [];
  let ipCounter = 1 << 8;
  let podCount = 0;
  const policies: RawObject[] = [];

  // kube-system: CoreDNS, Calico (hostNetwork DaemonSet, one pod per node).
  objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  objects.push({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'monitoring', labels: { team: 'platform' } },
  });
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: podTemplate(
        { 'k8s-app': 'kube-dns' },
        [
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
          { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
        ],
        'coredns',
      ),
    },
  });
  objects.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system' },
    spec: {
      clusterIP: '10.96.0.10',
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  });
  const nodes = Math.max(3, Math.round(size.pods / 40));
  const addPod = (
    namespace: string,
    name: string,
    labels: Record<string, string>,
    owner: { kind: string; name: string } | null,
    ports: { name: string; containerPort: number; protocol?: string }[],
    hostNetwork = false,
  ): void => {
    podCount++;
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels,
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: owner.kind,
                  name: owner.name,
                  uid: `${namespace}-${owner.name}`,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: { hostNetwork, containers: [{ name: 'main', image: 'app', ports }] },
      status: {
        phase: 'Running',
        podIP: hostNetwork ? `192.168.${(podCount >> 8) & 255}.${podCount & 255}` : ipOf(ipCounter++),
      },
    });
  };
  for (let i = 0; i < 2; i++)
    addPod(
      'kube-system',
      `coredns-5d78c9869d-${i}`,
      { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' },
      { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' },
      [
        { name: 'dns', containerPort: 53, protocol: 'UDP' },
        { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      ],
    );
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'calico-node', namespace: 'kube-system', labels: { 'k8s-app': 'calico-node' } },
    spec: {
      selector: { matchLabels: { 'k8s-app': 'calico-node' } },
      template: {
        metadata: { labels: { 'k8s-app': 'calico-node' } },
        spec: { hostNetwork: true, containers: [{ name: 'calico-node', image: 'calico/node:v3.28.0' }] },
      },
    },
  });
  for (let n = 0; n < nodes; n++)
    addPod(
      'kube-system',
      `calico-node-${n}`,
      { 'k8s-app': 'calico-node' },
      { kind: 'DaemonSet', name: 'calico-node' },
      [],
      true,
    );
  // Monitoring: Prometheus scrapes every namespace's metrics port.
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'prometheus', namespace: 'monitoring' },
    spec: {
      replicas: 2,
      serviceName: 'prometheus',
      selector: { matchLabels: { app: 'prometheus' } },
      template: podTemplate({ app: 'prometheus' }, [{ name: 'web', containerPort: 9090 }], 'prometheus'),
    },
  });
  for (let i = 0; i < 2; i++)
    addPod(
      'monitoring',
      `prometheus-${i}`,
      { app: 'prometheus' },
      { kind: 'StatefulSet', name: 'prometheus' },
      [{ name: 'web', containerPort: 9090 }],
    );

  const podsPerNamespace = Math.max(1, Math.floor((size.pods - podCount) / size.namespaces));
  const policiesPerNamespace = Math.max(1, Math.round(size.policies / size.namespaces));
  const allApps: App[] = [];
  for (let k = 0; k < size.namespaces; k++) {
    const ns = `team-${String(k).padStart(4, '0')}`;
    const env = pick(['prod', 'staging', 'dev'] as const);
    objects.push({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns, labels: { team: `t${k % 97}`, env } },
    });
    // Apps until the namespace's pod budget is spent.
    const apps: App[] = [];
    let budget = podsPerNamespace;
    let a = 0;
    while (budget > 0) {
      const replicas = Math.min(budget, 1 + Math.floor(random() * 5));
      const tier = TIERS[a % TIERS.length] as App['tier'];
      const app: App = {
        namespace: ns,
        name: `${APP_WORDS[a % APP_WORDS.length]}${a >= APP_WORDS.length ? `-${Math.floor(a / APP_WORDS.length)}` : ''}`,
        tier,
        kind: tier === 'data' ? 'StatefulSet' : 'Deployment',
        replicas,
        port:
          tier === 'web'
            ? { name: 'http', number: 8080 }
            : tier === 'api'
              ? { name: 'grpc', number: 9090 }
              : { name: 'tcp', number: 7000 + (a % 100) },
      };
      apps.push(app);
      budget -= replicas;
      a++;
    }
    for (const app of apps) {
      const labels = { app: app.name, tier: app.tier };
      const ports = [
        { name: app.port.name, containerPort: app.port.number },
        { name: 'metrics', containerPort: 9100 },
      ];
      objects.push({
        apiVersion: 'apps/v1',
        kind: app.kind,
        metadata: { name: app.name, namespace: ns },
        spec: {
          replicas: app.replicas,
          selector: { matchLabels: { app: app.name } },
          template: podTemplate(labels, ports, `example/${app.name}`),
          ...(app.kind === 'StatefulSet' ? { serviceName: app.name } : {}),
        },
      });
      const hash = (Math.floor(random() * 0xfffffff) >>> 0).toString(16);
      const owner =
        app.kind === 'Deployment'
          ? { kind: 'ReplicaSet', name: `${app.name}-${hash}` }
          : { kind: 'StatefulSet', name: app.name };
      for (let r = 0; r < app.replicas; r++) {
        const podLabels =
          app.kind === 'Deployment'
            ? { ...labels, 'pod-template-hash': hash }
            : { ...labels, 'apps.kubernetes.io/pod-index': String(r) };
        addPod(ns, `${owner.name}-${r}`, podLabels, owner, ports);
      }
    }
    allApps.push(...apps);
    // Policies: most namespaces default-deny both directions with allow-DNS.
    const nsPolicies: RawObject[] = [];
    const lockedDown = random() < 0.9;
    if (lockedDown) {
      nsPolicies.push(policy(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
      nsPolicies.push(
        policy(ns, 'allow-dns', {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ to: [DNS_PEER], ports: DNS_PORTS }],
        }),
      );
    }
    nsPolicies.push(
      policy(ns, 'allow-monitoring', {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
                podSelector: { matchLabels: { app: 'prometheus' } },
              },
            ],
            ports: [{ port: 'metrics' }],
          },
        ],
      }),
    );
    for (let i = 0; nsPolicies.length < policiesPerNamespace && i < apps.length; i++) {
      const target = apps[i] as App;
      const callers = apps.filter((x) => x !== target && TIERS.indexOf(x.tier) < TIERS.indexOf(target.tier));
      if (target.tier === 'web') {
        nsPolicies.push(
          policy(ns, `allow-${target.name}-from-anywhere`, {
            podSelector: { matchLabels: { app: target.name } },
            policyTypes: ['Ingress'],
            ingress: [{ ports: [{ port: target.port.name }] }],
          }),
        );
      } else if (callers.length > 0) {
        nsPolicies.push(
          policy(ns, `allow-${target.name}`, {
            podSelector: { matchLabels: { app: target.name } },
            policyTypes: ['Ingress'],
            ingress: [
              {
                from: [
                  {
                    podSelector: {
                      matchExpressions: [
                        { key: 'tier', operator: 'In', values: TIERS.slice(0, TIERS.indexOf(target.tier)) },
                      ],
                    },
                  },
                ],
                ports: [{ port: random() < 0.5 ? target.port.name : target.port.number }],
              },
            ],
          }),
        );
      }
      if (lockedDown && nsPolicies.length < policiesPerNamespace && callers.length > 0) {
        nsPolicies.push(
          policy(ns, `egress-to-${target.name}`, {
            podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] },
            policyTypes: ['Egress'],
            egress: [
              {
                to: [{ podSelector: { matchLabels: { app: target.name } } }],
                ports: [
                  { port: target.port.number, endPort: target.port.number + (random() < 0.2 ? 10 : 0) },
                ],
              },
            ],
          }),
        );
      }
      if (nsPolicies.length < policiesPerNamespace && random() < 0.3) {
        const base = 20 + Math.floor(random() * 180);
        const second = Math.floor(random() * 250);
        const third = Math.floor(random() * 250);
        nsPolicies.push(
          policy(ns, `egress-${target.name}-partners`, {
            podSelector: { matchLabels: { app: target.name } },
            policyTypes: ['Egress'],
            egress: [
              {
                to: [
                  {
                    ipBlock: {
                      cidr: `${base}.${second}.0.0/16`,
                      except: [`${base}.${second}.${third}.0/24`],
                    },
                  },
                ],
                ports: [{ port: 443 }],
              },
            ],
          }),
        );
      }
    }
    policies.push(...nsPolicies.slice(0, Math.max(policiesPerNamespace, 1)));
  }
  objects.push(...policies);

  // The change stream: what teams actually do.
  const changes: ChangeSpec[] = [];
  const byKey = new Map(policies.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
  for (let i = 0; i < 200; i++) {
    const app = pick(allApps);
    const r = random();
    if (r < 0.35) {
      const caller = pick(allApps.filter((x) => x.namespace === app.namespace));
      changes.push({
        operation: 'CREATE',
        object: policy(app.namespace, `allow-${app.name}-from-${caller.name}-${i}`, {
          podSelector: { matchLabels: { app: app.name } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [{ podSelector: { matchLabels: { app: caller.name } } }],
              ports: [{ port: app.port.name }],
            },
          ],
        }),
        oldObject: null,
      });
    } else if (r < 0.5) {
      changes.push({
        operation: 'CREATE',
        object: policy(app.namespace, `lock-egress-${app.name}-${i}`, {
          podSelector: { matchLabels: { app: app.name } },
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: { matchLabels: { env: 'prod' } },
                  podSelector: { matchLabels: { tier: 'api' } },
                },
              ],
              ports: [{ port: 9090 }],
            },
          ],
        }),
        oldObject: null,
      });
    } else if (r < 0.75) {
      const old =
        byKey.get(`${app.namespace}/allow-${app.name}`) ?? byKey.get(`${app.namespace}/allow-monitoring`);
      if (!old) continue;
      const spec = JSON.parse(JSON.stringify(old.spec)) as { ingress?: { ports?: unknown[] }[] };
      if (spec.ingress?.[0]) spec.ingress[0].ports = [{ port: 8443 }, { port: 'metrics' }];
      changes.push({ operation: 'UPDATE', object: { ...old, spec }, oldObject: old });
    } else {
      const old = byKey.get(`${app.namespace}/allow-dns`) ?? byKey.get(`${app.namespace}/allow-monitoring`);
      if (!old) continue;
      changes.push({ operation: 'DELETE', object: null, oldObject: old });
    }
  }
  return { size, objects, changes, podCount, policyCount: policies.length };
}
