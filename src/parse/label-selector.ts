/**
 * LabelSelector validation (ValidateLabelSelector with AllowInvalidLabelValueInSelector=false,
 * as on create) and normalization into the model's LabelSelector.
 */

import { findLabelKeyProblems, findLabelValueProblems } from './k8s-syntax.js';
import { describeExpectation, indexFieldPath, joinFieldPath, type FieldIssue } from './issues.js';
import type { RawLabelSelector } from './network-policy-schema.js';
import type { Labels, LabelSelector, SelectorRequirement } from '../model/records.js';

/** Checks the keys and values of a label map (metadata.labels, matchLabels, a Service selector). */
export function validateLabelMap(
  labels: Readonly<Record<string, string | null>> | null | undefined,
  path: string,
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const [key, raw] of Object.entries(labels ?? {})) {
    const value = raw ?? '';
    const keyProblems = findLabelKeyProblems(key);
    if (keyProblems.length > 0) {
      issues.push({
        path: joinFieldPath(path, key),
        message: describeExpectation('a valid label key', key, keyProblems),
      });
    }
    const valueProblems = findLabelValueProblems(value);
    if (valueProblems.length > 0) {
      issues.push({
        path: joinFieldPath(path, key),
        message: describeExpectation('a valid label value', value, valueProblems),
      });
    }
  }
  return issues;
}

/** Validates a selector as the API server does on create. */
export function validateLabelSelector(
  selector: RawLabelSelector | null | undefined,
  path: string,
): FieldIssue[] {
  if (selector === null || selector === undefined) return [];
  const issues = validateLabelMap(selector.matchLabels, joinFieldPath(path, 'matchLabels'));
  const expressionsPath = joinFieldPath(path, 'matchExpressions');
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const at = indexFieldPath(expressionsPath, index);
    const operator = requirement?.operator ?? null;
    const values = (requirement?.values ?? []).map((v) => v ?? '');
    const key = requirement?.key ?? '';
    if (operator === null) {
      issues.push({
        path: joinFieldPath(at, 'operator'),
        message: describeExpectation('one of In, NotIn, Exists, DoesNotExist', requirement?.operator),
      });
    } else if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      issues.push({
        path: joinFieldPath(at, 'values'),
        message: `expected at least one value for operator ${operator}, got none`,
      });
    } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      issues.push({
        path: joinFieldPath(at, 'values'),
        message: `expected no values for operator ${operator}, got ${values.length}`,
      });
    }
    const keyProblems = findLabelKeyProblems(key);
    if (keyProblems.length > 0) {
      issues.push({
        path: joinFieldPath(at, 'key'),
        message: describeExpectation('a valid label key', key, keyProblems),
      });
    }
    values.forEach((value, valueIndex) => {
      const valueProblems = findLabelValueProblems(value);
      if (valueProblems.length > 0) {
        issues.push({
          path: indexFieldPath(joinFieldPath(at, 'values'), valueIndex),
          message: describeExpectation('a valid label value', value, valueProblems),
        });
      }
    });
  });
  return issues;
}

/** Normalizes a validated selector; null/absent becomes `{}` (selects everything). */
export function normalizeLabelSelector(selector: RawLabelSelector | null | undefined): LabelSelector {
  const matchExpressions: SelectorRequirement[] = [];
  for (const requirement of selector?.matchExpressions ?? []) {
    // Validation guarantees an operator; a null requirement cannot pass validation either.
    if (requirement?.operator === null || requirement?.operator === undefined) continue;
    matchExpressions.push({
      key: requirement.key ?? '',
      operator: requirement.operator,
      values: (requirement.values ?? []).map((v) => v ?? ''),
    });
  }
  return { matchLabels: normalizeStringMap(selector?.matchLabels), matchExpressions };
}

/** Copies a string map, turning null values into "" as the Go decoder does. */
export function normalizeStringMap(map: Readonly<Record<string, string | null>> | null | undefined): Labels {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) result[key] = value ?? '';
  return result;
}
