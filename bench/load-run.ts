/**
 * One bounded load run with autocannon (programmatic API) against a webhook on the loopback
 * interface: `connections` keep-alive HTTPS connections, each sending the next body of a
 * ReviewStream as soon as its previous answer arrived, for `durationS` seconds.
 *
 * Latency percentiles are computed from every response time autocannon reports (a float in
 * milliseconds), not from its histogram, which records whole milliseconds and would round a
 * sub-millisecond no-op answer to 0 or 1.
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

export interface LoadFigures {
  readonly p50_ms: number;
  readonly p99_ms: number;
  /** Answers with status 2xx per second over the run. */
  readonly rps: number;
  readonly connections: number;
  readonly duration_s: number;
  /** Answers with status 2xx (the latencies are theirs). */
  readonly requests: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export function runLoad(target: LoadTarget, options: LoadOptions): Promise<LoadFigures> {
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
        latencies.sort((a, b) => a - b);
        resolve({
          p50_ms: round(percentile(latencies, 50), 3),
          p99_ms: round(percentile(latencies, 99), 3),
          rps: round(latencies.length / result.duration, 1),
          connections: options.connections,
          duration_s: round(result.duration, 2),
          requests: latencies.length,
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
