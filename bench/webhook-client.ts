/**
 * Talking to a running webhook outside load runs: what it says it did, read from its own
 * /metrics (review cache hits and misses, reviews by decision, its garbage collections; read
 * before and after a load run, the difference is that run's), and single reviews to warm it up.
 */
import { request } from 'node:https';
import { LoadRunError } from './errors.js';
import type { LoadTarget } from './load-run.js';

/** Garbage collections of one kind: how many, and their pauses added up. */
export interface GcTotals {
  readonly count: number;
  readonly seconds: number;
}

export interface ReviewCounts {
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Reviews by decision (`allowed`, `warned`, `denied`, `skipped`, `failed-open`, ...). */
  readonly decisions: Readonly<Record<string, number>>;
  /**
   * The process's garbage collections, from the histogram of its process metrics
   * (`netpol_preflight_nodejs_gc_duration_seconds`): full ones (V8's mark-compact, `major`) and
   * young ones (scavenges, `minor`). Zero when the webhook exports no process metrics.
   */
  readonly fullGc: GcTotals;
  readonly youngGc: GcTotals;
}

function get(target: LoadTarget, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: target.port, servername: 'localhost', path, ca: target.ca, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(new LoadRunError(`GET ${path}: HTTP ${res.statusCode ?? '?'}`));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new LoadRunError(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Polls `GET /readyz` every 50 ms until it answers 200, as the kubelet does before the Service
 * sends the pod traffic; returns the seconds waited.
 */
export async function waitReady(target: LoadTarget, timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    try {
      await get(target, '/readyz');
      return (performance.now() - started) / 1000;
    } catch (error) {
      if (!(error instanceof LoadRunError) || !error.message.includes('HTTP 503')) throw error;
      if (performance.now() - started > timeoutMs) {
        throw new LoadRunError(`GET /readyz: not ready after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Sums the samples of `name` whose labels include `label="value"`, grouped by `label`'s value. */
function samplesBy(text: string, name: string, label: string): Map<string, number> {
  const totals = new Map<string, number>();
  const pattern = new RegExp(`${label}="([^"]*)"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = pattern.exec(line)?.[1];
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (value !== undefined && Number.isFinite(count)) totals.set(value, (totals.get(value) ?? 0) + count);
  }
  return totals;
}

export async function readReviewCounts(target: LoadTarget): Promise<ReviewCounts> {
  const text = await get(target, '/metrics');
  const cache = samplesBy(text, 'netpol_preflight_review_cache_total', 'result');
  const decisions = samplesBy(text, 'netpol_preflight_reviews_total', 'decision');
  const gcCounts = samplesBy(text, 'netpol_preflight_nodejs_gc_duration_seconds_count', 'kind');
  const gcSeconds = samplesBy(text, 'netpol_preflight_nodejs_gc_duration_seconds_sum', 'kind');
  const gc = (kind: string): GcTotals => ({
    count: gcCounts.get(kind) ?? 0,
    seconds: gcSeconds.get(kind) ?? 0,
  });
  return {
    cacheHits: cache.get('hit') ?? 0,
    cacheMisses: cache.get('miss') ?? 0,
    decisions: Object.fromEntries(decisions),
    fullGc: gc('major'),
    youngGc: gc('minor'),
  };
}

/**
 * `a + sign × b`, figure by figure; decisions that come to zero are left out. Counters only grow,
 * so `after - before` never goes below zero.
 */
function combine(a: ReviewCounts, b: ReviewCounts, sign: 1 | -1): ReviewCounts {
  const decisions: Record<string, number> = { ...a.decisions };
  for (const [decision, n] of Object.entries(b.decisions))
    decisions[decision] = (decisions[decision] ?? 0) + sign * n;
  const gc = (x: GcTotals, y: GcTotals): GcTotals => ({
    count: x.count + sign * y.count,
    seconds: x.seconds + sign * y.seconds,
  });
  return {
    cacheHits: a.cacheHits + sign * b.cacheHits,
    cacheMisses: a.cacheMisses + sign * b.cacheMisses,
    decisions: Object.fromEntries(Object.entries(decisions).filter(([, n]) => n > 0)),
    fullGc: gc(a.fullGc, b.fullGc),
    youngGc: gc(a.youngGc, b.youngGc),
  };
}

const NO_COUNTS: ReviewCounts = {
  cacheHits: 0,
  cacheMisses: 0,
  decisions: {},
  fullGc: { count: 0, seconds: 0 },
  youngGc: { count: 0, seconds: 0 },
};

/** `after - before`. */
export function countsBetween(before: ReviewCounts, after: ReviewCounts): ReviewCounts {
  return combine(after, before, -1);
}

/** The counts of several runs together (each a `countsBetween`). */
export function countsTogether(runs: readonly ReviewCounts[]): ReviewCounts {
  return runs.reduce((total, run) => combine(total, run, 1), NO_COUNTS);
}

/** One review posted and answered (any status), for warming a server up. */
export function postOnce(target: LoadTarget, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        servername: 'localhost',
        path: target.path,
        method: 'POST',
        ca: target.ca,
        timeout: 600_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new LoadRunError(`POST ${target.path}: timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
