/**
 * The AdmissionReview contract (`admission.k8s.io/v1`) as plain types, and the
 * small response helpers every answer goes through (allowed, denied, errored),
 * in the manner of controller-runtime's admission package. Warnings are
 * carried on every answer, denials included: they are never dropped.
 */

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_REVIEW_KIND = 'AdmissionReview';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface AdmissionUserInfo {
  readonly username?: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** `request` of an AdmissionReview, as the API server sends it. Objects stay raw: they are only read. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  readonly subResource?: string;
  readonly requestKind?: GroupVersionKind;
  readonly requestResource?: GroupVersionResource;
  readonly requestSubResource?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly operation: AdmissionOperation;
  readonly userInfo: AdmissionUserInfo;
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
  readonly options?: unknown;
}

export interface AdmissionReviewRequest {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: typeof ADMISSION_REVIEW_KIND;
  readonly request: AdmissionRequest;
}

/** The `metav1.Status` subset the API server reads from a webhook answer. */
export interface AdmissionStatus {
  readonly code: number;
  readonly reason: StatusReason;
  readonly message: string;
}

export type StatusReason = 'Forbidden' | 'InternalError' | 'Timeout';

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionStatus;
  readonly warnings?: readonly string[];
  /** Recorded in the API server's audit log, each key prefixed with the webhook name. */
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: typeof ADMISSION_REVIEW_KIND;
  readonly response: AdmissionResponse;
}

export interface ResponseExtras {
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
}

function withExtras(response: AdmissionResponse, extras: ResponseExtras): AdmissionResponse {
  const warnings = extras.warnings ?? [];
  const audit = extras.auditAnnotations ?? {};
  return {
    ...response,
    ...(warnings.length > 0 ? { warnings: [...warnings] } : {}),
    ...(Object.keys(audit).length > 0 ? { auditAnnotations: { ...audit } } : {}),
  };
}

/** An allowed answer. */
export function allowResponse(uid: string, extras: ResponseExtras = {}): AdmissionResponse {
  return withExtras({ uid, allowed: true }, extras);
}

/** A denial: HTTP-like code 403 (Forbidden) unless the denial stands for an error. */
export function denyResponse(
  uid: string,
  message: string,
  extras: ResponseExtras = {},
  status: { code: number; reason: StatusReason } = { code: 403, reason: 'Forbidden' },
): AdmissionResponse {
  return withExtras({ uid, allowed: false, status: { ...status, message } }, extras);
}

/** Wraps a response in the AdmissionReview envelope the API server expects back. */
export function wrapResponse(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response };
}
