/**
 * Repeated identical reviews (Flux dry-runs every interval, Argo CD's
 * server-side diff) are answered from a small bounded LRU cache instead of
 * being analysed again. The key covers everything a decision depends on:
 * the operation, the content of the new and old policy (as parsed records, so
 * metadata noise such as managedFields or resourceVersion does not defeat the
 * cache; their JSON, label maps in key order), which escalation rules apply to
 * the requester, and the version of the state (source version plus overlay
 * generation). The configuration is fixed for the life of the app.
 */
import { hash } from 'node:crypto';
import type { EscalationRule } from '../model/config.js';
import type { Operation } from '../model/findings.js';
import type { LabelSelector, Labels, PolicyRecord, RuleRecord } from '../model/records.js';
import type { Requester } from '../checks/decide.js';
import { BoundedMap } from '../semantics/bounded-map.js';

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
 * Keys up to this many characters are the text itself; longer ones are its SHA-256 (hex), so that
 * the cache's keys take at most `capacity` × 8 KiB. A plain key starts with `[`, a hashed one is
 * hex: the two never meet.
 */
export const MAX_PLAIN_KEY_CHARS = 4096;

/** The key over the parts: their text when it is short, its SHA-256 (hex) otherwise. */
export function computeReviewCacheKey(parts: ReviewCacheKeyParts): string {
  // One line of JSON per part (JSON.stringify writes no line break), so the text is unambiguous.
  const text = `${JSON.stringify([parts.operation, parts.escalation, parts.stateVersion])}
${recordKeyText(parts.object)}
${recordKeyText(parts.oldObject)}`;
  // One-shot hash(): a Hash object per review costs more than the digest itself.
  return text.length <= MAX_PLAIN_KEY_CHARS ? text : hash('sha256', text, 'hex');
}

/**
 * The JSON of each record already keyed, by record: records are immutable, and the admission
 * reader hands out the same record for the same object sent again (policy-reader.ts), so a
 * repeated review writes none of its policies again.
 */
const recordKeyTexts = new WeakMap<PolicyRecord, string>();

function recordKeyText(record: PolicyRecord | null): string {
  if (record === null) return 'null';
  let text = recordKeyTexts.get(record);
  if (text === undefined) {
    text = JSON.stringify(withSortedMaps(record));
    recordKeyTexts.set(record, text);
  }
  return text;
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
