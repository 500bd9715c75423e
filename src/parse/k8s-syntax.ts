/**
 * Kubernetes name, label and port syntax, as apimachinery checks it
 * (k8s.io/apimachinery/pkg/util/validation and .../api/validate/content).
 * Each function returns the list of problems; an empty list means valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const PORT_NAME_CHARSET = /^[-a-z0-9]+$/;
const PORT_NAME_LETTER = /[a-z]/;

const LABEL_KEY_NAME_MAX = 63;
const LABEL_VALUE_MAX = 63;
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const PORT_NAME_MAX = 15;

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** RFC 1123 label: namespace names, for instance. */
export function findDns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) problems.push(`must be no more than ${DNS1123_LABEL_MAX} characters`);
  if (!DNS1123_LABEL.test(value)) {
    problems.push(
      "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/** RFC 1123 subdomain: most object names, label key prefixes. */
export function findDns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) {
    problems.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX} characters`);
  }
  if (!DNS1123_SUBDOMAIN.test(value)) {
    problems.push(
      "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/** A label key (a "qualified name"): `[prefix/]name`, prefix a DNS subdomain, name <= 63 chars. */
export function findLabelKeyProblems(value: string): string[] {
  const problems: string[] = [];
  const slash = value.indexOf('/');
  let name = value;
  if (slash !== -1) {
    const prefix = value.slice(0, slash);
    name = value.slice(slash + 1);
    if (name.includes('/'))
      return ["must have at most one '/' (an optional DNS subdomain prefix and a name)"];
    if (prefix.length === 0) problems.push('prefix part must be non-empty');
    else problems.push(...findDns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name.length === 0) problems.push('name part must be non-empty');
  else if (name.length > LABEL_KEY_NAME_MAX) {
    problems.push(`name part must be no more than ${LABEL_KEY_NAME_MAX} characters`);
  }
  if (!LABEL_KEY_NAME.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/** A label value: empty, or <= 63 chars, alphanumeric at both ends, `-_.` inside. */
export function findLabelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > LABEL_VALUE_MAX) problems.push(`must be no more than ${LABEL_VALUE_MAX} characters`);
  if (!LABEL_VALUE.test(value)) {
    problems.push(
      "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
    );
  }
  return problems;
}

/** An annotation key: a qualified name once lower-cased. */
export function findAnnotationKeyProblems(value: string): string[] {
  return findLabelKeyProblems(value.toLowerCase());
}

/** A port name (IANA_SVC_NAME): 1-15 of `[-a-z0-9]`, at least one letter, no leading, trailing or double `-`. */
export function findPortNameProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > PORT_NAME_MAX) problems.push(`must be no more than ${PORT_NAME_MAX} characters`);
  if (!PORT_NAME_CHARSET.test(value)) {
    problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!PORT_NAME_LETTER.test(value)) problems.push('must contain at least one letter (a-z)');
  if (value.includes('--')) problems.push('must not contain consecutive hyphens');
  if (value.startsWith('-') || value.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

/** A port number: an integer in 1..65535. */
export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT;
}
