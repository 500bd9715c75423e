/**
 * The NetworkPolicy rules a schema cannot express, following the API server's
 * ValidateNetworkPolicy (pkg/apis/networking/validation): metadata names, label selectors, ports
 * and endPort, peers and ipBlocks. Runs on an object whose shape has already been checked.
 */

import { parseCIDR, isStrictSubnet, type ParsedCIDR } from './ip-syntax.js';
import {
  describeExpectation,
  describeValue,
  indexFieldPath,
  joinFieldPath,
  type FieldIssue,
} from './issues.js';
import {
  findAnnotationKeyProblems,
  findDns1123LabelProblems,
  findDns1123SubdomainProblems,
  findPortNameProblems,
  isPortNumber,
} from './k8s-syntax.js';
import { validateLabelMap, validateLabelSelector } from './label-selector.js';
import {
  CIDR_EXPECTATION,
  PORT_EXPECTATION,
  type RawIPBlock,
  type RawNetworkPolicy,
  type RawObjectMeta,
  type RawPeer,
  type RawPort,
} from './network-policy-schema.js';

export interface RuleCheck {
  readonly issues: FieldIssue[];
  /** Accepted but questionable values, as the API server warns about them. */
  readonly warnings: FieldIssue[];
}

/** Applies every cross-field rule; returns issues (reject) and warnings (accept). */
export function checkNetworkPolicyRules(policy: RawNetworkPolicy): RuleCheck {
  const result: RuleCheck = { issues: [], warnings: [] };
  result.issues.push(...validateObjectMeta(policy.metadata, 'metadata'));
  const spec = policy.spec;
  result.issues.push(...validateLabelSelector(spec?.podSelector, 'spec.podSelector'));
  (spec?.ingress ?? []).forEach((rule, index) => {
    const at = indexFieldPath('spec.ingress', index);
    (rule?.ports ?? []).forEach((port, i) =>
      result.issues.push(...validatePolicyPort(port, indexFieldPath(joinFieldPath(at, 'ports'), i))),
    );
    (rule?.from ?? []).forEach((peer, i) =>
      checkPeer(peer, indexFieldPath(joinFieldPath(at, 'from'), i), result),
    );
  });
  (spec?.egress ?? []).forEach((rule, index) => {
    const at = indexFieldPath('spec.egress', index);
    (rule?.ports ?? []).forEach((port, i) =>
      result.issues.push(...validatePolicyPort(port, indexFieldPath(joinFieldPath(at, 'ports'), i))),
    );
    (rule?.to ?? []).forEach((peer, i) =>
      checkPeer(peer, indexFieldPath(joinFieldPath(at, 'to'), i), result),
    );
  });
  return result;
}

/** metadata.name (required, DNS-1123 subdomain), namespace (DNS-1123 label), labels, annotation keys. */
export function validateObjectMeta(meta: RawObjectMeta | null | undefined, path: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const name = meta?.name ?? '';
  if (name === '') {
    issues.push({
      path: joinFieldPath(path, 'name'),
      message: 'expected a name (DNS-1123 subdomain), got nothing',
    });
  } else {
    const problems = findDns1123SubdomainProblems(name);
    if (problems.length > 0) {
      issues.push({
        path: joinFieldPath(path, 'name'),
        message: describeExpectation('a DNS-1123 subdomain', name, problems),
      });
    }
  }
  const namespace = meta?.namespace ?? '';
  if (namespace !== '') {
    const problems = findDns1123LabelProblems(namespace);
    if (problems.length > 0) {
      issues.push({
        path: joinFieldPath(path, 'namespace'),
        message: describeExpectation('a DNS-1123 label', namespace, problems),
      });
    }
  }
  issues.push(...validateLabelMap(meta?.labels, joinFieldPath(path, 'labels')));
  for (const key of Object.keys(meta?.annotations ?? {})) {
    const problems = findAnnotationKeyProblems(key);
    if (problems.length > 0) {
      issues.push({
        path: joinFieldPath(joinFieldPath(path, 'annotations'), key),
        message: describeExpectation('a valid annotation key', key, problems),
      });
    }
  }
  return issues;
}

/** ValidateNetworkPolicyPort: protocol is checked by the schema; port, endPort here. */
function validatePolicyPort(port: RawPort | null | undefined, path: string): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const value = port?.port ?? null;
  const endPort = port?.endPort ?? null;
  const portPath = joinFieldPath(path, 'port');
  const endPortPath = joinFieldPath(path, 'endPort');
  if (typeof value === 'number') {
    if (!isPortNumber(value))
      issues.push({ path: portPath, message: describeExpectation(PORT_EXPECTATION, value) });
    if (endPort !== null && (!isPortNumber(endPort) || endPort < value)) {
      issues.push({
        path: endPortPath,
        message: describeExpectation(`an integer from port (${value}) to 65535`, endPort),
      });
    }
  } else if (typeof value === 'string') {
    const problems = findPortNameProblems(value);
    if (problems.length > 0) {
      const hint = /^[0-9]+$/.test(value)
        ? ['a quoted number is a port name, not a port number: write it without quotes']
        : problems;
      issues.push({ path: portPath, message: describeExpectation(PORT_EXPECTATION, value, hint) });
    }
    if (endPort !== null) {
      issues.push({
        path: endPortPath,
        message: `expected no endPort with a named port (${describeValue(value)}), got ${describeValue(endPort)}`,
      });
    }
  } else if (endPort !== null) {
    issues.push({
      path: endPortPath,
      message: `expected no endPort without a numeric port, got ${describeValue(endPort)} and no port`,
    });
  }
  return issues;
}

/** ValidateNetworkPolicyPeer: exactly ipBlock, or one or both selectors. */
function checkPeer(peer: RawPeer | null | undefined, path: string, result: RuleCheck): void {
  const present = (['podSelector', 'namespaceSelector', 'ipBlock'] as const).filter(
    (field) => peer?.[field] !== null && peer?.[field] !== undefined,
  );
  result.issues.push(...validateLabelSelector(peer?.podSelector, joinFieldPath(path, 'podSelector')));
  result.issues.push(
    ...validateLabelSelector(peer?.namespaceSelector, joinFieldPath(path, 'namespaceSelector')),
  );
  if (peer?.ipBlock !== null && peer?.ipBlock !== undefined) {
    checkIPBlock(peer.ipBlock, joinFieldPath(path, 'ipBlock'), result);
  }
  if (present.length === 0) {
    result.issues.push({
      path,
      message: 'expected at least one of podSelector, namespaceSelector or ipBlock, got none',
    });
  } else if (present.length > 1 && present.includes('ipBlock')) {
    result.issues.push({
      path,
      message: `expected ipBlock alone in a peer, got ${present.join(' and ')} (use separate list items to allow either)`,
    });
  }
}

/** ValidateIPBlock: a valid cidr; each except valid and a strict subset of cidr. */
function checkIPBlock(block: RawIPBlock, path: string, result: RuleCheck): void {
  const cidrPath = joinFieldPath(path, 'cidr');
  const cidrText = block.cidr ?? '';
  if (cidrText === '') {
    result.issues.push({ path: cidrPath, message: describeExpectation(CIDR_EXPECTATION, block.cidr) });
    return;
  }
  const cidr = parseValidCIDR(cidrText, cidrPath, result);
  if (cidr === null) return;
  (block.except ?? []).forEach((raw, index) => {
    const exceptPath = indexFieldPath(joinFieldPath(path, 'except'), index);
    const except = parseValidCIDR(raw ?? '', exceptPath, result);
    if (except === null) return;
    if (!isStrictSubnet(cidr, except)) {
      const problems =
        except.family === cidr.family ? [] : [`${except.family}, while cidr is ${cidr.family}`];
      result.issues.push({
        path: exceptPath,
        message: describeExpectation(`a CIDR strictly inside cidr ${cidr.canonical}`, raw, problems),
      });
    }
  });
}

function parseValidCIDR(text: string, path: string, result: RuleCheck): ParsedCIDR | null {
  const parsed = parseCIDR(text);
  if (parsed === null) {
    result.issues.push({ path, message: describeExpectation(CIDR_EXPECTATION, text) });
    return null;
  }
  for (const message of parsed.warnings) result.warnings.push({ path, message });
  return parsed;
}
