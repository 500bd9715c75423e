/**
 * cni-not-enforcing: the state has DaemonSets and none of them is a known
 * NetworkPolicy-enforcing CNI (or policy agent). The policy would be stored
 * and silently do nothing (for example with Flannel alone).
 */
import type { CheckFinding } from '../model/findings.js';
import type { ClusterSnapshot } from '../model/records.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';

/** Substrings of DaemonSet names, labels or images that identify an enforcing CNI or policy agent. */
const ENFORCING = [
  'calico',
  'cilium',
  'antrea',
  'kube-router',
  'weave',
  'network-policy-agent', // AWS VPC CNI node agent (aws-network-policy-agent)
  'azure-npm',
  'ovnkube',
  'ovn-kubernetes',
  'canal',
  'romana',
  'kube-ovn',
];

function isEnforcing(texts: readonly string[]): boolean {
  return texts.some((t) => ENFORCING.some((e) => t.toLowerCase().includes(e)));
}

export interface CniStatus {
  /** `ns/name` of every DaemonSet (objects, or owners of pods). */
  readonly daemonSets: readonly string[];
  readonly enforcing: boolean;
}

/** Looks at the DaemonSets of the state once; the rule reads the result for every change. */
export function detectCni(snapshot: ClusterSnapshot): CniStatus {
  const daemonSets = new Map<string, string[]>();
  for (const w of snapshot.workloads) {
    if (w.kind !== 'DaemonSet') continue;
    daemonSets.set(`${w.namespace}/${w.name}`, [
      w.name,
      ...Object.values(w.objectLabels),
      ...Object.values(w.labels),
      ...w.images,
    ]);
  }
  for (const p of snapshot.pods) {
    if (p.owner?.kind !== 'DaemonSet') continue;
    const key = `${p.namespace}/${p.owner.name}`;
    daemonSets.set(key, [...(daemonSets.get(key) ?? []), p.owner.name, ...Object.values(p.labels)]);
  }
  return { daemonSets: [...daemonSets.keys()].sort(), enforcing: [...daemonSets.values()].some(isEnforcing) };
}

function run(ctx: CheckContext): CheckFinding[] {
  if (!ctx.change.object) return [];
  const { daemonSets: names, enforcing } = ctx.cni;
  if (names.length === 0 || enforcing) return [];
  const flannel = names.find((n) => n.includes('flannel'));
  return [
    {
      rule: 'cni-not-enforcing',
      message: clip(
        `${ctx.policyRef} will have no effect: no NetworkPolicy-enforcing CNI found` +
          `${flannel ? ` (${flannel} does not enforce policies)` : ''}`,
      ),
      subjects: [...names],
      detail:
        `None of the DaemonSets (${names.join(', ')}) is a known NetworkPolicy-enforcing CNI or agent ` +
        '(Calico, Cilium, Antrea, kube-router, Weave Net, AWS VPC CNI network policy agent, Azure NPM, ' +
        'OVN-Kubernetes, Canal). NetworkPolicy objects are accepted by the API server but only a CNI enforces them.',
    },
  ];
}

export const cniNotEnforcing: Check = {
  id: 'cni-not-enforcing',
  defaultSeverity: 'warn',
  summary: 'the cluster has DaemonSets but none is a known NetworkPolicy-enforcing CNI (e.g. Flannel alone)',
  reportsLossesOnly: false,
  run,
};
