/**
 * `GET /healthz` (the process answers), `GET /readyz` (the state source is
 * ready: until then the API server must not be sent reviews) and
 * `GET /metrics` (Prometheus text from the app's own registry).
 */
import type { FastifyPluginAsync, RawServerBase } from 'fastify';
import type { ClusterStateSource } from '../cluster/state-source.js';
import type { WebhookMetrics } from './metrics.js';

export interface ProbesPluginOptions {
  readonly source: ClusterStateSource;
  readonly metrics: WebhookMetrics;
}

export const probesPlugin: FastifyPluginAsync<ProbesPluginOptions, RawServerBase> = async (app, opts) => {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const { ready, reason } = opts.source.readiness();
    return reply.code(ready ? 200 : 503).send({ ready, reason });
  });

  app.get('/metrics', async (_request, reply) => {
    const { contentType, text } = await opts.metrics.render();
    return reply.type(contentType).send(text);
  });
};
