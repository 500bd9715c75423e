/**
 * The API resources the live source lists and watches, and how each object becomes a record.
 * Projection goes through the parse layer's per-kind functions, so a live object yields exactly
 * the record the same object would yield from a manifest.
 */

import { isJsonObject } from '../../parse/field-reader.js';
import type { FieldIssue } from '../../parse/issues.js';
import { parseNamespace } from '../../parse/namespace.js';
import { parseNetworkPolicy } from '../../parse/network-policy.js';
import type { ParsedObject } from '../../parse/objects.js';
import { parsePod } from '../../parse/pod.js';
import type { RecordParse } from '../../parse/record-parse.js';
import { parseService } from '../../parse/service.js';
import { parseWorkload } from '../../parse/workload.js';
import { DEFAULT_NAMESPACE, type WorkloadKind } from '../../model/records.js';

export type ResourceName =
  | 'namespaces'
  | 'pods'
  | 'services'
  | 'networkpolicies'
  | 'deployments'
  | 'replicasets'
  | 'statefulsets'
  | 'daemonsets'
  | 'replicationcontrollers'
  | 'jobs'
  | 'cronjobs';

export type ResourceScope = 'namespaced' | 'cluster';

/** An object turned into a record, or the field issues that prevent it. */
export type Projection =
  | { readonly ok: true; readonly object: ParsedObject; readonly warnings: readonly FieldIssue[] }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

export interface ResourceDefinition {
  readonly name: ResourceName;
  readonly kind: string;
  /** The path that lists (and, with `watch=true`, watches) every object in every namespace. */
  readonly path: string;
  readonly scope: ResourceScope;
  readonly project: (raw: unknown) => Projection;
}

/** Namespace and name of a raw object, as the parse layer reads them; null without a usable name. */
export interface ObjectIdentity {
  /** "" for cluster-scoped objects; `default` when a namespaced object carries none. */
  readonly namespace: string;
  readonly name: string;
}

function accept<T>(parsed: RecordParse<T>, wrap: (record: T) => ParsedObject): Projection {
  return parsed.ok ? { ok: true, object: wrap(parsed.record), warnings: parsed.warnings } : parsed;
}

function defineWorkload(name: ResourceName, kind: WorkloadKind, path: string): ResourceDefinition {
  return {
    name,
    kind,
    path,
    scope: 'namespaced',
    project: (raw) =>
      accept(parseWorkload(raw, kind), (record) => ({ type: 'workload', record, origin: null })),
  };
}

/** Every resource the live source keeps, in the order they are started. */
export const RESOURCE_DEFINITIONS: readonly ResourceDefinition[] = [
  {
    name: 'namespaces',
    kind: 'Namespace',
    path: '/api/v1/namespaces',
    scope: 'cluster',
    project: (raw) => accept(parseNamespace(raw), (record) => ({ type: 'namespace', record, origin: null })),
  },
  {
    name: 'pods',
    kind: 'Pod',
    path: '/api/v1/pods',
    scope: 'namespaced',
    project: (raw) => accept(parsePod(raw), (record) => ({ type: 'pod', record, origin: null })),
  },
  {
    name: 'services',
    kind: 'Service',
    path: '/api/v1/services',
    scope: 'namespaced',
    project: (raw) => accept(parseService(raw), (record) => ({ type: 'service', record, origin: null })),
  },
  {
    name: 'networkpolicies',
    kind: 'NetworkPolicy',
    path: '/apis/networking.k8s.io/v1/networkpolicies',
    scope: 'namespaced',
    project: (raw) => {
      const parsed = parseNetworkPolicy(raw, { unknownFields: 'ignore' });
      if (!parsed.ok) return parsed;
      return {
        ok: true,
        object: { type: 'policy', record: parsed.policy, origin: null },
        warnings: parsed.warnings,
      };
    },
  },
  defineWorkload('deployments', 'Deployment', '/apis/apps/v1/deployments'),
  defineWorkload('replicasets', 'ReplicaSet', '/apis/apps/v1/replicasets'),
  defineWorkload('statefulsets', 'StatefulSet', '/apis/apps/v1/statefulsets'),
  defineWorkload('daemonsets', 'DaemonSet', '/apis/apps/v1/daemonsets'),
  defineWorkload('replicationcontrollers', 'ReplicationController', '/api/v1/replicationcontrollers'),
  defineWorkload('jobs', 'Job', '/apis/batch/v1/jobs'),
  defineWorkload('cronjobs', 'CronJob', '/apis/batch/v1/cronjobs'),
];

export const RESOURCE_NAMES: readonly ResourceName[] = RESOURCE_DEFINITIONS.map((d) => d.name);

/** The definitions of `names`, in the canonical order; unknown names cannot occur (typed). */
export function selectResources(names: readonly ResourceName[]): ResourceDefinition[] {
  return RESOURCE_DEFINITIONS.filter((d) => names.includes(d.name));
}

/** Reads metadata.namespace and metadata.name without validating anything else. */
export function identifyObject(raw: unknown, scope: ResourceScope): ObjectIdentity | null {
  if (!isJsonObject(raw)) return null;
  const metadata = raw['metadata'];
  if (!isJsonObject(metadata)) return null;
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') return null;
  if (scope === 'cluster') return { namespace: '', name };
  const namespace = metadata['namespace'];
  return {
    namespace: typeof namespace === 'string' && namespace !== '' ? namespace : DEFAULT_NAMESPACE,
    name,
  };
}

/** metadata.resourceVersion of a raw object, or null. */
export function readResourceVersion(raw: unknown): string | null {
  if (!isJsonObject(raw)) return null;
  const metadata = raw['metadata'];
  if (!isJsonObject(metadata)) return null;
  const version = metadata['resourceVersion'];
  return typeof version === 'string' && version !== '' ? version : null;
}
