/**
 * Fixes are ready-to-apply YAML, read by the CLI (`check`, `explain`) and never by
 * the webhook: a finding carries the manifest and serialises it on first read.
 *
 * The finding keeps the manifest under a symbol of this module's own (not enumerable: not listed
 * by Object.keys, not written by JSON.stringify) and reads it through one getter shared by every
 * finding. V8 keeps an own accessor in the object's hidden class: a getter made per finding gave
 * every finding a hidden class of its own, and soon the findings were in dictionary mode
 * (%HasFastProperties over the M stream's decisions).
 */
import { stringify } from 'yaml';
import type { CheckFinding, Finding, Severity } from '../model/findings.js';
import { objectMemo } from '../semantics/object-memo.js';

const MANIFEST = Symbol('fix manifest');

interface LazyFix {
  readonly [MANIFEST]: object;
}

/** Each manifest's YAML, written on the first read of a fix made from it. */
const yamlOf = objectMemo('fix yaml', (manifest: object): string => stringify(manifest));

/** The getter of every lazy `fix`. */
function readFix(this: LazyFix): string {
  return yamlOf(this[MANIFEST]);
}

/** Gives `finding` (a fresh object) the fix written from `manifest`, serialised when first read. */
function defineLazyFix(finding: object, manifest: object): void {
  Object.defineProperty(finding, MANIFEST, { value: manifest });
  Object.defineProperty(finding, 'fix', { get: readFix, enumerable: true, configurable: true });
}

/** `finding` with `fix` = `manifest` as YAML, serialised when first read (no fix when null). */
export function withFix(finding: Omit<CheckFinding, 'fix'>, manifest: object | null): CheckFinding {
  if (manifest === null) return finding;
  const out = { ...finding };
  defineLazyFix(out, manifest);
  return out;
}

/**
 * The finding with a severity: its fields in the same order, then the severity, with a fix that
 * is not serialised yet left unserialised. Written field by field, so that findings with the same
 * fields share one hidden class. A copy through Object.defineProperties(
 * {}, Object.getOwnPropertyDescriptors(finding)) was an object in dictionary mode: 5.0 µs per
 * finding, against 0.6 µs this way (a loop over a dns-egress-blocked finding with a lazy fix and a
 * connectivity-lost finding with 50 subjects).
 */
export function withSeverity(finding: CheckFinding, severity: Severity): Finding {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(finding)) {
    if (Object.getOwnPropertyDescriptor(finding, key)?.get === readFix) {
      defineLazyFix(out, (finding as unknown as LazyFix)[MANIFEST]);
    } else {
      out[key] = (finding as Record<string, unknown>)[key];
    }
  }
  out['severity'] = severity;
  return out as unknown as Finding;
}
