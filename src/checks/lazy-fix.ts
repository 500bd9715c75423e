/**
 * Fixes are ready-to-apply YAML, read by the CLI (`check`, `explain`) and never by
 * the webhook: a finding carries the manifest and serialises it on first read.
 */
import { stringify } from 'yaml';
import type { CheckFinding, Finding, Severity } from '../model/findings.js';

/** `finding` with `fix` = `manifest` as YAML, serialised when first read (no fix when null). */
export function withFix(finding: Omit<CheckFinding, 'fix'>, manifest: object | null): CheckFinding {
  if (manifest === null) return finding;
  let yaml: string | undefined;
  return Object.defineProperty({ ...finding }, 'fix', {
    enumerable: true,
    get: () => (yaml ??= stringify(manifest)),
  }) as CheckFinding;
}

/** The finding with a severity, keeping a fix that is not serialised yet unserialised. */
export function withSeverity(finding: CheckFinding, severity: Severity): Finding {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(finding)) as Finding;
  return Object.defineProperty(out, 'severity', {
    value: severity,
    enumerable: true,
    writable: true,
    configurable: true,
  }) as Finding;
}
