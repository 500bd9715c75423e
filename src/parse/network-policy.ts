/**
 * NetworkPolicy objects -> PolicyRecord, validated as the API server would validate them.
 * Used for manifests on disk and for the objects of AdmissionReview requests.
 */

import { parseCIDR } from './ip-syntax.js';
import type { FieldIssue } from './issues.js';
import { normalizeLabelSelector, normalizeStringMap } from './label-selector.js';
import { checkNetworkPolicyRules } from './network-policy-rules.js';
import {
  checkNetworkPolicyShape,
  type RawIPBlock,
  type RawNetworkPolicy,
  type RawPeer,
  type RawPort,
} from './network-policy-schema.js';
import {
  DEFAULT_NAMESPACE,
  type Direction,
  type IPBlock,
  type PeerRecord,
  type PolicyRecord,
  type PortRecord,
  type RuleRecord,
} from '../model/records.js';

export type NetworkPolicyParse =
  | {
      readonly ok: true;
      readonly policy: PolicyRecord;
      /** Accepted but questionable values (e.g. a CIDR with host bits set), as API server warnings. */
      readonly warnings: readonly FieldIssue[];
    }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

export interface NetworkPolicyParseOptions {
  /** Namespace for an object without metadata.namespace (an AdmissionReview's request.namespace). */
  readonly defaultNamespace?: string;
  /**
   * `reject` (default, manifests): unknown fields are errors, as kubectl's strict validation.
   * `ignore` (objects from the API server): they become warnings, the policy is still read.
   */
  readonly unknownFields?: 'reject' | 'ignore';
}

/** Validates a `networking.k8s.io/v1` NetworkPolicy and normalizes it into a PolicyRecord. Never throws. */
export function parseNetworkPolicy(
  obj: unknown,
  options: NetworkPolicyParseOptions = {},
): NetworkPolicyParse {
  const shape = checkNetworkPolicyShape(obj, options.unknownFields ?? 'reject');
  if (!shape.ok) return { ok: false, issues: shape.issues };
  const rules = checkNetworkPolicyRules(shape.value);
  if (rules.issues.length > 0) return { ok: false, issues: rules.issues };
  return {
    ok: true,
    policy: normalizeNetworkPolicy(shape.value, options.defaultNamespace ?? DEFAULT_NAMESPACE),
    warnings: [
      ...shape.unknownFields.map((i) => ({ path: i.path, message: `ignored: ${i.message}` })),
      ...rules.warnings,
    ],
  };
}

function normalizeNetworkPolicy(raw: RawNetworkPolicy, defaultNamespace: string): PolicyRecord {
  const spec = raw.spec;
  const namespace = raw.metadata?.namespace ?? '';
  return {
    namespace: namespace === '' ? defaultNamespace : namespace,
    name: raw.metadata?.name ?? '',
    podSelector: normalizeLabelSelector(spec?.podSelector),
    policyTypes: normalizePolicyTypes(spec?.policyTypes),
    ingress: (spec?.ingress ?? []).map((rule) => normalizeRule(rule?.from, rule?.ports)),
    egress: (spec?.egress ?? []).map((rule) => normalizeRule(rule?.to, rule?.ports)),
    annotations: normalizeStringMap(raw.metadata?.annotations),
  };
}

/** Absent or empty `policyTypes` is null (the API server defaults both the same way); else deduplicated. */
function normalizePolicyTypes(
  types: readonly ('Ingress' | 'Egress')[] | null | undefined,
): Direction[] | null {
  if (types === null || types === undefined || types.length === 0) return null;
  const directions: Direction[] = [];
  if (types.includes('Ingress')) directions.push('ingress');
  if (types.includes('Egress')) directions.push('egress');
  return directions;
}

function normalizeRule(
  peers: readonly (RawPeer | null | undefined)[] | null | undefined,
  ports: readonly (RawPort | null | undefined)[] | null | undefined,
): RuleRecord {
  return {
    peers: (peers ?? []).map(normalizePeer),
    ports: (ports ?? []).map(normalizePort),
  };
}

function normalizePeer(peer: RawPeer | null | undefined): PeerRecord {
  if (peer?.ipBlock !== null && peer?.ipBlock !== undefined) {
    return { kind: 'ipBlock', ipBlock: normalizeIPBlock(peer.ipBlock) };
  }
  return {
    kind: 'selector',
    namespaceSelector:
      peer?.namespaceSelector === null || peer?.namespaceSelector === undefined
        ? null
        : normalizeLabelSelector(peer.namespaceSelector),
    podSelector:
      peer?.podSelector === null || peer?.podSelector === undefined
        ? null
        : normalizeLabelSelector(peer.podSelector),
  };
}

/** CIDRs become their canonical network form (`10.0.0.1/24` -> `10.0.0.0/24`), as the API server reads them. */
function normalizeIPBlock(block: RawIPBlock): IPBlock {
  return {
    cidr: canonicalizeCIDR(block.cidr ?? ''),
    except: (block.except ?? []).map((text) => canonicalizeCIDR(text ?? '')),
  };
}

function canonicalizeCIDR(text: string): string {
  return parseCIDR(text)?.canonical ?? text;
}

function normalizePort(port: RawPort | null | undefined): PortRecord {
  return {
    protocol: port?.protocol ?? 'TCP',
    port: port?.port ?? null,
    endPort: port?.endPort ?? null,
  };
}
