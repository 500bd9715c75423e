/**
 * Read-your-writes: a policy admitted a moment ago is not yet in the state
 * source (the watch has not delivered it), yet the next review must see it, so
 * that `kubectl apply -f dir/` of several policies is judged in sequence.
 *
 * Admitted changes (allowed, not dry-run) are kept in an overlay applied on top
 * of the source's snapshot until the source shows them (same spec for a CREATE
 * or UPDATE, absent for a DELETE) or until they are older than the TTL (the API
 * server may still have rejected the change after us: another webhook, a
 * conflict). Pure: the caller passes the time and keeps the current value.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PolicyChange } from '../model/findings.js';
import type { ClusterSnapshot, PolicyRecord } from '../model/records.js';
import { policyKey } from '../model/records.js';
import { applyPolicyChange } from '../cluster/snapshot-edits.js';

export const DEFAULT_OVERLAY_TTL_MS = 60_000;

export interface OverlayEntry {
  readonly change: PolicyChange;
  /** When the change was admitted (the caller's clock, in milliseconds). */
  readonly admittedAt: number;
}

export interface Overlay {
  /** By `namespace/name`: the latest admitted change of each policy. */
  readonly entries: ReadonlyMap<string, OverlayEntry>;
  /** Increases whenever the entries change (cache keys use it). */
  readonly generation: number;
}

export const EMPTY_OVERLAY: Overlay = { entries: new Map(), generation: 0 };

/** The overlay with `change` recorded as admitted at `now`; it replaces an earlier change of the same policy. */
export function recordAdmittedChange(overlay: Overlay, change: PolicyChange, now: number): Overlay {
  const key = policyKey(change);
  const entries = new Map(overlay.entries);
  entries.delete(key);
  entries.set(key, { change, admittedAt: now });
  return { entries, generation: overlay.generation + 1 };
}

/** True when `snapshot` already reflects `change`. */
export function isChangeVisible(snapshot: ClusterSnapshot, change: PolicyChange): boolean {
  const key = policyKey(change);
  const current = snapshot.policies.find((p) => policyKey(p) === key);
  if (change.operation === 'DELETE' || change.object === null) return current === undefined;
  return current !== undefined && haveSameSpec(current, change.object);
}

/** The overlay without the entries `snapshot` shows and those admitted more than `ttlMs` ago; the same object when nothing goes. */
export function pruneOverlay(
  overlay: Overlay,
  snapshot: ClusterSnapshot,
  now: number,
  ttlMs: number,
): Overlay {
  const kept = new Map<string, OverlayEntry>();
  for (const [key, entry] of overlay.entries) {
    const expired = now - entry.admittedAt > ttlMs;
    if (!expired && !isChangeVisible(snapshot, entry.change)) kept.set(key, entry);
  }
  if (kept.size === overlay.entries.size) return overlay;
  return { entries: kept, generation: overlay.generation + 1 };
}

/** `snapshot` with every overlay change applied, in admission order. */
export function applyOverlay(snapshot: ClusterSnapshot, overlay: Overlay): ClusterSnapshot {
  let out = snapshot;
  for (const { change } of overlay.entries.values()) out = applyPolicyChange(out, change);
  return out;
}

/** Same selector, policy types and rules: what the policy does (metadata aside). */
export function haveSameSpec(a: PolicyRecord, b: PolicyRecord): boolean {
  return (
    isDeepStrictEqual(a.podSelector, b.podSelector) &&
    isDeepStrictEqual(a.policyTypes, b.policyTypes) &&
    isDeepStrictEqual(a.ingress, b.ingress) &&
    isDeepStrictEqual(a.egress, b.egress)
  );
}
