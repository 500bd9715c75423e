/**
 * From an AdmissionRequest to the PolicyChange the engine judges: which
 * requests need no analysis at all (triage), and the new and old policies as
 * records, validated as the API server validates them.
 */
import type { PolicyChange } from '../model/findings.js';
import type { ClusterSnapshot, PolicyRecord } from '../model/records.js';
import { findNamespace, policyKey } from '../model/records.js';
import { formatFieldIssue, type FieldIssue } from '../parse/issues.js';
import type { AdmissionRequest } from './admission-review.js';
import { jsonEqual } from './json-equal.js';
import type { PolicyReader } from './policy-reader.js';

export const NETWORK_POLICY_GROUP = 'networking.k8s.io';
export const NETWORK_POLICY_KIND = 'NetworkPolicy';

/**
 * Why a request is allowed at once, without analysis:
 * - `not-a-network-policy`: another kind (the webhook configuration should not send it);
 * - `connect`, `subresource`: nothing about the policy's spec changes;
 * - `terminating-namespace`: the namespace is being deleted, which must never be blocked;
 * - `no-spec-change`: an UPDATE that leaves `spec` as it was (metadata only, including the
 *   override annotation: it cannot change traffic, and it is read when the spec next changes);
 * - `nothing-to-delete`: a DELETE of a policy known neither from the request nor the state.
 */
export type SkipReason =
  | 'not-a-network-policy'
  | 'connect'
  | 'subresource'
  | 'terminating-namespace'
  | 'no-spec-change'
  | 'nothing-to-delete';

/** The reason to allow `request` without analysis, or null when it must be analysed. */
export function triageRequest(request: AdmissionRequest, snapshot: ClusterSnapshot): SkipReason | null {
  if (request.kind.group !== NETWORK_POLICY_GROUP || request.kind.kind !== NETWORK_POLICY_KIND) {
    return 'not-a-network-policy';
  }
  if (request.operation === 'CONNECT') return 'connect';
  if (request.subResource !== undefined && request.subResource !== '') return 'subresource';
  const namespace = request.namespace ?? namespaceOf(request.object ?? request.oldObject);
  if (typeof namespace === 'string' && findNamespace(snapshot, namespace)?.phase === 'Terminating') {
    return 'terminating-namespace';
  }
  // Compared without recursion: a hostile spec may be nested deeper than the stack allows.
  if (request.operation === 'UPDATE' && jsonEqual(specOf(request.object), specOf(request.oldObject))) {
    return 'no-spec-change';
  }
  return null;
}

export type ChangeRead =
  | {
      readonly kind: 'change';
      readonly change: PolicyChange;
      /** Things the reader had to work around, for the log. */
      readonly notes: readonly string[];
    }
  | {
      readonly kind: 'invalid';
      readonly namespace: string;
      readonly name: string;
      readonly issues: readonly FieldIssue[];
    }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

/**
 * Reads the change of a NetworkPolicy request (CREATE, UPDATE or DELETE). An invalid new object
 * is `invalid` (the API server would reject it too). An old object that does not parse is
 * replaced by the state's record of the policy (the stored object is authoritative; our reader
 * must not block updates and deletes of what is already there). `reader` reads the objects.
 */
export function readPolicyChange(
  request: AdmissionRequest,
  snapshot: ClusterSnapshot,
  reader: PolicyReader,
): ChangeRead {
  const defaultNamespace = request.namespace ?? '';
  const notes: string[] = [];
  let object: PolicyRecord | null = null;
  if (request.operation !== 'DELETE') {
    // The object of a CREATE is new to the cluster and seldom sent twice; kept, the reads of a
    // stream of creates would outlive young collections and be copied into the old generation
    // (promoted per review at M under load: 2.0 KB with them remembered, 1.3 KB without).
    const parsed = reader.read(request.object, defaultNamespace, request.operation !== 'CREATE');
    if (!parsed.ok) {
      return {
        kind: 'invalid',
        namespace: defaultNamespace || (namespaceOf(request.object) ?? ''),
        name: request.name || (nameOf(request.object) ?? ''),
        issues: parsed.issues,
      };
    }
    object = parsed.policy;
  }
  const namespace = object?.namespace ?? (defaultNamespace || (namespaceOf(request.oldObject) ?? ''));
  const name = object?.name || request.name || (nameOf(request.oldObject) ?? '');
  let oldObject: PolicyRecord | null = null;
  if (request.operation !== 'CREATE') {
    const stored = () => snapshot.policies.find((p) => policyKey(p) === `${namespace}/${name}`) ?? null;
    if (request.oldObject === undefined || request.oldObject === null) {
      oldObject = stored();
      notes.push(`request has no oldObject: used the state's record (${oldObject ? 'found' : 'none'})`);
    } else {
      const parsed = reader.read(request.oldObject, defaultNamespace);
      if (parsed.ok) {
        oldObject = parsed.policy;
      } else {
        oldObject = stored();
        notes.push(
          `oldObject does not parse (${parsed.issues.map(formatFieldIssue).join('; ')}): used the state's record`,
        );
      }
    }
  }
  if (request.operation === 'DELETE' && oldObject === null)
    return { kind: 'skip', reason: 'nothing-to-delete' };
  const operation =
    request.operation === 'CREATE' || request.operation === 'UPDATE' ? request.operation : 'DELETE';
  return {
    kind: 'change',
    change: { operation, namespace, name, object, oldObject: operation === 'CREATE' ? null : oldObject },
    notes,
  };
}

function specOf(obj: unknown): unknown {
  return isRecord(obj) ? obj['spec'] : undefined;
}

function metadataField(obj: unknown, field: 'name' | 'namespace'): string | null {
  if (!isRecord(obj)) return null;
  const meta = obj['metadata'];
  if (!isRecord(meta)) return null;
  const value = meta[field];
  return typeof value === 'string' ? value : null;
}

function namespaceOf(obj: unknown): string | null {
  return metadataField(obj, 'namespace');
}

function nameOf(obj: unknown): string | null {
  return metadataField(obj, 'name');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
