/**
 * An UPDATE that does not change what the policy does (same selector, types
 * and rules; only metadata changed) cannot change traffic: it is allowed at
 * once, without analysis.
 */
import type { PolicyChange } from '../model/findings.js';
import type { PolicyRecord } from '../model/records.js';

function specOf(p: PolicyRecord): string {
  return JSON.stringify([p.podSelector, p.policyTypes, p.ingress, p.egress]);
}

export function isNoopUpdate(change: PolicyChange): boolean {
  return (
    change.operation === 'UPDATE' &&
    change.object !== null &&
    change.oldObject !== null &&
    specOf(change.object) === specOf(change.oldObject)
  );
}
