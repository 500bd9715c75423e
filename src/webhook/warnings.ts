/**
 * Admission warnings within the API server's limits. kubectl prints each one
 * as `Warning: <text>`, so the text carries no prefix of its own. The API
 * server truncates long warnings and drops excess ones; we stay under its
 * limits ourselves so nothing is cut where we cannot say so: each warning at
 * most 120 characters, at most 10 warnings, under 4096 characters in all.
 * When messages are cut, the last warning says how many more there are and
 * where to read them (`netpol-preflight explain`, the webhook log).
 */

export const MAX_WARNING_LENGTH = 120;
export const MAX_WARNINGS = 10;
/** The total must stay strictly below this many characters. */
export const MAX_WARNINGS_TOTAL = 4096;

const PREFIX = /^\s*warning:\s*/i;
// Control characters (C0, DEL, C1) and line or paragraph separators have no place in an HTTP header value.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** One line, no `Warning:` prefix, at most 120 characters (ending in an ellipsis when cut). */
export function normalizeWarning(text: string): string {
  const line = text.replace(CONTROL, ' ').replace(PREFIX, '').replace(/\s+/g, ' ').trim();
  return line.length <= MAX_WARNING_LENGTH ? line : `${line.slice(0, MAX_WARNING_LENGTH - 1)}…`;
}

/** The closing warning when `hidden` messages did not fit. */
export function describeHiddenWarnings(hidden: number, uid: string): string {
  const head = `+${hidden} more warning${hidden === 1 ? '' : 's'}: run netpol-preflight explain, or see the webhook log`;
  const withUid = `${head} (uid ${uid})`;
  return withUid.length <= MAX_WARNING_LENGTH ? withUid : head;
}

/**
 * Fits `messages` (in order of importance) into the warning budget: normalized, duplicates and
 * empty lines dropped; when some do not fit, the last warning counts them.
 */
export function budgetWarnings(messages: readonly string[], uid: string): string[] {
  const distinct: string[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    const w = normalizeWarning(m);
    if (w === '' || seen.has(w)) continue;
    seen.add(w);
    distinct.push(w);
  }
  if (fits(distinct)) return distinct;
  for (let shown = Math.min(distinct.length, MAX_WARNINGS) - 1; shown >= 0; shown--) {
    const out = [...distinct.slice(0, shown), describeHiddenWarnings(distinct.length - shown, uid)];
    if (fits(out)) return out;
  }
  return [describeHiddenWarnings(distinct.length, uid)];
}

function fits(warnings: readonly string[]): boolean {
  if (warnings.length > MAX_WARNINGS) return false;
  return warnings.reduce((sum, w) => sum + w.length, 0) < MAX_WARNINGS_TOTAL;
}
