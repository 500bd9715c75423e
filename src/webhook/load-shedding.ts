/**
 * Overload: shed reviews with a clear 503 instead of letting them queue without bound.
 *
 * The analysis is synchronous, so reviews that arrive while others are analysed wait in the
 * socket buffers, unseen, and the wait shows as event loop delay. That wait is not counted by
 * the analysis deadline (it starts when a review is read) but it is by the API server, which
 * gives up after the webhook's timeoutSeconds (10 s; the deadline, 8 s, leaves 2 s for it).
 *
 * The signal: the mean event loop delay, sampled every `sampleIntervalMs`, above
 * `maxEventLoopDelayMs` for `consecutiveSamples` samples in a row. Sustained, not a single
 * sample: one long analysis or the preparation of a large cluster state holds the loop once,
 * and the reviews queued behind it are then answered quickly; shedding them would turn a
 * moment's wait into refused changes. A sustained delay means the queue grows faster than it
 * drains.
 *
 * While overloaded, @fastify/under-pressure answers each new review at once with 503 and a JSON
 * body saying so, before its body is read (Retry-After, Connection: close: the API server's next
 * connection may reach another replica). The API server does not retry; it applies the
 * webhook's failurePolicy (Fail: the change is refused with the message, and can be retried).
 *
 * Registered inside the webhook plugin: only POST /validate is shed. /healthz, /readyz and
 * /metrics keep answering, so an overloaded pod is neither restarted nor taken out of service.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyBaseLogger, FastifyInstance, RawServerBase } from 'fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ErrorBody } from './error-body.js';

export interface LoadSheddingOptions {
  /** Overloaded while the sampled mean event loop delay is above this... */
  readonly maxEventLoopDelayMs: number;
  /** ...in this many consecutive samples. */
  readonly consecutiveSamples: number;
  /** How often the event loop delay is sampled. */
  readonly sampleIntervalMs: number;
  /** The Retry-After header of a shed answer, in seconds. */
  readonly retryAfterSeconds: number;
}

/**
 * 1 s of delay sustained over 2 samples of 500 ms: a review then waits over a second before it
 * is even read, which eats the 2 s between the analysis deadline and the API server's timeout.
 */
export const DEFAULT_LOAD_SHEDDING: LoadSheddingOptions = {
  maxEventLoopDelayMs: 1000,
  consecutiveSamples: 2,
  sampleIntervalMs: 500,
  retryAfterSeconds: 1,
};

export const OVERLOADED_CODE = 'ERR_OVERLOADED';

/** Minimum time between two "shedding" log lines: an overload must not also flood the log. */
const LOG_EVERY_MS = 1000;
/** The histogram's resolution; under-pressure subtracts it the same way. */
const RESOLUTION_MS = 10;

export interface OverloadDetector {
  /** True while the delay has been over the limit for the required consecutive samples. */
  overloaded(): boolean;
  /** The mean event loop delay of the last sample, in milliseconds. */
  lastDelayMs(): number;
  stop(): void;
}

/** Samples the event loop delay every `sampleIntervalMs` (an unref'd timer) until stopped. */
export function createOverloadDetector(options: LoadSheddingOptions): OverloadDetector {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let delay = 0;
  let streak = 0;
  const timer = setInterval(() => {
    const mean = histogram.mean / 1e6 - RESOLUTION_MS;
    histogram.reset();
    // No sample at all: the loop was held for the whole interval.
    delay = Number.isNaN(mean) ? Infinity : Math.max(0, mean);
    streak = delay > options.maxEventLoopDelayMs ? streak + 1 : 0;
  }, options.sampleIntervalMs);
  timer.unref();
  return {
    overloaded: () => streak >= options.consecutiveSamples,
    lastDelayMs: () => delay,
    stop: () => {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

/** Registers the shedding on `app` (the webhook plugin's context); `onShed` counts each shed review. */
export async function registerLoadShedding(
  app: FastifyInstance<RawServerBase>,
  options: LoadSheddingOptions,
  onShed: () => void,
): Promise<void> {
  const detector = createOverloadDetector(options);
  app.addHook('onClose', async () => detector.stop());
  let lastLogAt = -Infinity;
  let shedSinceLog = 0;
  await app.register(underPressure, {
    // our own signal (sustained delay), checked as often as it is sampled
    healthCheck: async () => !detector.overloaded(),
    healthCheckInterval: options.sampleIntervalMs,
    retryAfter: options.retryAfterSeconds,
    pressureHandler: (request, reply) => {
      onShed();
      shedSinceLog++;
      const delayMs = detector.lastDelayMs();
      const now = performance.now();
      if (now - lastLogAt >= LOG_EVERY_MS) {
        logShedding(request.log, delayMs, options, shedSinceLog);
        lastLogAt = now;
        shedSinceLog = 0;
      }
      const body: ErrorBody = {
        statusCode: 503,
        code: OVERLOADED_CODE,
        error: 'Service Unavailable',
        message: describeOverload(delayMs, options),
      };
      void reply
        .code(503)
        .header('retry-after', String(options.retryAfterSeconds))
        .header('connection', 'close')
        .send(body);
    },
  });
}

function describeOverload(delayMs: number, options: LoadSheddingOptions): string {
  const delay = Number.isFinite(delayMs) ? `${Math.round(delayMs)} ms` : 'the whole sample';
  return (
    `netpol-preflight is overloaded (event loop delay ${delay}, over ${options.maxEventLoopDelayMs} ms ` +
    `for ${options.consecutiveSamples} samples): this review was not analysed. ` +
    "The API server applies the webhook's failurePolicy; retry in a moment."
  );
}

function logShedding(
  log: FastifyBaseLogger,
  delayMs: number,
  options: LoadSheddingOptions,
  shed: number,
): void {
  log.warn(
    {
      eventLoopDelayMs: Number.isFinite(delayMs) ? Math.round(delayMs) : null,
      limitMs: options.maxEventLoopDelayMs,
      shed,
    },
    'overloaded: answering reviews with 503',
  );
}
