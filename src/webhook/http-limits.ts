/**
 * The HTTP server's limits, each set on purpose rather than left to Node's or
 * Fastify's defaults (docs/operations.md, "Limits", gives the reasons):
 *
 *   bodyLimitBytes        3 MiB   the API server's own limit on a request body (--max-request-bytes);
 *                                 an AdmissionReview is built from one request
 *   maxHeaderBytes        16 KiB  the API server sends a few hundred bytes of headers; Node's
 *                                 --max-http-header-size must not widen it
 *   headersTimeoutMs      10 s    the API server writes its headers at once; a client still sending
 *                                 them after 10 s holds a connection for nothing (slowloris)
 *   requestTimeoutMs      30 s    the whole request; the API server never waits longer than 30 s
 *                                 (the maximum timeoutSeconds), so it has given up by then
 *   connectionTimeoutMs   35 s    socket inactivity while a request is open: above the longest
 *                                 answer the API server waits for (30 s), so it never cuts a review
 *   keepAliveTimeoutMs    100 s   idle keep-alive connections: longer than the API server's own idle
 *                                 timeout (client-go: 90 s), so the client closes first and never
 *                                 sends a review on a connection we are closing
 *   timeoutCheckIntervalMs 1 s    how often Node enforces the header and request timeouts (its
 *                                 default, 30 s, would let a slow client stay up to 30 s longer)
 */

export interface HttpLimits {
  /** Largest request body, in bytes (413 above). */
  readonly bodyLimitBytes: number;
  /** Largest request line plus headers, in bytes (431 above). */
  readonly maxHeaderBytes: number;
  /** Time allowed to receive a request's headers (408 after). */
  readonly headersTimeoutMs: number;
  /** Time allowed to receive a whole request, headers and body (408 after). */
  readonly requestTimeoutMs: number;
  /** Socket inactivity allowed while a request is open (the socket is closed after). */
  readonly connectionTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  readonly keepAliveTimeoutMs: number;
  /** How often the header and request timeouts are checked. */
  readonly timeoutCheckIntervalMs: number;
}

/** 3 MiB: the API server's default limit on a request body; an AdmissionReview is built from one. */
export const VALIDATE_BODY_LIMIT = 3 * 1024 * 1024;

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  bodyLimitBytes: VALIDATE_BODY_LIMIT,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 35_000,
  keepAliveTimeoutMs: 100_000,
  timeoutCheckIntervalMs: 1_000,
};

/** The limits with `overrides` applied; throws a TypeError for a combination Node would refuse. */
export function resolveHttpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits: HttpLimits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new TypeError(`HTTP limit ${key} must be a positive integer, got ${String(value)}`);
    }
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new TypeError('HTTP limit headersTimeoutMs must not exceed requestTimeoutMs');
  }
  return limits;
}
