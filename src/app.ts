/**
 * `build(opts)`: the fastify app of the webhook, never listening. Tests call
 * `app.inject()`; server.ts adds TLS, listen and signals. The state comes
 * from any ClusterStateSource (manifests loaded once, or a live list/watch
 * cache); `build` reads it but neither starts nor stops it.
 */
import type * as http from 'node:http';
import type * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import type { PreflightConfig } from './model/config.js';
import { decideChange } from './checks/decide.js';
import type { ClusterStateSource } from './cluster/state-source.js';
import type { TlsMaterial } from './tls/certificates.js';
import { createWebhookMetrics } from './webhook/metrics.js';
import { DEFAULT_OVERLAY_TTL_MS } from './webhook/overlay.js';
import { webhookPlugin } from './webhook/plugin.js';
import { probesPlugin } from './webhook/probes.js';
import { DEFAULT_REVIEW_CACHE_SIZE } from './webhook/review-cache.js';
import { createReviewer, type DecideFn } from './webhook/review-handler.js';

export type WebhookApp = FastifyInstance<http.Server | https.Server>;

export interface BuildOptions {
  readonly source: ClusterStateSource;
  readonly config: PreflightConfig;
  /** Fastify's logger option: false (the default) for none, true or pino options for JSON lines. */
  readonly logger?: FastifyServerOptions['logger'];
  /** A pino logger to use instead of `logger` (shared with the state source). */
  readonly loggerInstance?: FastifyBaseLogger;
  /** Serve HTTPS with this certificate and key (TLS 1.2 minimum); plain HTTP without (inject tests). */
  readonly https?: TlsMaterial | null;
  /** Export process metrics (CPU, memory, event loop) on /metrics. Default false. */
  readonly processMetrics?: boolean;
  /** Decisions kept for repeated identical reviews. Default DEFAULT_REVIEW_CACHE_SIZE. */
  readonly cacheSize?: number;
  /** How long an admitted change stays in the read-your-writes overlay at most. Default 60 s. */
  readonly overlayTtlMs?: number;
  /** Monotonic clock in milliseconds (tests drive deadlines and the overlay TTL with it). */
  readonly now?: () => number;
  /** The analysis; decideChange unless a test substitutes it. */
  readonly decide?: DecideFn;
  /** How often to prepare the analysis state for a changed cluster state, off the review path (0: never). */
  readonly warmIntervalMs?: number;
}

export const DEFAULT_WARM_INTERVAL_MS = 1000;

/** Transport-level TLS settings shared by the first context and every reload. */
export const TLS_SETTINGS = { minVersion: 'TLSv1.2' } as const;

export function build(opts: BuildOptions): WebhookApp {
  const now = opts.now ?? (() => performance.now());
  const common = {
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger ?? false }),
    // No request/response lines: the webhook plugin writes one line per review instead.
    logController: new LogController({ disableRequestLogging: true }),
    // While closing, a review that reached us is still answered: the API server does not retry a
    // 503, it applies the webhook's failurePolicy. Listening stops and idle connections close.
    return503OnClosing: false,
  };
  const app: WebhookApp = opts.https
    ? Fastify({ ...common, https: { cert: opts.https.cert, key: opts.https.key, ...TLS_SETTINGS } })
    : Fastify(common);
  const reviewer = createReviewer({
    config: opts.config,
    source: opts.source,
    decide: opts.decide ?? decideChange,
    now,
    cacheSize: opts.cacheSize ?? DEFAULT_REVIEW_CACHE_SIZE,
    overlayTtlMs: opts.overlayTtlMs ?? DEFAULT_OVERLAY_TTL_MS,
  });
  const metrics = createWebhookMetrics({
    source: opts.source,
    overlaySize: () => reviewer.overlay().entries.size,
    processMetrics: opts.processMetrics ?? false,
  });
  // Keep the analysis state prepared for the current cluster state, off the review path.
  const warmEvery = opts.warmIntervalMs ?? DEFAULT_WARM_INTERVAL_MS;
  if (warmEvery > 0) {
    let warmedVersion = -1;
    const timer = setInterval(() => {
      const version = opts.source.version();
      if (version === warmedVersion || !opts.source.readiness().ready) return;
      warmedVersion = version;
      try {
        reviewer.warm();
      } catch (error) {
        app.log.error({ err: error }, 'preparing the analysis state failed; reviews will retry it');
      }
    }, warmEvery);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
  void app.register(probesPlugin, { source: opts.source, metrics });
  void app.register(webhookPlugin, { reviewer, metrics, config: opts.config, now });
  return app;
}
