/**
 * Cluster DNS: where it answers, and whether a pod can reach it.
 *
 * Default (no `dns.endpoints` in the configuration): the pods selected by
 * the `kube-system/kube-dns` Service, on its target ports resolved to the
 * pods' container ports (policies apply after Service DNAT), UDP and TCP.
 * Without that Service: pods labelled `k8s-app=kube-dns` in `kube-system`
 * on port 53. When no such pod is in the state (manifests of one team), an
 * assumed DNS endpoint with those labels stands in, so a policy that blocks
 * DNS is still caught.
 */
import type { DnsConfig, DnsEndpoint } from '../model/config.js';
import type { ClusterSnapshot, LabelSelector, Labels, Protocol } from '../model/records.js';
import type { ClassIndex, EndpointClass, EndpointSpec } from '../semantics/classes.js';
import { allowsPort } from '../semantics/connection-set.js';
import type { Evaluator } from '../semantics/evaluate.js';
import { parseAddress } from '../semantics/ip-set.js';
import type { IpRange } from '../semantics/ip-set.js';
import { formatSelector, matchSelector } from '../semantics/selectors.js';

export const DEFAULT_DNS_NAMESPACE = 'kube-system';
export const DEFAULT_DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' };
export const DNS_PORT = 53;

interface DnsPort {
  readonly protocol: Protocol;
  readonly port: number;
}

/** A resolved DNS endpoint description, before classification. */
export interface DnsPlanItem {
  readonly label: string;
  readonly target:
    | { readonly kind: 'pods'; readonly namespace: string; readonly podSelector: LabelSelector }
    | { readonly kind: 'address'; readonly address: string };
  readonly ports: readonly DnsPort[];
}

export interface DnsPlan {
  readonly items: readonly DnsPlanItem[];
  /** Endpoints standing in for DNS pods that the state does not contain. */
  readonly assumedEndpoints: readonly EndpointSpec[];
}

const defaultPorts: readonly DnsPort[] = [
  { protocol: 'UDP', port: DNS_PORT },
  { protocol: 'TCP', port: DNS_PORT },
];

function selectorOfLabels(labels: Labels): LabelSelector {
  return { matchLabels: labels, matchExpressions: [] };
}

function podsMatching(snapshot: ClusterSnapshot, namespace: string, sel: LabelSelector) {
  return snapshot.pods.filter((p) => p.namespace === namespace && matchSelector(sel, p.labels));
}

function workloadsMatching(snapshot: ClusterSnapshot, namespace: string, sel: LabelSelector) {
  return snapshot.workloads.filter((w) => w.namespace === namespace && matchSelector(sel, w.labels));
}

/** The kube-dns Service's ports resolved to container ports of the DNS pods. */
function portsFromService(snapshot: ClusterSnapshot, sel: LabelSelector): DnsPort[] {
  const svc = snapshot.services.find((s) => s.namespace === DEFAULT_DNS_NAMESPACE && s.name === 'kube-dns');
  if (!svc) return [];
  const containerPorts = [
    ...podsMatching(snapshot, DEFAULT_DNS_NAMESPACE, sel).flatMap((p) => p.ports),
    ...workloadsMatching(snapshot, DEFAULT_DNS_NAMESPACE, sel).flatMap((w) => w.ports),
  ];
  const out = new Map<string, DnsPort>();
  for (const sp of svc.ports) {
    if (sp.protocol === 'SCTP') continue;
    if (typeof sp.targetPort === 'number') {
      out.set(`${sp.protocol}/${sp.targetPort}`, { protocol: sp.protocol, port: sp.targetPort });
      continue;
    }
    for (const cp of containerPorts) {
      if (cp.name === sp.targetPort && cp.protocol === sp.protocol) {
        out.set(`${cp.protocol}/${cp.port}`, { protocol: cp.protocol, port: cp.port });
      }
    }
  }
  return [...out.values()];
}

function defaultItems(snapshot: ClusterSnapshot): DnsPlanItem[] {
  const svc = snapshot.services.find((s) => s.namespace === DEFAULT_DNS_NAMESPACE && s.name === 'kube-dns');
  const sel = selectorOfLabels(svc?.selector ?? DEFAULT_DNS_LABELS);
  const ports = portsFromService(snapshot, sel);
  return [
    {
      label: `${DEFAULT_DNS_NAMESPACE}/kube-dns`,
      target: { kind: 'pods', namespace: DEFAULT_DNS_NAMESPACE, podSelector: sel },
      ports: ports.length > 0 ? ports : defaultPorts,
    },
  ];
}

function configuredItem(e: DnsEndpoint): DnsPlanItem {
  const ports = e.ports.length > 0 ? e.ports : defaultPorts;
  if (e.kind === 'address')
    return { label: e.address, target: { kind: 'address', address: e.address }, ports };
  return {
    label: `${e.namespace}/${formatSelector(e.podSelector)}`,
    target: { kind: 'pods', namespace: e.namespace, podSelector: e.podSelector },
    ports,
  };
}

/** Labels a stand-in pod needs to be selected by `sel` (best effort for expressions). */
function labelsSatisfying(sel: LabelSelector): Labels {
  const labels: Record<string, string> = { ...sel.matchLabels };
  for (const r of sel.matchExpressions) {
    if (r.operator === 'In' && r.values[0] !== undefined) labels[r.key] = r.values[0];
    if (r.operator === 'Exists') labels[r.key] = 'true';
  }
  return labels;
}

export function planDns(snapshot: ClusterSnapshot, config: DnsConfig): DnsPlan {
  const items = [
    ...(config.deriveFromCluster ? defaultItems(snapshot) : []),
    ...config.endpoints.map(configuredItem),
  ];
  const assumedEndpoints: EndpointSpec[] = [];
  for (const item of items) {
    if (item.target.kind !== 'pods') continue;
    const { namespace, podSelector } = item.target;
    const present =
      podsMatching(snapshot, namespace, podSelector).length > 0 ||
      workloadsMatching(snapshot, namespace, podSelector).length > 0;
    if (present) continue;
    const name = item.label.split('/')[1] ?? 'dns';
    assumedEndpoints.push({
      id: `${namespace}/${name}[assumed DNS]`,
      namespace,
      name,
      kind: 'assumed DNS',
      origin: 'template',
      members: [
        {
          labels: labelsSatisfying(podSelector),
          ports: item.ports.map((p) => ({ name: null, port: p.port, protocol: p.protocol })),
          ips: [],
          hostNetwork: false,
        },
      ],
    });
  }
  return { items, assumedEndpoints };
}

export interface DnsTarget {
  readonly label: string;
  /** The DNS pods, when the endpoint is pods (null for an address). */
  readonly pods: { readonly namespace: string; readonly podSelector: LabelSelector } | null;
  readonly address: string | null;
  readonly classes: readonly EndpointClass[];
  readonly atom: IpRange | null;
  readonly ports: readonly DnsPort[];
}

export function resolveDnsTargets(plan: DnsPlan, index: ClassIndex): DnsTarget[] {
  return plan.items.map((item) => {
    if (item.target.kind === 'address') {
      const a = parseAddress(item.target.address);
      return {
        label: item.label,
        pods: null,
        address: item.target.address,
        classes: [],
        atom: a ? { family: a.family, lo: a.value, hi: a.value } : null,
        ports: item.ports,
      };
    }
    const { namespace, podSelector } = item.target;
    return {
      label: item.label,
      pods: { namespace, podSelector },
      address: null,
      classes: (index.classesByNamespace.get(namespace) ?? []).filter((c) =>
        matchSelector(podSelector, c.labels),
      ),
      atom: null,
      ports: item.ports,
    };
  });
}

export function isDnsClass(targets: readonly DnsTarget[], c: EndpointClass): boolean {
  return targets.some((t) => t.classes.includes(c));
}

/** True when `c` can reach at least one DNS endpoint over `protocol` on its DNS port. */
export function reachesDns(
  evaluator: Evaluator,
  targets: readonly DnsTarget[],
  c: EndpointClass,
  protocol: Protocol,
): boolean {
  for (const t of targets) {
    const ports = t.ports.filter((p) => p.protocol === protocol);
    if (ports.length === 0) continue;
    if (t.atom) {
      const conn = evaluator.allowedToExternal(c, t.atom);
      if (ports.some((p) => allowsPort(conn, protocol, p.port))) return true;
    }
    for (const dst of t.classes) {
      if (dst === c) continue;
      const conn = evaluator.allowed(c, dst);
      if (ports.some((p) => allowsPort(conn, protocol, p.port))) return true;
    }
  }
  return false;
}
