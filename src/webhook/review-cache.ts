/**
 * Repeated identical reviews (Flux dry-runs every interval, Argo CD's
 * server-side diff) are answered from a small bounded LRU cache instead of
 * being analysed again. The key covers everything a decision depends on:
 * the operation, the content of the new and old policy (as parsed records, so
 * metadata noise such as managedFields or resourceVersion does not defeat the
 * cache), which escalation rules apply to the requester, and the version of
 * the state (source version plus overlay generation). The configuration is
 * fixed for the life of the app.
 */
import { createHash } from 'node:crypto';
import type { EscalationRule } from '../model/config.js';
import type { Operation } from '../model/findings.js';
import type { PolicyRecord } from '../model/records.js';
import type { Requester } from '../checks/decide.js';

export const DEFAULT_REVIEW_CACHE_SIZE = 256;

export interface ReviewCacheKeyParts {
  readonly operation: Operation;
  readonly object: PolicyRecord | null;
  readonly oldObject: PolicyRecord | null;
  /** See escalationIdentity. */
  readonly escalation: string;
  readonly stateVersion: string;
}

/** A least-recently-used map with a fixed capacity. */
export class ReviewCache<V> {
  readonly #capacity: number;
  readonly #entries = new Map<string, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`review cache capacity must be a non-negative integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value, marked as most recently used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: string, value: V): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
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

/** A fixed-length key (SHA-256, hex) over the parts. */
export function computeReviewCacheKey(parts: ReviewCacheKeyParts): string {
  return createHash('sha256')
    .update(
      stableStringify([parts.operation, parts.object, parts.oldObject, parts.escalation, parts.stateVersion]),
    )
    .digest('hex');
}

/**
 * JSON with object keys sorted, so equal records give equal text whatever the key order. The
 * native serializer does the walk (a policy of thousands of rules is keyed in tens of ms).
 */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? 'null';
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}
