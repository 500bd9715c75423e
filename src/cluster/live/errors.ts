/**
 * Errors of the live cluster source. Each carries the resource and the operation it happened in,
 * a stable `code`, and the underlying `cause`; none carries an API object.
 */

export type LiveSourceErrorCode =
  'E_KUBECONFIG' | 'E_API_REQUEST' | 'E_API_STATUS' | 'E_API_RESPONSE' | 'E_WATCH_EVENT';

export type ApiOperation = 'list' | 'watch';

/** Base class of every error raised by the live source. */
export abstract class LiveSourceError extends Error {
  abstract readonly code: LiveSourceErrorCode;
}

/** No usable kubeconfig: the file cannot be loaded, or it has no current cluster. */
export class KubeConfigError extends LiveSourceError {
  override readonly name = 'KubeConfigError';
  readonly code = 'E_KUBECONFIG';
  /** The kubeconfig file, or null for in-cluster / default discovery. */
  readonly file: string | null;

  constructor(file: string | null, detail: string, options?: { cause?: unknown }) {
    super(`kubeconfig ${file ?? '(in-cluster or default)'}: ${detail}`, options);
    this.file = file;
  }
}

interface ApiErrorFields {
  readonly resource: string;
  readonly operation: ApiOperation;
}

/** The request did not get an HTTP response: connection refused or reset, TLS or auth setup, abort, timeout. */
export class ApiRequestError extends LiveSourceError {
  override readonly name = 'ApiRequestError';
  readonly code = 'E_API_REQUEST';
  readonly resource: string;
  readonly operation: ApiOperation;

  constructor(fields: ApiErrorFields, detail: string, options?: { cause?: unknown }) {
    super(`${fields.operation} ${fields.resource}: ${detail}`, options);
    this.resource = fields.resource;
    this.operation = fields.operation;
  }
}

/** The API server answered with a non-success HTTP status (410 Gone means the resourceVersion expired). */
export class ApiStatusError extends LiveSourceError {
  override readonly name = 'ApiStatusError';
  readonly code = 'E_API_STATUS';
  readonly resource: string;
  readonly operation: ApiOperation;
  readonly statusCode: number;
  /** The `reason` of the Status body (e.g. `Expired`, `Forbidden`), or null. */
  readonly reason: string | null;

  constructor(fields: ApiErrorFields & { statusCode: number; reason: string | null; detail: string }) {
    super(`${fields.operation} ${fields.resource}: HTTP ${fields.statusCode}: ${fields.detail}`);
    this.resource = fields.resource;
    this.operation = fields.operation;
    this.statusCode = fields.statusCode;
    this.reason = fields.reason;
  }
}

/** The response could not be read: malformed JSON, a list without items, a watch line that is not an event. */
export class ApiResponseError extends LiveSourceError {
  override readonly name = 'ApiResponseError';
  readonly code = 'E_API_RESPONSE';
  readonly resource: string;
  readonly operation: ApiOperation;

  constructor(fields: ApiErrorFields, detail: string, options?: { cause?: unknown }) {
    super(`${fields.operation} ${fields.resource}: ${detail}`, options);
    this.resource = fields.resource;
    this.operation = fields.operation;
  }
}

/** A watch `ERROR` event: the server ended the watch with a Status (code 410 means expired). */
export class WatchEventError extends LiveSourceError {
  override readonly name = 'WatchEventError';
  readonly code = 'E_WATCH_EVENT';
  readonly resource: string;
  /** The Status `code`, or null when the event carried none. */
  readonly statusCode: number | null;
  readonly reason: string | null;

  constructor(fields: {
    resource: string;
    statusCode: number | null;
    reason: string | null;
    detail: string;
  }) {
    const code = fields.statusCode === null ? '' : ` ${fields.statusCode}`;
    super(`watch ${fields.resource}: ERROR event${code}: ${fields.detail}`);
    this.resource = fields.resource;
    this.statusCode = fields.statusCode;
    this.reason = fields.reason;
  }
}

/** True for 410 Gone, as an HTTP status or as the code of a watch ERROR event: relist from scratch. */
export function isResourceExpired(error: unknown): boolean {
  return (error instanceof ApiStatusError || error instanceof WatchEventError) && error.statusCode === 410;
}

/** A one-line description of any thrown value, for logs and status. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : null;
  // undici wraps socket errors as `TypeError: fetch failed` with the useful part in `cause`.
  if (cause !== null && !error.message.includes(cause.message))
    return `${error.message} (${describeError(cause)})`;
  return error.message;
}
