/**
 * Pure edits of a snapshot: admitting a policy change, or adding objects of
 * other kinds (as `check --apply` and the webhook's read-your-writes overlay
 * do). Snapshots are never mutated; each edit returns a new one.
 */
import type { PolicyChange } from '../model/findings.js';
import type { ClusterSnapshot, NamespaceRecord } from '../model/records.js';
import { NAMESPACE_NAME_LABEL, policyKey } from '../model/records.js';

function upsertBy<T>(list: readonly T[], items: readonly T[], key: (x: T) => string): T[] {
  const incoming = new Map(items.map((i) => [key(i), i]));
  const out = list.map((x) => {
    const replacement = incoming.get(key(x));
    if (replacement) incoming.delete(key(x));
    return replacement ?? x;
  });
  return [...out, ...incoming.values()];
}

/** Adds a namespace `name` with only its name label when the snapshot does not have it. */
function ensureNamespace(namespaces: readonly NamespaceRecord[], name: string): readonly NamespaceRecord[] {
  if (namespaces.some((n) => n.name === name)) return namespaces;
  return [...namespaces, { name, labels: { [NAMESPACE_NAME_LABEL]: name }, phase: 'Active', implicit: true }];
}

/** The snapshot after a CREATE, UPDATE or DELETE of one policy. */
export function applyPolicyChange(snapshot: ClusterSnapshot, change: PolicyChange): ClusterSnapshot {
  const key = `${change.namespace}/${change.name}`;
  if (change.operation === 'DELETE' || change.object === null) {
    return { ...snapshot, policies: snapshot.policies.filter((p) => policyKey(p) !== key) };
  }
  return {
    ...snapshot,
    namespaces: ensureNamespace(snapshot.namespaces, change.namespace),
    policies: upsertBy(snapshot.policies, [change.object], policyKey),
  };
}

/** Adds or replaces every object of `other` (except policies) in `snapshot`. */
export function mergeWorkloadObjects(snapshot: ClusterSnapshot, other: ClusterSnapshot): ClusterSnapshot {
  const declared = other.namespaces.filter((n) => !n.implicit);
  let namespaces: readonly NamespaceRecord[] = upsertBy(snapshot.namespaces, declared, (n) => n.name);
  for (const n of other.namespaces) namespaces = ensureNamespace(namespaces, n.name);
  return {
    namespaces,
    pods: upsertBy(snapshot.pods, other.pods, (p) => `${p.namespace}/${p.name}`),
    workloads: upsertBy(snapshot.workloads, other.workloads, (w) => `${w.namespace}/${w.kind}/${w.name}`),
    services: upsertBy(snapshot.services, other.services, (s) => `${s.namespace}/${s.name}`),
    policies: snapshot.policies,
  };
}
