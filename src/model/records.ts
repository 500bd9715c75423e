/**
 * Plain record types shared by every layer.
 *
 * These are small projections of Kubernetes objects: they carry exactly what
 * the NetworkPolicy engine and the checks need (namespace, name, labels, IPs,
 * declared ports, hostNetwork, owner), never whole API objects. Every layer
 * above `model/` speaks in these types; nothing here does I/O.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['SCTP', 'TCP', 'UDP'];

export type Direction = 'ingress' | 'egress';

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface SelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** A Kubernetes LabelSelector; `{}` (both lists empty) selects everything. */
export interface LabelSelector {
  readonly matchLabels: Labels;
  readonly matchExpressions: readonly SelectorRequirement[];
}

export interface NamespaceRecord {
  readonly name: string;
  /** Always contains `kubernetes.io/metadata.name=<name>`. */
  readonly labels: Labels;
  /** `Terminating` while the namespace is being deleted. */
  readonly phase: 'Active' | 'Terminating';
  /** True when the namespace was not declared but is referenced by another object. */
  readonly implicit: boolean;
}

/** A container port as declared in a pod (template) spec. */
export interface ContainerPort {
  readonly name: string | null;
  readonly port: number;
  readonly protocol: Protocol;
}

export type WorkloadKind =
  'Deployment' | 'ReplicaSet' | 'ReplicationController' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
];

export interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodRecord {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** `status.podIPs` (or `status.podIP`), possibly empty. */
  readonly ips: readonly string[];
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  readonly phase: PodPhase | null;
  /** The controller ownerReference (`controller: true`), or null. */
  readonly owner: OwnerRef | null;
}

/** A workload object; its labels and ports are those of its pod template. */
export interface WorkloadRecord {
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** `spec.replicas` where the kind has it; null when absent or not applicable. */
  readonly replicas: number | null;
  /** Container images of the pod template (used to recognise CNIs). */
  readonly images: readonly string[];
  /** The workload's own labels (metadata.labels), used to recognise CNIs. */
  readonly objectLabels: Labels;
  /** The controller ownerReference of the workload itself (a ReplicaSet owned by a Deployment). */
  readonly owner: OwnerRef | null;
}

export interface ServicePort {
  readonly name: string | null;
  readonly port: number;
  /** A number or a container port name; defaults to `port`. */
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

export interface ServiceRecord {
  readonly namespace: string;
  readonly name: string;
  readonly type: string;
  /** null when the Service has no selector (endpoints managed by hand). */
  readonly selector: Labels | null;
  /** `spec.clusterIPs` / `spec.clusterIP`, without `None`. */
  readonly clusterIPs: readonly string[];
  readonly ports: readonly ServicePort[];
}

export interface IPBlock {
  readonly cidr: string;
  readonly except: readonly string[];
}

/** One `from`/`to` entry of a rule. */
export type PeerRecord =
  | {
      readonly kind: 'selector';
      /** null: the policy's own namespace. */
      readonly namespaceSelector: LabelSelector | null;
      /** null: every pod of the selected namespaces. */
      readonly podSelector: LabelSelector | null;
    }
  | { readonly kind: 'ipBlock'; readonly ipBlock: IPBlock };

export interface PortRecord {
  readonly protocol: Protocol;
  /** null: every port of the protocol. */
  readonly port: number | string | null;
  readonly endPort: number | null;
}

export interface RuleRecord {
  /** Empty: every pod and every external address. */
  readonly peers: readonly PeerRecord[];
  /** Empty: every protocol and port. */
  readonly ports: readonly PortRecord[];
}

export interface PolicyRecord {
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** null when `policyTypes` is absent from the object. */
  readonly policyTypes: readonly Direction[] | null;
  readonly ingress: readonly RuleRecord[];
  readonly egress: readonly RuleRecord[];
  readonly annotations: Labels;
}

/** Everything the engine and the checks know about a cluster. */
export interface ClusterSnapshot {
  readonly namespaces: readonly NamespaceRecord[];
  readonly pods: readonly PodRecord[];
  readonly workloads: readonly WorkloadRecord[];
  readonly policies: readonly PolicyRecord[];
  readonly services: readonly ServiceRecord[];
}

export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
export const DEFAULT_NAMESPACE = 'default';

export function policyKey(p: { readonly namespace: string; readonly name: string }): string {
  return `${p.namespace}/${p.name}`;
}

const namespacesByName = new WeakMap<readonly NamespaceRecord[], ReadonlyMap<string, NamespaceRecord>>();

/**
 * The snapshot's namespace named `name` (undefined when it has none): looked up in a map built
 * once per namespace list, which every snapshot derived by a policy change shares.
 */
export function findNamespace(snapshot: ClusterSnapshot, name: string): NamespaceRecord | undefined {
  let byName = namespacesByName.get(snapshot.namespaces);
  if (!byName) {
    byName = new Map(snapshot.namespaces.map((n) => [n.name, n]));
    namespacesByName.set(snapshot.namespaces, byName);
  }
  return byName.get(name);
}
