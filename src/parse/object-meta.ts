/**
 * metadata of Pods, workloads, Services and Namespaces: name, namespace, labels, the controller
 * ownerReference and whether deletion has started. A light validation: types, presence and syntax.
 */

import { joinFieldPath } from './issues.js';
import {
  type IssueLog,
  type JsonObject,
  readFlag,
  readLabels,
  readObject,
  readObjectList,
  readString,
} from './field-reader.js';
import { findDns1123LabelProblems, findDns1123SubdomainProblems } from './k8s-syntax.js';
import { DEFAULT_NAMESPACE, type OwnerRef } from '../model/records.js';

export type ObjectScope = 'namespaced' | 'cluster';
export type DeletionState = 'active' | 'deleting';

export interface ObjectMetaFields {
  /** metadata.name; "" when missing (an issue is logged). */
  readonly name: string;
  /** metadata.namespace, `default` when absent; "" for cluster-scoped objects. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly owner: OwnerRef | null;
  readonly deletion: DeletionState;
}

/** Reads and lightly validates `metadata` of `obj`. */
export function readObjectMeta(obj: JsonObject, scope: ObjectScope, log: IssueLog): ObjectMetaFields {
  const meta = readObject(obj, 'metadata', '', log);
  const name = readString(meta, 'name', 'metadata', log) ?? '';
  const nameProblems =
    scope === 'cluster' ? findDns1123LabelProblems(name) : findDns1123SubdomainProblems(name);
  if (name === '') log.add('metadata.name', 'expected a name, got nothing');
  else if (nameProblems.length > 0) {
    log.addExpectation(
      'metadata.name',
      scope === 'cluster' ? 'a DNS-1123 label' : 'a DNS-1123 subdomain',
      name,
      nameProblems,
    );
  }
  const namespace = scope === 'cluster' ? '' : readNamespace(meta, log);
  return {
    name,
    namespace,
    labels: readLabels(meta, 'labels', 'metadata', log),
    owner: readControllerOwner(meta, log),
    deletion:
      meta?.['deletionTimestamp'] === undefined || meta['deletionTimestamp'] === null ? 'active' : 'deleting',
  };
}

function readNamespace(meta: JsonObject | null, log: IssueLog): string {
  const namespace = readString(meta, 'namespace', 'metadata', log) ?? '';
  if (namespace === '') return DEFAULT_NAMESPACE;
  const problems = findDns1123LabelProblems(namespace);
  if (problems.length > 0) log.addExpectation('metadata.namespace', 'a DNS-1123 label', namespace, problems);
  return namespace;
}

/** The ownerReference with `controller: true` (at most one is allowed), or null. */
function readControllerOwner(meta: JsonObject | null, log: IssueLog): OwnerRef | null {
  const controllers: OwnerRef[] = [];
  for (const { item, path } of readObjectList(meta, 'ownerReferences', 'metadata', log)) {
    if (!readFlag(item, 'controller', path, log)) continue;
    const kind = readString(item, 'kind', path, log) ?? '';
    const name = readString(item, 'name', path, log) ?? '';
    if (kind === '') log.add(joinFieldPath(path, 'kind'), 'expected the owner kind, got nothing');
    if (name === '') log.add(joinFieldPath(path, 'name'), 'expected the owner name, got nothing');
    controllers.push({ kind, name });
  }
  if (controllers.length > 1) {
    log.add(
      'metadata.ownerReferences',
      `expected at most one ownerReference with controller: true, got ${controllers.length}`,
    );
  }
  return controllers[0] ?? null;
}
