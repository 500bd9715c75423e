/**
 * Field issues: what is wrong with one field of one object, as data.
 *
 * A path reads like the field in YAML (`spec.ingress[0].ports[1].endPort`); keys that are not
 * plain identifiers are bracketed and quoted (`metadata.labels["app.kubernetes.io/name"]`).
 */

export interface FieldIssue {
  /** Where the problem is, e.g. `spec.ingress[0].ports[1].endPort`. */
  readonly path: string;
  /** What was expected and what was found. */
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** Appends an object key to a field path. */
export function joinFieldPath(path: string, key: string): string {
  if (PLAIN_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

/** Appends an array index to a field path. */
export function indexFieldPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

/** Describes a found value for a message: strings quoted, scalars as JSON, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'a non-finite number';
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value.toString()}`;
    case 'object':
      return 'an object';
    default:
      return `a ${typeof value}`;
  }
}

/** Builds `expected <what>, got <value> (<problems>)`. */
export function describeExpectation(what: string, found: unknown, problems: readonly string[] = []): string {
  const detail = problems.length === 0 ? '' : ` (${problems.join('; ')})`;
  return `expected ${what}, got ${describeValue(found)}${detail}`;
}

/** Formats an issue as one line: `path: message`. */
export function formatFieldIssue(issue: FieldIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
