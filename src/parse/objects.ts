/**
 * Raw documents -> typed records. Supported kinds are parsed and validated; everything else
 * (other kinds, other API groups, values that are not objects with a kind) is skipped and
 * reported, never an error. Invalid objects of supported kinds become InvalidObjectErrors.
 */

import { InvalidObjectError, type ObjectOrigin } from './errors.js';
import { isJsonObject } from './field-reader.js';
import type { FieldIssue } from './issues.js';
import { expandDocument, type LocatedValue } from './list-expansion.js';
import { parseNamespace } from './namespace.js';
import { parseNetworkPolicy } from './network-policy.js';
import { parsePod } from './pod.js';
import type { RecordParse } from './record-parse.js';
import { parseService } from './service.js';
import { parseWorkload } from './workload.js';
import type { ParsedDocument } from './yaml-documents.js';
import {
  DEFAULT_NAMESPACE,
  WORKLOAD_KINDS,
  type NamespaceRecord,
  type PodRecord,
  type PolicyRecord,
  type ServiceRecord,
  type WorkloadKind,
  type WorkloadRecord,
} from '../model/records.js';

/** A record with where it came from (null for records built in memory). */
export type ParsedObject =
  | { readonly type: 'namespace'; readonly record: NamespaceRecord; readonly origin: ObjectOrigin | null }
  | { readonly type: 'pod'; readonly record: PodRecord; readonly origin: ObjectOrigin | null }
  | { readonly type: 'workload'; readonly record: WorkloadRecord; readonly origin: ObjectOrigin | null }
  | { readonly type: 'policy'; readonly record: PolicyRecord; readonly origin: ObjectOrigin | null }
  | { readonly type: 'service'; readonly record: ServiceRecord; readonly origin: ObjectOrigin | null };

export type SkipReason = 'unsupported-kind' | 'unsupported-api-version' | 'no-kind';

/** An object that was read but is not one of the supported kinds. */
export interface SkippedObject {
  readonly source: string;
  readonly documentIndex: number;
  readonly itemIndex: number | null;
  readonly apiVersion: string | null;
  readonly kind: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
  readonly reason: SkipReason;
}

/** An accepted value the API server would warn about (e.g. an ipBlock CIDR with host bits set). */
export interface ObjectWarning {
  readonly origin: ObjectOrigin;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly issue: FieldIssue;
}

export interface DocumentsParse {
  readonly objects: ParsedObject[];
  readonly skipped: SkippedObject[];
  readonly warnings: ObjectWarning[];
  readonly errors: InvalidObjectError[];
}

type SupportedKind = 'Namespace' | 'Pod' | 'Service' | 'NetworkPolicy' | WorkloadKind;

/** API groups accepted per kind (any version); `''` is the core group (`apiVersion: v1`). */
const KIND_GROUPS: Readonly<Record<SupportedKind, readonly string[]>> = {
  Namespace: [''],
  Pod: [''],
  Service: [''],
  ReplicationController: [''],
  Deployment: ['apps', 'extensions'],
  ReplicaSet: ['apps', 'extensions'],
  DaemonSet: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  Job: ['batch'],
  CronJob: ['batch'],
  NetworkPolicy: ['networking.k8s.io'],
};

/** Exact apiVersions where only one version has the semantics we implement. */
const KIND_API_VERSIONS: Readonly<Partial<Record<SupportedKind, readonly string[]>>> = {
  NetworkPolicy: ['networking.k8s.io/v1'],
};

/** Turns parsed documents into records, skipped objects, warnings and errors, in document order. */
export function parseDocuments(documents: readonly ParsedDocument[]): DocumentsParse {
  const result: DocumentsParse = { objects: [], skipped: [], warnings: [], errors: [] };
  for (const document of documents) {
    for (const located of expandDocument(document)) parseLocatedValue(located, result);
  }
  return result;
}

function parseLocatedValue({ value, origin }: LocatedValue, result: DocumentsParse): void {
  const identity = peekIdentity(value);
  const skip = (reason: SkipReason): void => {
    result.skipped.push({ ...origin, ...identity, reason });
  };
  if (identity.kind === null) return skip('no-kind');
  const kind = findSupportedKind(identity.kind);
  if (kind === null) return skip('unsupported-kind');
  if (!isSupportedApiVersion(kind, identity.apiVersion)) return skip('unsupported-api-version');

  const namespace = kind === 'Namespace' ? null : (identity.namespace ?? DEFAULT_NAMESPACE);
  const reject = (issues: readonly FieldIssue[]): void => {
    result.errors.push(new InvalidObjectError({ origin, kind, namespace, name: identity.name, issues }));
  };
  const warn = (issues: readonly FieldIssue[], name: string): void => {
    for (const issue of issues) result.warnings.push({ origin, kind, namespace, name, issue });
  };
  const accept = <T extends { readonly name: string }>(
    parsed: RecordParse<T>,
    wrap: (record: T) => ParsedObject,
  ): void => {
    if (!parsed.ok) return reject(parsed.issues);
    result.objects.push(wrap(parsed.record));
    warn(parsed.warnings, parsed.record.name);
  };

  switch (kind) {
    case 'Namespace':
      return accept(parseNamespace(value), (record) => ({ type: 'namespace', record, origin }));
    case 'Pod':
      return accept(parsePod(value), (record) => ({ type: 'pod', record, origin }));
    case 'Service':
      return accept(parseService(value), (record) => ({ type: 'service', record, origin }));
    case 'NetworkPolicy': {
      const parsed = parseNetworkPolicy(value);
      if (!parsed.ok) return reject(parsed.issues);
      result.objects.push({ type: 'policy', record: parsed.policy, origin });
      return warn(parsed.warnings, parsed.policy.name);
    }
    default:
      return accept(parseWorkload(value, kind), (record) => ({ type: 'workload', record, origin }));
  }
}

function findSupportedKind(kind: string): SupportedKind | null {
  if (kind === 'Namespace' || kind === 'Pod' || kind === 'Service' || kind === 'NetworkPolicy') return kind;
  return WORKLOAD_KINDS.find((k) => k === kind) ?? null;
}

/** A missing apiVersion is accepted (list items, hand-written fixtures); else the group must match. */
function isSupportedApiVersion(kind: SupportedKind, apiVersion: string | null): boolean {
  if (apiVersion === null) return true;
  const exact = KIND_API_VERSIONS[kind];
  if (exact !== undefined) return exact.includes(apiVersion);
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  return KIND_GROUPS[kind].includes(group);
}

interface Identity {
  readonly apiVersion: string | null;
  readonly kind: string | null;
  readonly namespace: string | null;
  readonly name: string | null;
}

/** apiVersion, kind, namespace and name when they are non-empty strings, else null. */
function peekIdentity(value: unknown): Identity {
  if (!isJsonObject(value)) return { apiVersion: null, kind: null, namespace: null, name: null };
  const metadata = isJsonObject(value['metadata']) ? value['metadata'] : {};
  return {
    apiVersion: readNonEmptyString(value['apiVersion']),
    kind: readNonEmptyString(value['kind']),
    namespace: readNonEmptyString(metadata['namespace']),
    name: readNonEmptyString(metadata['name']),
  };
}

function readNonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
