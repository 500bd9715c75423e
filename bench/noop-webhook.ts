/**
 * The baseline of the admission benchmark: a webhook that parses the AdmissionReview, checks its
 * envelope and allows, on the same server stack as ours.
 *
 * Why a small fastify app built from the same modules rather than `build()` with a `decide` that
 * allows: `build()` would still run everything our reviewer does around the analysis (reading and
 * validating the policy, the review cache key, the overlay, metrics, the log line), so the ratio
 * ours / no-op would hide those costs. A no-op webhook is what any admission webhook must do at
 * least; this one shares with ours everything below that: Node's TLS server with TLS_SETTINGS and
 * the same certificate, fastify with the options build() gives it (the HTTP limits of
 * http-limits.ts, no logger, no request logging, return503OnClosing off), JSON-only parsing, the
 * envelope check (checkAdmissionReview, our ajv schema) and the same response envelope
 * (wrapResponse(allowResponse(uid))). Load shedding (under-pressure) is left out: it never sheds
 * a no-op. Keep the options in step with build() in src/app.ts.
 */
import { readFile } from 'node:fs/promises';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Server } from 'node:https';
import { TLS_SETTINGS } from '../src/app.js';
import type { TlsMaterial } from '../src/tls/certificates.js';
import { allowResponse, wrapResponse } from '../src/webhook/admission-review.js';
import { checkAdmissionReview } from '../src/webhook/admission-review-schema.js';
import { resolveHttpLimits } from '../src/webhook/http-limits.js';
import { sendToParent, stopRequested } from './child-io.js';
import { BenchError } from './errors.js';
import { readString, type JsonRecord } from './guards.js';

export function buildNoopWebhook(tls: TlsMaterial): FastifyInstance<Server> {
  const limits = resolveHttpLimits();
  const app = Fastify({
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    logger: false,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: false,
    https: {
      cert: tls.cert,
      key: tls.key,
      ...TLS_SETTINGS,
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
  });
  app.removeContentTypeParser('text/plain');
  app.post('/validate', async (request, reply) => {
    const checked = checkAdmissionReview(request.body);
    if (!checked.ok) return reply.code(400).send({ message: 'invalid AdmissionReview' });
    return reply.code(200).send(wrapResponse(allowResponse(checked.review.request.uid)));
  });
  return app;
}

/** The `noop` child role: serves the no-op webhook on 127.0.0.1 until told to stop. */
export async function noopRole(args: JsonRecord): Promise<void> {
  const [cert, key] = await Promise.all([
    readFile(readString(args, 'certFile'), 'utf8'),
    readFile(readString(args, 'keyFile'), 'utf8'),
  ]);
  const app = buildNoopWebhook({ cert, key });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new BenchError('the no-op webhook has no TCP port');
  await sendToParent({ type: 'listening', port: address.port });
  await stopRequested();
  await app.close();
}
