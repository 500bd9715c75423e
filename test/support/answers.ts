/**
 * What a well-behaved /validate answer looks like, checked field by field: a 4xx JSON error
 * (statusCode, code, message), or a 200 AdmissionReview echoing the request's uid whose warnings
 * stay within the API server's limits. Used by the fuzz, pathological-policy and soak runs.
 */

export interface Answer {
  readonly statusCode: number;
  readonly contentType: string;
  readonly body: string;
}

/** The uid the answer must echo: request.uid of the body as JSON.parse reads it (a BOM skipped), or null. */
export function requestUidOf(text: string): string | null {
  try {
    const value: unknown = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
    const request = isObject(value) ? value['request'] : undefined;
    const uid = isObject(request) ? request['uid'] : undefined;
    return typeof uid === 'string' ? uid : null;
  } catch {
    return null;
  }
}

/** Null when `answer` is acceptable for a request whose body was `sent`; else what is wrong. */
export function checkAnswer(sent: string, answer: Answer): string | null {
  if (!answer.contentType.startsWith('application/json')) {
    return `status ${answer.statusCode} with content type ${JSON.stringify(answer.contentType)}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `status ${answer.statusCode}: the body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (!isObject(body)) return `status ${answer.statusCode}: the body is not an object`;
  if (answer.statusCode >= 400 && answer.statusCode < 500) return checkError(answer.statusCode, body);
  if (answer.statusCode !== 200) return `status ${answer.statusCode}: ${answer.body.slice(0, 300)}`;
  return checkReview(requestUidOf(sent), body);
}

function checkError(statusCode: number, body: Record<string, unknown>): string | null {
  if (body['statusCode'] !== statusCode)
    return `error body statusCode ${String(body['statusCode'])} != ${statusCode}`;
  if (typeof body['code'] !== 'string' || body['code'] === '') return 'error body without a code';
  if (typeof body['message'] !== 'string' || body['message'] === '') return 'error body without a message';
  if (/\n\s+at /.test(body['message'])) return 'error body carries a stack trace';
  return null;
}

function checkReview(uid: string | null, body: Record<string, unknown>): string | null {
  if (uid === null) return 'answered 200 to a body without a readable request.uid';
  if (body['apiVersion'] !== 'admission.k8s.io/v1' || body['kind'] !== 'AdmissionReview') {
    return 'the answer is not an admission.k8s.io/v1 AdmissionReview';
  }
  const response = body['response'];
  if (!isObject(response)) return 'the AdmissionReview has no response';
  if (response['uid'] !== uid)
    return `response.uid ${JSON.stringify(response['uid'])} != ${JSON.stringify(uid)}`;
  if (typeof response['allowed'] !== 'boolean') return 'response.allowed is not a boolean';
  if (!response['allowed']) {
    const status = response['status'];
    if (!isObject(status) || typeof status['code'] !== 'number' || typeof status['message'] !== 'string') {
      return 'a denial without status.code and status.message';
    }
  }
  const warnings = response['warnings'];
  if (warnings !== undefined) {
    if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === 'string'))
      return 'warnings not strings';
    if (warnings.length > 10) return `${warnings.length} warnings (at most 10)`;
    if (warnings.some((w: string) => [...w].length > 120 || w.includes('\n')))
      return 'a warning over 120 characters';
    if (warnings.join('').length >= 4096) return 'warnings over 4096 characters in all';
  }
  const audit = response['auditAnnotations'];
  if (
    audit !== undefined &&
    (!isObject(audit) || !Object.values(audit).every((v) => typeof v === 'string'))
  ) {
    return 'auditAnnotations are not strings';
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
