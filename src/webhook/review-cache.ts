/**
 * Repeated identical reviews (Flux dry-runs every interval, Argo CD's
 * server-side diff) are answered from a small bounded LRU cache instead of
 * being analysed again. The key covers everything a decision depends on:
 * the operation, the content of the new and old policy (as parsed records, so
 * metadata noise such as managedFields or resourceVersion does not defeat the
 * cache; the SHA-256 of their JSON, label maps in key order), which escalation
 * rules apply to the requester, and the version of the state (source version
 * plus overlay generation). The configuration is fixed for the life of the app.
 */
import { hash } from 'node:crypto';
import type { EscalationRule } from '../model/config.js';
import type { Operation } from '../model/findings.js';
import type { LabelSelector, Labels, PolicyRecord, RuleRecord } from '../model/records.js';
import type { Requester } from '../checks/decide.js';
import { BoundedMap } from '../semantics/bounded-map.js';
import { objectMemo } from '../semantics/object-memo.js';

export const DEFAULT_REVIEW_CACHE_SIZE = 256;

export interface ReviewCacheKeyParts {
  readonly operation: Operation;
  readonly object: PolicyRecord | null;
  readonly oldObject: PolicyRecord | null;
  /** See escalationIdentity. */
  readonly escalation: string;
  readonly stateVersion: string;
}

/** A least-recently-used map of decisions with a fixed capacity. */
export class ReviewCache<V extends NonNullable<unknown>> extends BoundedMap<V> {
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`review cache capacity must be a non-negative integer, got ${capacity}`);
    }
    super(capacity);
  }
}

/** Which escalation entries of the configuration apply to `requester` (`"0,2"`; empty when none). */
export function escalationIdentity(rules: readonly EscalationRule[], requester: Requester): string {
  const applying: number[] = [];
  rules.forEach((rule, index) => {
    if (rule.users.includes(requester.username) || rule.groups.some((g) => requester.groups.includes(g))) {
      applying.push(index);
    }
  });
  return applying.join(',');
}

/**
 * The key over the parts: a line of JSON for the operation, the escalation entries and the state
 * version, then each record's digest. About 110 characters whatever the size of the policies. The
 * cache keeps a key per entry and every CREATE adds one: with keys holding the records' JSON (up to
 * 4 KiB, hashed beyond), the M review stream left 192 bytes per review in the old generation, where
 * they bring full collections; with digests, 100; written by join(), 69 (the reviewer in process,
 * 20,000 reviews, two runs each). A cache hit also hashes and compares this short key instead of
 * the records' JSON.
 */
export function computeReviewCacheKey(parts: ReviewCacheKeyParts): string {
  // JSON.stringify writes no line break, and a digest has none: the lines cannot run together.
  // join() writes one flat string; a template literal makes a tree of concatenated strings that the
  // cache would keep, with the digests it points to.
  return [
    JSON.stringify([parts.operation, parts.escalation, parts.stateVersion]),
    recordDigest(parts.object),
    recordDigest(parts.oldObject),
  ].join('\n');
}

/**
 * SHA-256 (base64url, 43 characters) of the record's JSON, label maps in key order. Kept on the
 * record (objectMemo): records are immutable, and the admission reader hands out the same record
 * for the same object sent again (policy-reader.ts), so a repeated review digests none of its
 * policies again. A WeakMap would be a table holding every CREATE's record for a moment, copied
 * as they come and go (see objectMemo).
 */
const digestOf = objectMemo('review cache digest', (record: PolicyRecord): string =>
  // One-shot hash(): a Hash object per record costs more than the digest itself.
  hash('sha256', JSON.stringify(withSortedMaps(record)), 'base64url'),
);

function recordDigest(record: PolicyRecord | null): string {
  return record === null ? 'null' : digestOf(record);
}

/**
 * The record with its label maps (matchLabels, annotations) in key order, so that equal policies
 * give equal JSON: the parser (normalizeNetworkPolicy) writes every other field in one order.
 * The record itself when its maps are in order already, as the API server sends them.
 */
function withSortedMaps(p: PolicyRecord): PolicyRecord {
  if (policyMapsSorted(p)) return p;
  const rule = (r: RuleRecord): RuleRecord => ({
    peers: r.peers.map((peer) =>
      peer.kind === 'selector'
        ? {
            kind: 'selector',
            namespaceSelector: selectorSorted(peer.namespaceSelector),
            podSelector: selectorSorted(peer.podSelector),
          }
        : peer,
    ),
    ports: r.ports,
  });
  return {
    ...p,
    podSelector: selectorSorted(p.podSelector),
    ingress: p.ingress.map(rule),
    egress: p.egress.map(rule),
    annotations: sortedMap(p.annotations),
  };
}

function policyMapsSorted(p: PolicyRecord): boolean {
  const rulesSorted = (rules: readonly RuleRecord[]): boolean =>
    rules.every((r) =>
      r.peers.every(
        (peer) =>
          peer.kind !== 'selector' ||
          ((peer.namespaceSelector === null || isSorted(peer.namespaceSelector.matchLabels)) &&
            (peer.podSelector === null || isSorted(peer.podSelector.matchLabels))),
      ),
    );
  return (
    isSorted(p.podSelector.matchLabels) &&
    isSorted(p.annotations) &&
    rulesSorted(p.ingress) &&
    rulesSorted(p.egress)
  );
}

function isSorted(map: Labels): boolean {
  let previous: string | null = null;
  for (const key in map) {
    if (previous !== null && previous > key) return false;
    previous = key;
  }
  return true;
}

function sortedMap(map: Labels): Labels {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key] as string;
  return out;
}

function selectorSorted<S extends LabelSelector | null>(s: S): S {
  return (s === null ? s : { ...s, matchLabels: sortedMap(s.matchLabels) }) as S;
}
