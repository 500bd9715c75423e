/**
 * The fastify plugin serving `POST /validate` (encapsulated: its parsers,
 * hooks and error handler apply to its own routes only).
 *
 * The HTTP edge, case by case:
 * - only `application/json` bodies are accepted; any other content type is 415;
 * - bodies over the body limit (3 MiB, the API server's own limit on a request body,
 *   `--max-request-bytes`; http-limits.ts) are 413;
 * - while the event loop is overloaded, reviews are shed at once with 503 (load-shedding.ts);
 * - a body that is not JSON, or not an `admission.k8s.io/v1` AdmissionReview, is 400 with a
 *   JSON error naming the field; the envelope is checked by our own ajv (no coercion, no
 *   removal of properties: the object under review is never altered);
 * - no response schema: fastify's serializer would drop fields it does not list (warnings);
 * - anything that fails after the uid is known is still an AdmissionReview answer with that uid,
 *   per the configured failure mode, and logged with its stack.
 */
import type { FastifyBaseLogger, FastifyError, FastifyPluginAsync, RawServerBase } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { PreflightConfig } from '../model/config.js';
import { wrapResponse, type AdmissionReviewResponse } from './admission-review.js';
import { checkAdmissionReview, formatEnvelopeIssues } from './admission-review-schema.js';
import type { ErrorBody } from './error-body.js';
import { VALIDATE_BODY_LIMIT } from './http-limits.js';
import { registerLoadShedding, type LoadSheddingOptions } from './load-shedding.js';
import type { WebhookMetrics } from './metrics.js';
import { answerFailure, type Reviewer, type ReviewSummary } from './review-handler.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** When the request arrived, on the plugin's `now` clock (set by its onRequest hook). */
    receivedAt: number;
  }
}

export interface WebhookPluginOptions {
  readonly reviewer: Reviewer;
  readonly metrics: WebhookMetrics;
  readonly config: PreflightConfig;
  readonly now: () => number;
  /** Largest body of POST /validate; default VALIDATE_BODY_LIMIT (3 MiB). */
  readonly bodyLimit?: number;
  /** Shed reviews with 503 while overloaded; null: never. */
  readonly loadShedding: LoadSheddingOptions | null;
}

/** Longest override reason written to the log; the audit annotation keeps the whole text. */
const MAX_LOGGED_REASON = 256;

export const webhookPlugin: FastifyPluginAsync<WebhookPluginOptions, RawServerBase> = async (app, opts) => {
  const bodyLimit = opts.bodyLimit ?? VALIDATE_BODY_LIMIT;
  // Fastify also parses text/plain by default; an AdmissionReview is JSON only.
  app.removeContentTypeParser('text/plain');
  if (opts.loadShedding !== null) {
    await registerLoadShedding(app, opts.loadShedding, () => opts.metrics.observeShed());
  }
  // When the request arrived (the review's duration and deadline start there): a field every
  // request is created with, set by a synchronous hook (no promise, no side table per request).
  app.decorateRequest('receivedAt', 0);
  app.addHook('onRequest', (request, _reply, done) => {
    request.receivedAt = opts.now();
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode >= 500) request.log.error({ err: error }, 'unexpected error on /validate');
    else
      request.log.info({ statusCode, code: error.code, reason: error.message }, 'rejected /validate request');
    const body: ErrorBody = {
      statusCode,
      code: error.code ?? 'ERR_INTERNAL',
      error: STATUS_CODES[statusCode] ?? 'Error',
      message: describeHttpError(error, statusCode, request.headers['content-type'], bodyLimit),
    };
    return reply.code(statusCode).send(body);
  });

  app.post('/validate', { bodyLimit }, async (request, reply) => {
    const checked = checkAdmissionReview(request.body);
    if (!checked.ok) {
      const body: ErrorBody = {
        statusCode: 400,
        code: 'ERR_INVALID_ADMISSION_REVIEW',
        error: 'Bad Request',
        message: `invalid AdmissionReview: ${formatEnvelopeIssues(checked.issues)}`,
        fields: checked.issues,
      };
      request.log.info({ statusCode: 400, reason: body.message }, 'rejected /validate request');
      return reply.code(400).send(body);
    }
    const { request: admission } = checked.review;
    let answer: AdmissionReviewResponse;
    try {
      const outcome = opts.reviewer.review(admission, request.receivedAt);
      logReview(request.log, outcome.summary);
      opts.metrics.observeReview(outcome.summary);
      answer = wrapResponse(outcome.response);
    } catch (caught) {
      // The reviewer never throws; this guards the logging and metrics around it.
      request.log.error(
        { err: caught, uid: admission.uid },
        'unexpected error answering an admission review',
      );
      answer = wrapResponse(answerFailure(opts.config, admission.uid, 'internal-error').response);
    }
    return reply.code(200).send(answer);
  });
};

function describeHttpError(
  error: FastifyError,
  statusCode: number,
  contentType: string | undefined,
  bodyLimit: number,
): string {
  if (statusCode >= 500) return 'internal error (see the webhook log)';
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `Content-Type ${JSON.stringify((contentType ?? '(none)').slice(0, 100))} is not supported: send application/json`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return bodyLimit === VALIDATE_BODY_LIMIT
        ? `request body over the limit of ${bodyLimit} bytes (3 MiB, the API server's own limit)`
        : `request body over the limit of ${bodyLimit} bytes`;
    default:
      return error.message;
  }
}

/** One line per review; overrides, escalations and failures at a higher level. Never whole objects. */
export function logReview(log: FastifyBaseLogger, s: ReviewSummary): void {
  const fields = {
    uid: s.uid,
    operation: s.operation,
    kind: s.kind,
    namespace: s.namespace,
    name: s.name,
    user: s.user,
    dryRun: s.dryRun,
    decision: s.verdict,
    ...(s.skipReason !== null ? { skipReason: s.skipReason } : {}),
    rules: [...new Set(s.findings.map((f) => f.rule))],
    ...(s.escalated.length > 0 ? { escalated: s.escalated } : {}),
    ...(s.overrideReason !== null ? { overrideReason: truncate(s.overrideReason, MAX_LOGGED_REASON) } : {}),
    cache: s.cache,
    stateVersion: s.stateVersion,
    ...(s.recorded ? { recorded: true } : {}),
    ...(s.notes.length > 0 ? { notes: s.notes } : {}),
    durationMs: Math.round(s.durationMs * 1000) / 1000,
  };
  const msg = `admission review ${s.operation} ${s.namespace}/${s.name}: ${s.verdict}`;
  if (s.failure !== null) {
    log.error({ ...fields, failure: s.failure.cause, err: s.failure.error }, msg);
  } else if (s.overrideReason !== null || s.escalated.length > 0) {
    log.warn(fields, msg);
  } else {
    log.info(fields, msg);
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
