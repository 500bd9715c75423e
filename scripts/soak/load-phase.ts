// The ambient types of autocannon (the package ships none); the TypeScript loader only sees what is referenced.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../../bench/autocannon.d.ts" />
/**
 * Sustained load on a webhook in a child process (loopback only, bounded in time): autocannon at
 * a fixed concurrency, every answer checked (200, an AdmissionReview echoing its own uid), the
 * child's RSS sampled throughout, and the webhook's own metrics read afterwards (reviews that
 * failed per failureMode, reviews shed).
 */
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { get } from 'node:https';
import { readRssMb, sampleRss } from './rss.js';
import type { SoakRow } from './table.js';

/** A review body with `__UID__` (and optionally `__N__`) replaced for every request. */
export type ReviewTemplate = string;

export interface LoadPhaseOptions {
  readonly phase: string;
  readonly port: number;
  readonly pid: number;
  readonly templates: readonly ReviewTemplate[];
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** End RSS may be at most this many times the RSS after the warm-up. */
  readonly rssBound: number;
}

let counter = 0;

function requestsOf(templates: readonly ReviewTemplate[], bad: string[]): AutocannonRequest[] {
  return templates.map((template) => ({
    method: 'POST',
    path: '/validate',
    headers: { 'content-type': 'application/json' },
    setupRequest: (request, context) => {
      counter++;
      const uid = `soak-${counter}`;
      context['uid'] = uid;
      return { ...request, body: template.replaceAll('__UID__', uid).replaceAll('__N__', String(counter)) };
    },
    onResponse: (status, body, context) => {
      if (status !== 200) return; // counted by autocannon as non-2xx
      try {
        const review = JSON.parse(body) as { kind?: string; response?: { uid?: string; allowed?: unknown } };
        if (review.kind !== 'AdmissionReview' || review.response?.uid !== context['uid']) {
          bad.push(`uid ${String(context['uid'])}: ${body.slice(0, 200)}`);
        } else if (typeof review.response?.allowed !== 'boolean') {
          bad.push(`no verdict: ${body.slice(0, 200)}`);
        }
      } catch {
        bad.push(`not JSON: ${body.slice(0, 200)}`);
      }
    },
  }));
}

function run(
  port: number,
  requests: AutocannonRequest[],
  connections: number,
  seconds: number,
): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `https://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        timeout: 15,
        requests,
        servername: 'localhost',
        // the development certificate of the child: nothing vouches for it (curl -k)
        tlsOptions: { rejectUnauthorized: false },
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** GET over TLS to the child (metrics). */
export function fetchText(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

function sumSamples(metrics: string, name: string, labelMatch: RegExp = /.*/): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(name)) continue;
    const [series, value] = line.split(' ');
    if (series !== undefined && labelMatch.test(series)) total += Number(value);
  }
  return total;
}

/** Completed requests: `requests.total` of the aggregated result (older versions: totalCompletedRequests). */
function completedOf(result: AutocannonResult): number {
  const aggregated = (result as AutocannonResult & { requests?: { total?: number } }).requests?.total;
  return aggregated ?? result.totalCompletedRequests;
}

export async function runLoadPhase(options: LoadPhaseOptions): Promise<SoakRow> {
  const bad: string[] = [];
  const requests = requestsOf(options.templates, bad);
  const warm = await run(options.port, requests, options.connections, options.warmupSeconds);
  const rssStart = readRssMb(options.pid);
  const sampler = sampleRss(options.pid, 1000);
  const before = await fetchText(options.port, '/metrics');
  const result = await run(options.port, requests, options.connections, options.durationSeconds);
  const samples = sampler.stop();
  const rssEnd = readRssMb(options.pid);
  const after = await fetchText(options.port, '/metrics');
  const delta = (name: string, labels?: RegExp): number =>
    sumSamples(after, name, labels) - sumSamples(before, name, labels);
  const failed = delta('netpol_preflight_reviews_total', /decision="failed-(open|closed)"/);
  const shed = delta('netpol_preflight_reviews_shed_total');
  const reviewed = delta('netpol_preflight_reviews_total');
  const rssMax = samples.length > 0 ? Math.max(...samples) : null;
  const heapBefore = sumSamples(before, 'netpol_preflight_nodejs_heap_size_used_bytes') / 2 ** 20;
  const heapAfter = sumSamples(after, 'netpol_preflight_nodejs_heap_size_used_bytes') / 2 ** 20;
  const every10s = samples.filter((_, i) => i % 10 === 9).map((mb) => mb.toFixed(0));
  const rssOk = rssStart !== null && rssEnd !== null ? rssEnd <= rssStart * options.rssBound : true;
  const errors = result.errors + result.timeouts + bad.length + warm.errors + warm.timeouts;
  const completed = completedOf(result);
  const non2xx = result.non2xx + warm.non2xx;
  return {
    phase: options.phase,
    requests: completed,
    errors,
    non2xx,
    p99Ms: result.latency.p99,
    rssStartMb: rssStart,
    rssEndMb: rssEnd,
    faults: null,
    converged: null,
    ok: errors === 0 && non2xx === 0 && failed === 0 && rssOk,
    notes:
      `${options.connections} connections for ${options.durationSeconds} s after a ${options.warmupSeconds} s warm-up: ` +
      `${(completed / result.duration).toFixed(0)} reviews/s, latency p50 ${result.latency.p50} ms, ` +
      `p99 ${result.latency.p99} ms, max ${result.latency.max} ms; server counted ${reviewed} reviews, ` +
      `${failed} failed per failureMode, ${shed} shed; RSS max ${rssMax?.toFixed(0) ?? '-'} MB, ` +
      `every 10 s: ${every10s.join(' ')} MB (RSS bound: end <= ${options.rssBound} x start` +
      `${rssOk ? '' : ': EXCEEDED'}); V8 heap used ${heapBefore.toFixed(0)} -> ${heapAfter.toFixed(0)} MB ` +
      '(garbage included until a full collection)' +
      (bad.length > 0 ? `; bad answers, e.g. ${bad[0]}` : ''),
  };
}
