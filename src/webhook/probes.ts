/**
 * `GET /healthz` (the process answers), `GET /readyz` (the state source is
 * ready and the analysis state prepared: until then the API server must not
 * be sent reviews) and `GET /metrics` (Prometheus text from the app's own registry).
 */
import type { FastifyPluginAsync, RawServerBase } from 'fastify';
import type { ClusterStateSource } from '../cluster/state-source.js';
import type { WebhookMetrics } from './metrics.js';

export interface ProbesPluginOptions {
  readonly source: ClusterStateSource;
  readonly metrics: WebhookMetrics;
  /** False until the analysis state for the current cluster state has been prepared once. */
  readonly analysisReady: () => boolean;
  /** A reason to be not ready that comes before the state's (e.g. shutting down); null: none. */
  readonly notReadyReason: () => string | null;
}

export const PREPARING_REASON = 'preparing the analysis state';

export const probesPlugin: FastifyPluginAsync<ProbesPluginOptions, RawServerBase> = async (app, opts) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const down = opts.notReadyReason();
    if (down !== null) return reply.code(503).send({ ready: false, reason: down });
    const source = opts.source.readiness();
    const { ready, reason } =
      source.ready && !opts.analysisReady() ? { ready: false, reason: PREPARING_REASON } : source;
    return reply.code(ready ? 200 : 503).send({ ready, reason });
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await opts.metrics.render();
    return reply.type(contentType).send(text);
  });
};
