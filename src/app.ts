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
import type { Steps } from './semantics/steps.js';
import type { TlsMaterial } from './tls/certificates.js';
import { resolveHttpLimits, type HttpLimits } from './webhook/http-limits.js';
import { DEFAULT_LOAD_SHEDDING, type LoadSheddingOptions } from './webhook/load-shedding.js';
import { createWebhookMetrics } from './webhook/metrics.js';
import { DEFAULT_OVERLAY_TTL_MS } from './webhook/overlay.js';
import { webhookPlugin } from './webhook/plugin.js';
import { probesPlugin } from './webhook/probes.js';
import { DEFAULT_REVIEW_CACHE_SIZE } from './webhook/review-cache.js';
import { createReviewer, DEFAULT_MAX_STATE_AGE_MS, type DecideFn } from './webhook/review-handler.js';

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
  /** See ReviewerOptions.maxStateAgeMs. */
  readonly maxStateAgeMs?: number;
  /** Body size, header size and timeouts; defaults DEFAULT_HTTP_LIMITS (webhook/http-limits.ts). */
  readonly limits?: Partial<HttpLimits>;
  /**
   * Shedding of reviews with 503 while overloaded; default DEFAULT_LOAD_SHEDDING
   * (webhook/load-shedding.ts). false: never shed (tests that time the analysis itself).
   */
  readonly loadShedding?: Partial<LoadSheddingOptions> | false;
  /** Milliseconds since the epoch, the clock of the state source's timestamps (staleness metric). */
  readonly wallClock?: () => number;
  /** Why /readyz must say not ready whatever the state (the server: `shutting down` while draining). */
  readonly notReadyReason?: () => string | null;
}

export const DEFAULT_WARM_INTERVAL_MS = 1000;
/** How long one slice of a preparation runs before reviews get their turn (see warmSteps). */
export const WARM_SLICE_MS = 10;

/**
 * Cipher suites for TLS 1.2: forward secret (ECDHE) and authenticated encryption (GCM, ChaCha20)
 * only, for ECDSA and RSA keys. Node's default list also allows CBC suites with SHA-1 MACs and
 * static RSA key exchange (through `HIGH`). The API server (Go's crypto/tls) offers all of these.
 * TLS 1.3 suites are all AEAD; they are listed so that setting `ciphers` keeps them.
 */
export const TLS12_CIPHERS: readonly string[] = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
];
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

/** Transport-level TLS settings shared by the first context and every reload: TLS 1.2+, strong suites. */
export const TLS_SETTINGS = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(':'),
  honorCipherOrder: true,
} as const;

export function build(opts: BuildOptions): WebhookApp {
  const now = opts.now ?? (() => performance.now());
  const limits = resolveHttpLimits(opts.limits);
  // Node's own server options (http.createServer), for the limits Fastify does not set itself
  // (Fastify sets requestTimeout from its own option below).
  const nodeServerOptions = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
  };
  const common = {
    bodyLimit: limits.bodyLimitBytes,
    connectionTimeout: limits.connectionTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger ?? false }),
    // No request/response lines: the webhook plugin writes one line per review instead.
    logController: new LogController({ disableRequestLogging: true }),
    // While closing, a review that reached us is still answered: the API server does not retry a
    // 503, it applies the webhook's failurePolicy. Listening stops and idle connections close.
    return503OnClosing: false,
  };
  const app: WebhookApp = opts.https
    ? Fastify({
        ...common,
        https: { cert: opts.https.cert, key: opts.https.key, ...TLS_SETTINGS, ...nodeServerOptions },
      })
    : Fastify({ ...common, http: nodeServerOptions });
  const maxStateAgeMs = opts.maxStateAgeMs ?? DEFAULT_MAX_STATE_AGE_MS;
  const reviewer = createReviewer({
    config: opts.config,
    source: opts.source,
    decide: opts.decide ?? decideChange,
    now,
    cacheSize: opts.cacheSize ?? DEFAULT_REVIEW_CACHE_SIZE,
    maxStateAgeMs,
    overlayTtlMs: opts.overlayTtlMs ?? DEFAULT_OVERLAY_TTL_MS,
  });
  const metrics = createWebhookMetrics({
    source: opts.source,
    overlaySize: () => reviewer.overlay().entries.size,
    processMetrics: opts.processMetrics ?? false,
    ...(opts.wallClock ? { wallClock: opts.wallClock } : {}),
  });
  // Keep the analysis state prepared for the current cluster state, off the review path.
  const warmEvery = opts.warmIntervalMs ?? DEFAULT_WARM_INTERVAL_MS;
  // Ready only once the first analysis state is prepared (with warming on): at 150,000 pods
  // preparing takes seconds, which the first review must not spend out of its deadline.
  let analysisReady = (): boolean => true;
  if (warmEvery > 0) {
    // Preparing is work proportional to the cluster (seconds at 150,000 pods). It runs in slices
    // of WARM_SLICE_MS, so reviews and probes are answered in between; on a large, busy cluster
    // preparations are spaced so that they take at most a fifth of the time, but never so far
    // apart that reviews outlive maxStateAgeMs and prepare on the review path themselves.
    let warmedVersion = -1;
    let nextAt = 0;
    let inProgress: { readonly steps: Steps<void>; readonly version: number; cost: number } | null = null;
    let slice: NodeJS.Immediate | null = null;
    const spaceNext = (cost: number): void => {
      nextAt = now() + Math.min(4 * cost, Math.max(0, maxStateAgeMs - cost - warmEvery));
    };
    const runSlice = (): void => {
      slice = null;
      const current = inProgress;
      if (!current) return;
      const started = now();
      let done = false;
      try {
        do {
          done = current.steps.next().done === true;
        } while (!done && now() - started < WARM_SLICE_MS);
      } catch (error) {
        inProgress = null;
        app.log.error({ err: error }, 'preparing the analysis state failed; retrying at the next interval');
        spaceNext(current.cost + (now() - started));
        return;
      }
      current.cost += now() - started;
      if (!done) {
        slice = setImmediate(runSlice);
        return;
      }
      inProgress = null;
      warmedVersion = current.version;
      spaceNext(current.cost);
    };
    const warmIfDue = (): void => {
      if (inProgress) return;
      const version = opts.source.version();
      if (version === warmedVersion || now() < nextAt || !opts.source.readiness().ready) return;
      inProgress = { steps: reviewer.warmSteps(), version, cost: 0 };
      runSlice();
    };
    const timer = setInterval(warmIfDue, warmEvery);
    timer.unref();
    let firstWarm: NodeJS.Immediate | null = null;
    app.addHook('onClose', async () => {
      clearInterval(timer);
      if (firstWarm) clearImmediate(firstWarm);
      if (slice) clearImmediate(slice);
      inProgress?.steps.return();
      inProgress = null;
    });
    analysisReady = () => {
      if (reviewer.prepared()) return true;
      // Asked before the timer came round: prepare right after this answer.
      firstWarm ??= setImmediate(() => {
        firstWarm = null;
        warmIfDue();
      });
      return false;
    };
  }
  void app.register(probesPlugin, {
    source: opts.source,
    metrics,
    analysisReady: () => analysisReady(),
    notReadyReason: opts.notReadyReason ?? (() => null),
  });
  const loadShedding =
    opts.loadShedding === false ? null : { ...DEFAULT_LOAD_SHEDDING, ...opts.loadShedding };
  void app.register(webhookPlugin, {
    reviewer,
    metrics,
    config: opts.config,
    now,
    bodyLimit: limits.bodyLimitBytes,
    loadShedding,
  });
  return app;
}
