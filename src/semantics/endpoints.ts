/**
 * Which endpoints (peers) a snapshot has, and how pods are grouped into them.
 *
 * A Pod is grouped under its controller owner as `ns/<owner>[<OwnerKind>]`
 * (all pods of one ReplicaSet form one peer); a Pod without a controller
 * owner, or owned by a Node (static pods), is `ns/<pod>[Pod]`; a workload
 * object is one peer `ns/<name>[<Kind>]` with its pod template's labels and
 * ports. Peers with the same id are merged.
 */
import type { ClusterSnapshot, OwnerRef, PodRecord } from '../model/records.js';
import { WORKLOAD_KINDS } from '../model/records.js';
import type { EndpointMember, EndpointSpec } from './classes.js';
import type { Steps } from './steps.js';
import { drain, forEachInSteps } from './steps.js';

export function formatPeerId(namespace: string, name: string, kind: string): string {
  return `${namespace}/${name}[${kind}]`;
}

function podPeer(p: PodRecord, chainOf: OwnerChain | null): { name: string; kind: string } {
  if (!p.owner || p.owner.kind === 'Node') return { name: p.name, kind: 'Pod' };
  const top = chainOf ? (chainOf(p.namespace, p.owner).at(-1) ?? p.owner) : p.owner;
  return { name: top.name, kind: top.kind };
}

/** Pods in phase Succeeded or Failed do not run. */
function isCompleted(p: PodRecord): boolean {
  return p.phase === 'Succeeded' || p.phase === 'Failed';
}

function memberOfPod(p: PodRecord): EndpointMember {
  return { labels: p.labels, ports: p.ports, ips: p.ips, hostNetwork: p.hostNetwork };
}

export interface EndpointOptions {
  /**
   * Name pods after their top-level workload (`ns/web[Deployment]`) rather than
   * their direct controller (`ns/web-5d9c7b[ReplicaSet]`, netpol-analyzer's convention).
   */
  readonly nameByTopOwner: boolean;
  /** Leave out pods in phase Succeeded or Failed (they do not run). */
  readonly skipCompletedPods: boolean;
  /**
   * Leave out workload objects whose pods are in the snapshot (they would be counted twice),
   * and workloads owned by another workload (a Deployment's ReplicaSets).
   */
  readonly skipWorkloadsWithPods: boolean;
}

/** netpol-analyzer's conventions: every pod counts, pods and workload objects are not deduplicated. */
export const CONNECTIVITY_ENDPOINTS: EndpointOptions = {
  nameByTopOwner: false,
  skipCompletedPods: false,
  skipWorkloadsWithPods: false,
};

/** What the admission checks see: running pods, and workload templates only for future pods. */
export const ANALYSIS_ENDPOINTS: EndpointOptions = {
  nameByTopOwner: true,
  skipCompletedPods: true,
  skipWorkloadsWithPods: true,
};

/** The chain of owners from a direct owner upwards; the same array for the same owner. */
type OwnerChain = (namespace: string, owner: OwnerRef) => readonly OwnerRef[];

/**
 * Follows ownerReferences through the workload objects of the snapshot
 * (Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob). When the owner
 * object itself is absent, a Deployment or CronJob of the snapshot is still
 * recognised by the generated name (`<deployment>-<pod-template-hash>`,
 * `<cronjob>-<time>`). Returns the chain from the direct owner upwards.
 */
function ownerChainResolver(snapshot: ClusterSnapshot): OwnerChain {
  const key = (ns: string, kind: string, name: string): string => `${ns}/${kind}/${name}`;
  const ownerOf = new Map<string, OwnerRef>();
  const declared = new Set<string>();
  for (const w of snapshot.workloads) {
    declared.add(key(w.namespace, w.kind, w.name));
    if (w.owner) ownerOf.set(key(w.namespace, w.kind, w.name), w.owner);
  }
  // Every pod of a ReplicaSet has the same owner: its chain is walked once.
  const chains = new Map<string, OwnerRef[]>();
  return (namespace, direct) => {
    const memo = key(namespace, direct.kind, direct.name);
    const known = chains.get(memo);
    if (known) return known;
    const chain: OwnerRef[] = [];
    let owner: OwnerRef | null = direct;
    while (owner && chain.length < 4) {
      chain.push(owner);
      const k = key(namespace, owner.kind, owner.name);
      let parent: OwnerRef | null = ownerOf.get(k) ?? null;
      if (!parent && !declared.has(k)) {
        const parentKind: string | null =
          owner.kind === 'ReplicaSet' ? 'Deployment' : owner.kind === 'Job' ? 'CronJob' : null;
        const cut: number = owner.name.lastIndexOf('-');
        const candidate: string = cut > 0 ? owner.name.slice(0, cut) : '';
        if (parentKind && declared.has(key(namespace, parentKind, candidate))) {
          parent = { kind: parentKind, name: candidate };
        }
      }
      owner = parent;
    }
    chains.set(memo, chain);
    return chain;
  };
}

/** Keys `ns/Kind/name` of the workload objects that have (running, per options) pods in the snapshot. */
function* workloadsWithPods(
  snapshot: ClusterSnapshot,
  options: EndpointOptions,
  chainOf: OwnerChain,
): Steps<Set<string>> {
  const running = new Set<string>();
  const counted = new Set<readonly OwnerRef[]>();
  yield* forEachInSteps(snapshot.pods, (p) => {
    if ((options.skipCompletedPods && isCompleted(p)) || !p.owner) return;
    const chain = chainOf(p.namespace, p.owner);
    // One chain per owner (see ownerChainResolver): its workloads are added once.
    if (counted.has(chain)) return;
    counted.add(chain);
    for (const o of chain) running.add(`${p.namespace}/${o.kind}/${o.name}`);
  });
  return running;
}

export function listEndpoints(snapshot: ClusterSnapshot, options: EndpointOptions): EndpointSpec[] {
  return drain(listEndpointsSteps(snapshot, options));
}

/** listEndpoints in slices (see steps.ts). */
export function* listEndpointsSteps(
  snapshot: ClusterSnapshot,
  options: EndpointOptions,
): Steps<EndpointSpec[]> {
  const resolver =
    options.nameByTopOwner || options.skipWorkloadsWithPods ? ownerChainResolver(snapshot) : null;
  const chainOf = options.nameByTopOwner ? resolver : null;
  const byId = new Map<string, { spec: Omit<EndpointSpec, 'members'>; members: EndpointMember[] }>();
  const add = (spec: Omit<EndpointSpec, 'members'>, member: EndpointMember): void => {
    const hit = byId.get(spec.id);
    if (hit) {
      hit.members.push(member);
      if (spec.origin === 'pods' && hit.spec.origin !== 'pods') hit.spec = { ...hit.spec, origin: 'pods' };
    } else {
      byId.set(spec.id, { spec, members: [member] });
    }
  };
  yield* forEachInSteps(snapshot.pods, (p) => {
    if (options.skipCompletedPods && isCompleted(p)) return;
    const { name, kind } = podPeer(p, chainOf);
    add(
      { id: formatPeerId(p.namespace, name, kind), namespace: p.namespace, name, kind, origin: 'pods' },
      memberOfPod(p),
    );
  });
  const running =
    options.skipWorkloadsWithPods && resolver
      ? yield* workloadsWithPods(snapshot, options, resolver)
      : new Set<string>();
  yield* forEachInSteps(snapshot.workloads, (w) => {
    if (options.skipWorkloadsWithPods) {
      if (running.has(`${w.namespace}/${w.kind}/${w.name}`)) return;
      // A ReplicaSet of a Deployment (or a Job of a CronJob) is represented by its owner.
      if (w.owner && (WORKLOAD_KINDS as readonly string[]).includes(w.owner.kind)) return;
    }
    add(
      {
        id: formatPeerId(w.namespace, w.name, w.kind),
        namespace: w.namespace,
        name: w.name,
        kind: w.kind,
        origin: 'template',
      },
      { labels: w.labels, ports: w.ports, ips: [], hostNetwork: w.hostNetwork },
    );
  });
  return [...byId.values()]
    .map(({ spec, members }) => ({ ...spec, members }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The endpoint a user names as `ns/name`: a pod of that name (just that pod,
 * under its peer id), else a workload or controller owner of that name (all
 * its pods, or its template when it has none). Null when nothing matches.
 */
export function findEndpoint(
  snapshot: ClusterSnapshot,
  namespace: string,
  name: string,
): EndpointSpec | null {
  const pod = snapshot.pods.find((p) => p.namespace === namespace && p.name === name);
  if (pod) {
    const peer = podPeer(pod, ownerChainResolver(snapshot));
    return {
      id: formatPeerId(namespace, peer.name, peer.kind),
      namespace,
      name: peer.name,
      kind: peer.kind,
      origin: 'pods',
      members: [memberOfPod(pod)],
    };
  }
  const all = listEndpoints(snapshot, ANALYSIS_ENDPOINTS).concat(
    listEndpoints(snapshot, CONNECTIVITY_ENDPOINTS),
  );
  return all.find((e) => e.namespace === namespace && e.name === name) ?? null;
}

/** The endpoint of the pod that has `address` as one of its IPs, if any. */
export function findEndpointByAddress(snapshot: ClusterSnapshot, address: string): EndpointSpec | null {
  const pod = snapshot.pods.find((p) => p.ips.includes(address));
  return pod ? findEndpoint(snapshot, pod.namespace, pod.name) : null;
}
