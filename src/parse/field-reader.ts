/**
 * Defensive readers for plain JSON-like objects: each reads one field, records a FieldIssue when
 * the value has the wrong type and returns a safe fallback, so callers never throw on bad input.
 * `null` counts as absent, as for the API server's decoder.
 */

import {
  describeExpectation,
  describeValue,
  indexFieldPath,
  joinFieldPath,
  type FieldIssue,
} from './issues.js';
import { formatIP, parseIPAddress } from './ip-syntax.js';
import { findLabelKeyProblems, findLabelValueProblems, isPortNumber } from './k8s-syntax.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects issues (the object is rejected) and warnings (accepted, but worth saying) while reading one object. */
export class IssueLog {
  readonly issues: FieldIssue[] = [];
  readonly warnings: FieldIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  addExpectation(path: string, what: string, found: unknown, problems: readonly string[] = []): void {
    this.add(path, describeExpectation(what, found, problems));
  }
}

/** An object field; null when absent. */
export function readObject(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): JsonObject | null {
  const value = parent?.[key];
  if (value === undefined || value === null) return null;
  if (isJsonObject(value)) return value;
  log.addExpectation(joinFieldPath(path, key), 'an object', value);
  return null;
}

/** A list field; empty when absent. */
export function readList(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): readonly unknown[] {
  const value = parent?.[key];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  log.addExpectation(joinFieldPath(path, key), 'a list', value);
  return [];
}

/** A list of objects; a null item is an empty object (the Go zero value). */
export function readObjectList(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): { readonly item: JsonObject; readonly path: string }[] {
  const listPath = joinFieldPath(path, key);
  const result: { item: JsonObject; path: string }[] = [];
  readList(parent, key, path, log).forEach((value, index) => {
    const itemPath = indexFieldPath(listPath, index);
    if (value === null) result.push({ item: {}, path: itemPath });
    else if (isJsonObject(value)) result.push({ item: value, path: itemPath });
    else log.addExpectation(itemPath, 'an object', value);
  });
  return result;
}

/** A string field; null when absent. */
export function readString(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): string | null {
  const value = parent?.[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  log.addExpectation(joinFieldPath(path, key), 'a string', value);
  return null;
}

/** A boolean field; false when absent. */
export function readFlag(parent: JsonObject | null, key: string, path: string, log: IssueLog): boolean {
  const value = parent?.[key];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  log.addExpectation(joinFieldPath(path, key), 'true or false', value);
  return false;
}

/** A non-negative integer field; null when absent. */
export function readCount(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): number | null {
  const value = parent?.[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  log.addExpectation(joinFieldPath(path, key), 'a non-negative integer', value);
  return null;
}

/** A required port number (1-65535); null (and an issue) when absent or invalid. */
export function readPortNumber(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): number | null {
  const value = parent?.[key];
  if (isPortNumber(value)) return value;
  log.addExpectation(joinFieldPath(path, key), 'an integer 1-65535', value);
  return null;
}

/** A string-to-string map with label syntax (metadata.labels, a Service selector); {} when absent. */
export function readLabels(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): Record<string, string> {
  const mapPath = joinFieldPath(path, key);
  const map = readStringMap(parent, key, path, log);
  for (const [labelKey, labelValue] of Object.entries(map)) {
    const keyProblems = findLabelKeyProblems(labelKey);
    if (keyProblems.length > 0)
      log.addExpectation(joinFieldPath(mapPath, labelKey), 'a valid label key', labelKey, keyProblems);
    const valueProblems = findLabelValueProblems(labelValue);
    if (valueProblems.length > 0) {
      log.addExpectation(joinFieldPath(mapPath, labelKey), 'a valid label value', labelValue, valueProblems);
    }
  }
  return map;
}

/** A string-to-string map (annotations); {} when absent; null values read as "". */
export function readStringMap(
  parent: JsonObject | null,
  key: string,
  path: string,
  log: IssueLog,
): Record<string, string> {
  const map = readObject(parent, key, path, log);
  const result: Record<string, string> = {};
  for (const [entryKey, value] of Object.entries(map ?? {})) {
    if (typeof value === 'string') result[entryKey] = value;
    else if (value === null) result[entryKey] = '';
    else
      log.add(
        joinFieldPath(joinFieldPath(path, key), entryKey),
        `expected a string, got ${describeValue(value)}`,
      );
  }
  return result;
}

/** Validates IP address strings (found at the given paths); returns them canonical, without repeats. */
export function readIPAddresses(texts: readonly { text: string; path: string }[], log: IssueLog): string[] {
  const result: string[] = [];
  for (const { text, path } of texts) {
    const parsed = parseIPAddress(text);
    if (parsed === null) {
      log.addExpectation(path, 'an IP address such as 10.1.2.3 or fd00::1', text);
      continue;
    }
    const canonical = formatIP(parsed.value, parsed.family);
    if (!result.includes(canonical)) result.push(canonical);
  }
  return result;
}
