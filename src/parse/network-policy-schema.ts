/**
 * The shape of a `networking.k8s.io/v1` NetworkPolicy as a JSON schema, compiled once.
 *
 * The schema checks types, enums and unknown fields only (what the API server's strict decoder
 * rejects); rules that relate fields to each other live in network-policy-rules.ts. Like the Go
 * decoder, `null` is accepted wherever a field is optional and means "absent" (a null list item
 * means the item's zero value). ajv is configured to never coerce types, remove properties or
 * insert defaults: the object is only inspected.
 */

import { Ajv, type ErrorObject } from 'ajv';
import { describeValue, indexFieldPath, joinFieldPath, type FieldIssue } from './issues.js';
import type { Protocol, SelectorOperator } from '../model/records.js';

type Maybe<T> = T | null | undefined;
type StringMap = Record<string, string | null>;

export interface RawLabelSelector {
  readonly matchLabels?: Maybe<StringMap>;
  readonly matchExpressions?: Maybe<readonly Maybe<RawSelectorRequirement>[]>;
}

export interface RawSelectorRequirement {
  readonly key?: Maybe<string>;
  readonly operator?: Maybe<SelectorOperator>;
  readonly values?: Maybe<readonly Maybe<string>[]>;
}

export interface RawIPBlock {
  readonly cidr?: Maybe<string>;
  readonly except?: Maybe<readonly Maybe<string>[]>;
}

export interface RawPeer {
  readonly podSelector?: Maybe<RawLabelSelector>;
  readonly namespaceSelector?: Maybe<RawLabelSelector>;
  readonly ipBlock?: Maybe<RawIPBlock>;
}

export interface RawPort {
  readonly protocol?: Maybe<Protocol>;
  readonly port?: Maybe<number | string>;
  readonly endPort?: Maybe<number>;
}

export interface RawIngressRule {
  readonly from?: Maybe<readonly Maybe<RawPeer>[]>;
  readonly ports?: Maybe<readonly Maybe<RawPort>[]>;
}

export interface RawEgressRule {
  readonly to?: Maybe<readonly Maybe<RawPeer>[]>;
  readonly ports?: Maybe<readonly Maybe<RawPort>[]>;
}

export interface RawNetworkPolicySpec {
  readonly podSelector?: Maybe<RawLabelSelector>;
  readonly policyTypes?: Maybe<readonly ('Ingress' | 'Egress')[]>;
  readonly ingress?: Maybe<readonly Maybe<RawIngressRule>[]>;
  readonly egress?: Maybe<readonly Maybe<RawEgressRule>[]>;
}

export interface RawObjectMeta {
  readonly name?: Maybe<string>;
  readonly namespace?: Maybe<string>;
  readonly labels?: Maybe<StringMap>;
  readonly annotations?: Maybe<StringMap>;
}

export interface RawNetworkPolicy {
  readonly apiVersion?: Maybe<string>;
  readonly kind?: Maybe<string>;
  readonly metadata?: Maybe<RawObjectMeta>;
  readonly spec?: Maybe<RawNetworkPolicySpec>;
}

export const PORT_EXPECTATION = 'an integer 1-65535 or a port name (IANA_SVC_NAME)';
export const CIDR_EXPECTATION = 'a CIDR such as 10.0.0.0/8 or 2001:db8::/32';

const stringMap = {
  type: ['object', 'null'],
  additionalProperties: { type: ['string', 'null'] },
} as const;

const nullableString = { type: ['string', 'null'] } as const;

function nullableListOf(ref: string): object {
  return { type: ['array', 'null'], items: { $ref: `#/definitions/${ref}` } };
}

const NETWORK_POLICY_SCHEMA = {
  $id: 'netpol-preflight/networking.k8s.io/v1/NetworkPolicy',
  type: 'object',
  'x-expected': 'a NetworkPolicy object',
  properties: {
    apiVersion: { enum: ['networking.k8s.io/v1', null] },
    kind: { enum: ['NetworkPolicy', null] },
    metadata: { $ref: '#/definitions/ObjectMeta' },
    spec: { $ref: '#/definitions/NetworkPolicySpec' },
    status: {},
  },
  additionalProperties: false,
  definitions: {
    ObjectMeta: {
      type: ['object', 'null'],
      properties: {
        name: nullableString,
        namespace: nullableString,
        labels: stringMap,
        annotations: stringMap,
      },
    },
    NetworkPolicySpec: {
      type: ['object', 'null'],
      properties: {
        podSelector: { $ref: '#/definitions/LabelSelector' },
        policyTypes: {
          type: ['array', 'null'],
          maxItems: 2,
          'x-expected': 'at most two policy types',
          items: { enum: ['Ingress', 'Egress'] },
        },
        ingress: nullableListOf('IngressRule'),
        egress: nullableListOf('EgressRule'),
      },
      additionalProperties: false,
    },
    IngressRule: {
      type: ['object', 'null'],
      properties: { from: nullableListOf('Peer'), ports: nullableListOf('Port') },
      additionalProperties: false,
    },
    EgressRule: {
      type: ['object', 'null'],
      properties: { to: nullableListOf('Peer'), ports: nullableListOf('Port') },
      additionalProperties: false,
    },
    Peer: {
      type: ['object', 'null'],
      properties: {
        podSelector: { $ref: '#/definitions/LabelSelector' },
        namespaceSelector: { $ref: '#/definitions/LabelSelector' },
        ipBlock: { $ref: '#/definitions/IPBlock' },
      },
      additionalProperties: false,
    },
    IPBlock: {
      type: ['object', 'null'],
      properties: {
        cidr: { type: ['string', 'null'], 'x-expected': CIDR_EXPECTATION },
        except: {
          type: ['array', 'null'],
          items: { type: ['string', 'null'], 'x-expected': CIDR_EXPECTATION },
        },
      },
      additionalProperties: false,
    },
    Port: {
      type: ['object', 'null'],
      properties: {
        protocol: { enum: ['TCP', 'UDP', 'SCTP', null] },
        port: { type: ['integer', 'string', 'null'], 'x-expected': PORT_EXPECTATION },
        endPort: { type: ['integer', 'null'], 'x-expected': 'an integer 1-65535' },
      },
      additionalProperties: false,
    },
    LabelSelector: {
      type: ['object', 'null'],
      properties: {
        matchLabels: stringMap,
        matchExpressions: nullableListOf('LabelSelectorRequirement'),
      },
      additionalProperties: false,
    },
    LabelSelectorRequirement: {
      type: ['object', 'null'],
      properties: {
        key: nullableString,
        operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
        values: { type: ['array', 'null'], items: nullableString },
      },
      additionalProperties: false,
    },
  },
} as const;

const ajv = new Ajv({
  allErrors: true,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  verbose: true,
  allowUnionTypes: true,
  strict: true,
});
ajv.addVocabulary(['x-expected']);

const validateShape = ajv.compile<RawNetworkPolicy>(NETWORK_POLICY_SCHEMA);

export type ShapeCheck =
  { ok: true; value: RawNetworkPolicy; unknownFields: FieldIssue[] } | { ok: false; issues: FieldIssue[] };

/**
 * Checks types, enums and unknown fields of a NetworkPolicy object.
 * `unknownFields: 'reject'` (manifests, as kubectl's strict validation);
 * `'ignore'` (objects the API server already accepted: a field added by a
 * newer Kubernetes must not make a policy vanish or a review fail), then
 * unknown fields come back in `unknownFields` for a warning.
 */
export function checkNetworkPolicyShape(
  value: unknown,
  unknownFields: 'reject' | 'ignore' = 'reject',
): ShapeCheck {
  if (validateShape(value)) return { ok: true, value, unknownFields: [] };
  const errors = validateShape.errors ?? [];
  const unknown = errors.filter((e) => e.keyword === 'additionalProperties');
  if (unknownFields === 'ignore' && unknown.length === errors.length) {
    return {
      ok: true,
      value: value as RawNetworkPolicy,
      unknownFields: removeDuplicateIssues(unknown.map((error) => convertAjvError(error, value))),
    };
  }
  const issues = errors.map((error) => convertAjvError(error, value));
  return { ok: false, issues: removeDuplicateIssues(issues) };
}

function convertAjvError(error: ErrorObject, root: unknown): FieldIssue {
  const path = formatInstancePath(error.instancePath, root);
  const found = describeValue(error.data);
  const expected = readExpectation(error.parentSchema);
  switch (error.keyword) {
    case 'type': {
      const types = String((error.params as { type?: unknown }).type ?? '').split(',');
      return { path, message: `expected ${expected ?? describeTypes(types)}, got ${found}` };
    }
    case 'enum': {
      const allowed = ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).filter(
        (v) => v !== null,
      );
      return { path, message: `expected one of ${allowed.map(String).join(', ')}, got ${found}` };
    }
    case 'additionalProperties': {
      const field = String((error.params as { additionalProperty?: unknown }).additionalProperty);
      const known = Object.keys(readProperties(error.parentSchema));
      return {
        path: joinFieldPath(path, field),
        message: `unknown field (expected one of ${known.join(', ')})`,
      };
    }
    case 'maxItems': {
      const count = Array.isArray(error.data) ? error.data.length : 0;
      return { path, message: `expected ${expected ?? 'fewer items'}, got ${count}` };
    }
    default:
      return { path, message: error.message ?? `failed ${error.keyword} check` };
  }
}

function formatInstancePath(pointer: string, root: unknown): string {
  if (pointer === '') return '';
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      path = indexFieldPath(path, index);
      node = node[index];
    } else {
      path = joinFieldPath(path, segment);
      node = isRecord(node) ? node[segment] : undefined;
    }
  }
  return path;
}

function readExpectation(schema: unknown): string | null {
  if (!isRecord(schema)) return null;
  const expected = schema['x-expected'];
  return typeof expected === 'string' ? expected : null;
}

function readProperties(schema: unknown): Record<string, unknown> {
  if (!isRecord(schema)) return {};
  const properties = schema['properties'];
  return isRecord(properties) ? properties : {};
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  object: 'an object',
  array: 'a list',
  boolean: 'a boolean',
};

function describeTypes(types: readonly string[]): string {
  const names = types.filter((t) => t !== 'null').map((t) => TYPE_NAMES[t] ?? t);
  return names.join(' or ');
}

function removeDuplicateIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
