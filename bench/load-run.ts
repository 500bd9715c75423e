/**
 * One bounded load run with autocannon (programmatic API) against a webhook on the loopback
 * interface: `connections` keep-alive HTTPS connections, each sending the next body of a
 * ReviewStream as soon as its previous answer arrived, for `durationS` seconds.
 *
 * Latency percentiles are computed from every response time autocannon reports (a float in
 * milliseconds), not from its histogram, which records whole milliseconds and would round a
 * sub-millisecond no-op answer to 0 or 1. A measurement may be made of several runs (rounds):
 * `loadFigures` merges their response times, so its percentiles are over every answer.
 */
import autocannon from 'autocannon';
import { percentile } from './engine-bench.js';
import { LoadRunError } from './errors.js';

export interface LoadTarget {
  /** Must be on 127.0.0.1. */
  readonly port: number;
  readonly path: string;
  /** The CA that signed the server's certificate (the handshake is made as for `localhost`). */
  readonly ca: string;
}

export interface LoadOptions {
  readonly connections: number;
  readonly durationS: number;
  /** The body of the next request. */
  readonly nextBody: () => string;
}

/** What one run measured: the response time of every 2xx answer, and the failures. */
export interface LoadSample {
  readonly latencies: readonly number[];
  readonly durationS: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

export interface LoadFigures {
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** Answers with status 2xx per second over the runs. */
  readonly rps: number;
  readonly connections: number;
  /** Seconds of load, every run together. */
  readonly duration_s: number;
  /** The runs the figures merge. */
  readonly rounds: number;
  /** Answers with status 2xx (the latencies are theirs). */
  readonly requests: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** The figures over every answer of `samples` (runs of `connections` connections each). */
export function loadFigures(samples: readonly LoadSample[], connections: number): LoadFigures {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const durationS = samples.reduce((sum, s) => sum + s.durationS, 0);
  const total = (key: 'errors' | 'timeouts' | 'non2xx'): number =>
    samples.reduce((sum, s) => sum + s[key], 0);
  return {
    p50_ms: round(percentile(latencies, 50), 3),
    p99_ms: round(percentile(latencies, 99), 3),
    rps: round(latencies.length / durationS, 1),
    connections,
    duration_s: round(durationS, 2),
    rounds: samples.length,
    requests: latencies.length,
    errors: total('errors'),
    timeouts: total('timeouts'),
    non2xx: total('non2xx'),
  };
}

export function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadSample> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `https://127.0.0.1:${target.port}${target.path}`,
        servername: 'localhost',
        tlsOptions: { ca: target.ca },
        connections: options.connections,
        duration: options.durationS,
        pipelining: 1,
        timeout: 60,
        requests: [
          {
            method: 'POST',
            path: target.path,
            headers: { 'content-type': 'application/json' },
            setupRequest: (request) => ({ ...request, body: options.nextBody() }),
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(new LoadRunError(`autocannon failed: ${error.message}`, { cause: error }));
          return;
        }
        if (latencies.length === 0) {
          reject(
            new LoadRunError(
              `no successful answer from 127.0.0.1:${target.port} in ${options.durationS} s ` +
                `(errors ${result.errors}, timeouts ${result.timeouts}, non-2xx ${result.non2xx})`,
            ),
          );
          return;
        }
        resolve({
          latencies,
          durationS: result.duration,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
