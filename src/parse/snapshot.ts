/**
 * Parsed records -> ClusterSnapshot: adds implicit namespaces, rejects duplicates, and orders
 * everything by name so the snapshot does not depend on file or document order.
 */

import { DuplicateObjectError, InvalidManifestsError, type ObjectOrigin } from './errors.js';
import { createImplicitNamespace } from './namespace.js';
import type { ParsedObject } from './objects.js';
import type {
  ClusterSnapshot,
  NamespaceRecord,
  PodRecord,
  PolicyRecord,
  ServiceRecord,
  WorkloadRecord,
} from '../model/records.js';

/** Records by type, for building a snapshot from records made in memory. */
export interface SnapshotParts {
  readonly namespaces?: readonly NamespaceRecord[];
  readonly pods?: readonly PodRecord[];
  readonly workloads?: readonly WorkloadRecord[];
  readonly policies?: readonly PolicyRecord[];
  readonly services?: readonly ServiceRecord[];
}

/** Wraps in-memory records as ParsedObjects (without origin) for buildSnapshot. */
export function wrapRecords(parts: SnapshotParts): ParsedObject[] {
  return [
    ...(parts.namespaces ?? []).map((record): ParsedObject => ({ type: 'namespace', record, origin: null })),
    ...(parts.pods ?? []).map((record): ParsedObject => ({ type: 'pod', record, origin: null })),
    ...(parts.workloads ?? []).map((record): ParsedObject => ({ type: 'workload', record, origin: null })),
    ...(parts.policies ?? []).map((record): ParsedObject => ({ type: 'policy', record, origin: null })),
    ...(parts.services ?? []).map((record): ParsedObject => ({ type: 'service', record, origin: null })),
  ];
}

/** One DuplicateObjectError per kind/namespace/name declared more than once, in first-seen order. */
export function findDuplicateObjects(objects: readonly ParsedObject[]): DuplicateObjectError[] {
  const groups = new Map<string, { object: ParsedObject; origins: (ObjectOrigin | null)[] }>();
  for (const object of objects) {
    const key = identifyObject(object).key;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { object, origins: [object.origin] });
    else group.origins.push(object.origin);
  }
  const duplicates: DuplicateObjectError[] = [];
  for (const { object, origins } of groups.values()) {
    if (origins.length < 2) continue;
    const { kind, namespace, name } = identifyObject(object);
    duplicates.push(new DuplicateObjectError({ kind, namespace, name, origins }));
  }
  return duplicates;
}

/**
 * Builds the snapshot. Namespaces referenced by a pod, workload, policy or service but not
 * declared are added with `implicit: true`. Throws InvalidManifestsError listing every duplicate.
 */
export function buildSnapshot(objects: readonly ParsedObject[]): ClusterSnapshot {
  const duplicates = findDuplicateObjects(objects);
  if (duplicates.length > 0) throw new InvalidManifestsError(duplicates);

  const namespaces: NamespaceRecord[] = [];
  const pods: PodRecord[] = [];
  const workloads: WorkloadRecord[] = [];
  const policies: PolicyRecord[] = [];
  const services: ServiceRecord[] = [];
  for (const object of objects) {
    switch (object.type) {
      case 'namespace':
        namespaces.push(object.record);
        break;
      case 'pod':
        pods.push(object.record);
        break;
      case 'workload':
        workloads.push(object.record);
        break;
      case 'policy':
        policies.push(object.record);
        break;
      case 'service':
        services.push(object.record);
        break;
    }
  }
  const declared = new Set(namespaces.map((n) => n.name));
  for (const record of [...pods, ...workloads, ...policies, ...services]) {
    if (!declared.has(record.namespace)) {
      declared.add(record.namespace);
      namespaces.push(createImplicitNamespace(record.namespace));
    }
  }
  return {
    namespaces: namespaces.sort((a, b) => compareKeys([a.name], [b.name])),
    pods: pods.sort(compareNamespaced),
    workloads: workloads.sort((a, b) =>
      compareKeys([a.namespace, a.name, a.kind], [b.namespace, b.name, b.kind]),
    ),
    policies: policies.sort(compareNamespaced),
    services: services.sort(compareNamespaced),
  };
}

function identifyObject(object: ParsedObject): {
  key: string;
  kind: string;
  namespace: string | null;
  name: string;
} {
  const { kind, namespace } = ((): { kind: string; namespace: string | null } => {
    switch (object.type) {
      case 'namespace':
        return { kind: 'Namespace', namespace: null };
      case 'pod':
        return { kind: 'Pod', namespace: object.record.namespace };
      case 'workload':
        return { kind: object.record.kind, namespace: object.record.namespace };
      case 'policy':
        return { kind: 'NetworkPolicy', namespace: object.record.namespace };
      case 'service':
        return { kind: 'Service', namespace: object.record.namespace };
    }
  })();
  const name = object.record.name;
  return { key: JSON.stringify([kind, namespace, name]), kind, namespace, name };
}

function compareNamespaced(
  a: { namespace: string; name: string },
  b: { namespace: string; name: string },
): number {
  return compareKeys([a.namespace, a.name], [b.namespace, b.name]);
}

/** Code-point order, independent of locale. */
function compareKeys(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
