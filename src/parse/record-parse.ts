/** The result of reading one object into a record: the record, or the issues that prevent it. */

import type { IssueLog } from './field-reader.js';
import { describeValue, type FieldIssue } from './issues.js';

export type RecordParse<T> =
  | { readonly ok: true; readonly record: T; readonly warnings: readonly FieldIssue[] }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

/** Returns the record when nothing was logged, else the logged issues. */
export function concludeParse<T>(log: IssueLog, record: T): RecordParse<T> {
  return log.issues.length === 0
    ? { ok: true, record, warnings: log.warnings }
    : { ok: false, issues: log.issues };
}

/** The result for a value that is not an object at all. */
export function rejectNonObject(
  expected: string,
  found: unknown,
): { readonly ok: false; readonly issues: FieldIssue[] } {
  return { ok: false, issues: [{ path: '', message: `expected ${expected}, got ${describeValue(found)}` }] };
}
