#!/usr/bin/env node
// A bounded load loop against a running webhook over HTTPS keep-alive, e.g. after `make run`:
//   node scripts/load-webhook.mjs --file examples/admission-review-allow-with-warnings.json \
//     --requests 2000 --concurrency 8 [--vary uid|name] [--url https://localhost:8443/validate]
// --vary uid (default): only the uid changes, so reviews after the first are cache hits;
// --vary name: the policy name changes too, so every review is analysed.
// The development certificate is self-signed: like `curl -k`, the certificate is not verified.
// Loopback only: the URL must name localhost, 127.0.0.1 or ::1.
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'https://localhost:8443/validate' },
    file: { type: 'string', default: 'examples/admission-review-allow-with-warnings.json' },
    requests: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    vary: { type: 'string', default: 'uid' },
  },
});
const url = new URL(values.url);
if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
  throw new Error(`refusing to load ${url.hostname}: loopback only`);
}
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
if (!(total > 0 && total <= 100_000 && concurrency > 0 && concurrency <= 64)) {
  throw new Error('--requests 1..100000, --concurrency 1..64');
}
const template = readFileSync(values.file, 'utf8');
const agent = new Agent({ keepAlive: true, maxSockets: concurrency, rejectUnauthorized: false });

function reviewBody(i) {
  const review = JSON.parse(template);
  review.request.uid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  if (values.vary === 'name') {
    const name = `${review.request.name}-${i}`;
    review.request.name = name;
    if (review.request.object?.metadata) review.request.object.metadata.name = name;
  }
  return JSON.stringify(review);
}

function post(body) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies = [];
const statuses = new Map();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) {
      const i = next++;
      const { status, ms } = await post(reviewBody(i));
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(2);
console.log(
  `${total} reviews in ${seconds.toFixed(2)} s: ${(total / seconds).toFixed(0)} reviews/s, ` +
    `latency p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms; ` +
    `status ${[...statuses].map(([s, n]) => `${s}x${n}`).join(' ')} (concurrency ${concurrency}, vary ${values.vary})`,
);
