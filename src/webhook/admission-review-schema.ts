/**
 * The AdmissionReview envelope as a JSON schema, checked with our own ajv
 * instance: no type coercion, no removal of unknown properties, no defaults.
 * Fastify's built-in validator does all three, which would alter the object
 * under review, so the /validate route does not use it. Only the envelope is
 * checked here; the object under review is read by parse/network-policy.ts.
 *
 * Required fields mirror the Go type (k8s.io/api/admission/v1.AdmissionRequest):
 * uid, kind, resource, operation and userInfo are never omitted by the API server.
 */
import { Ajv, type ErrorObject } from 'ajv';
import {
  ADMISSION_API_VERSION,
  ADMISSION_REVIEW_KIND,
  type AdmissionReviewRequest,
} from './admission-review.js';

const groupVersionKind = {
  type: 'object',
  required: ['group', 'version', 'kind'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, kind: { type: 'string' } },
} as const;

const groupVersionResource = {
  type: 'object',
  required: ['group', 'version', 'resource'],
  properties: { group: { type: 'string' }, version: { type: 'string' }, resource: { type: 'string' } },
} as const;

const stringList = { type: 'array', items: { type: 'string' } } as const;

export const admissionReviewSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { const: ADMISSION_API_VERSION },
    kind: { const: ADMISSION_REVIEW_KIND },
    request: {
      type: 'object',
      required: ['uid', 'kind', 'resource', 'operation', 'userInfo'],
      properties: {
        uid: { type: 'string', minLength: 1 },
        kind: groupVersionKind,
        resource: groupVersionResource,
        subResource: { type: 'string' },
        requestKind: groupVersionKind,
        requestResource: groupVersionResource,
        requestSubResource: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        operation: { enum: ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] },
        userInfo: {
          type: 'object',
          properties: {
            username: { type: 'string' },
            uid: { type: 'string' },
            groups: stringList,
            extra: { type: 'object', additionalProperties: stringList },
          },
        },
        object: { type: ['object', 'null'] },
        oldObject: { type: ['object', 'null'] },
        dryRun: { type: 'boolean' },
        options: { type: ['object', 'null'] },
      },
      // CREATE and UPDATE always carry the new object.
      if: { required: ['operation'], properties: { operation: { enum: ['CREATE', 'UPDATE'] } } },
      then: { required: ['object'], properties: { object: { type: 'object' } } },
    },
  },
} as const;

/** One problem with the envelope: the field (`request.uid`) and what is wrong with it. */
export interface EnvelopeIssue {
  readonly field: string;
  readonly message: string;
}

export type EnvelopeCheck =
  | { readonly ok: true; readonly review: AdmissionReviewRequest }
  | { readonly ok: false; readonly issues: readonly EnvelopeIssue[] };

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
});
const validateEnvelope = ajv.compile<AdmissionReviewRequest>(admissionReviewSchema);

/** Checks an AdmissionReview request body without changing it. */
export function checkAdmissionReview(body: unknown): EnvelopeCheck {
  if (validateEnvelope(body)) return { ok: true, review: body };
  return { ok: false, issues: describeIssues(validateEnvelope.errors ?? []) };
}

function describeIssues(errors: readonly ErrorObject[]): EnvelopeIssue[] {
  const seen = new Set<string>();
  const issues: EnvelopeIssue[] = [];
  for (const e of errors) {
    if (e.keyword === 'if') continue; // restated by the failing `then` keyword
    const issue = describeIssue(e);
    const key = `${issue.field}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describeIssue(e: ErrorObject): EnvelopeIssue {
  const base = e.instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  switch (e.keyword) {
    case 'required': {
      const missing = String((e.params as { missingProperty: string }).missingProperty);
      return { field: base === '' ? missing : `${base}.${missing}`, message: 'is required' };
    }
    case 'const':
      return {
        field: fieldOf(base),
        message: `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
      };
    case 'enum':
      return {
        field: fieldOf(base),
        message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String).join(', ')}`,
      };
    default:
      return { field: fieldOf(base), message: e.message ?? e.keyword };
  }
}

function fieldOf(path: string): string {
  return path === '' ? '(body)' : path;
}

/** `request.uid: is required; request.operation: must be one of ...` */
export function formatEnvelopeIssues(issues: readonly EnvelopeIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}
