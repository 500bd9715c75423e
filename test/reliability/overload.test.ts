/**
 * Overload is shed with a clear 503 instead of queueing without bound (src/webhook/load-shedding.ts):
 * forced event loop pressure gets a 503 with a JSON body and Retry-After on /validate while the
 * probes keep answering; a single long block does not shed; and under real load over HTTPS,
 * with an analysis slower than the clients, every review is answered, either analysed or shed.
 */
import { Agent } from 'node:https';
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { startServer } from '../../src/server.js';
import { OVERLOADED_CODE } from '../../src/webhook/load-shedding.js';
import { postOverTls } from '../support/tls-client.js';
import {
  buildTestApp,
  configWith,
  fixtureSource,
  FRONTEND_TO_CART,
  metricValue,
  policyReview,
  scrapeMetrics,
} from '../support/webhook.js';

const FAST = { maxEventLoopDelayMs: 50, sampleIntervalMs: 50, consecutiveSamples: 2, retryAfterSeconds: 1 };

/** Holds the event loop for `ms`, as a synchronous analysis does. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

t.test('sustained event loop delay: /validate answers 503 with a JSON body; the probes answer', async (t) => {
  const app = buildTestApp({ loadShedding: FAST });
  t.teardown(() => app.close());
  await app.ready();
  const review = policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'shed-1' });
  t.equal(
    (await app.inject({ method: 'POST', url: '/validate', payload: review })).statusCode,
    200,
    'calm: 200',
  );

  // several long blocks in a row, with the timers running between them
  for (let i = 0; i < 4; i++) {
    busy(150);
    await tick();
  }
  busy(150);
  const shed = await app.inject({ method: 'POST', url: '/validate', payload: review });
  const [healthz, readyz] = await Promise.all([
    app.inject({ method: 'GET', url: '/healthz' }),
    app.inject({ method: 'GET', url: '/readyz' }),
  ]);
  t.equal(shed.statusCode, 503, 'overloaded: 503');
  t.match(shed.headers['content-type'], /^application\/json/);
  t.equal(shed.headers['retry-after'], '1');
  t.equal(shed.headers['connection'], 'close', 'the next review may reach another replica');
  const body = shed.json() as { statusCode: number; code: string; error: string; message: string };
  t.equal(body.statusCode, 503);
  t.equal(body.code, OVERLOADED_CODE);
  t.equal(body.error, 'Service Unavailable');
  t.match(
    body.message,
    /overloaded \(event loop delay .* over 50 ms for 2 samples\): this review was not analysed/,
  );
  t.match(body.message, /failurePolicy/);
  t.equal(healthz.statusCode, 200, '/healthz is not shed');
  t.equal(readyz.statusCode, 200, '/readyz is not shed');
  t.equal(metricValue(await scrapeMetrics(app), 'netpol_preflight_reviews_shed_total'), 1, 'counted');

  // relief: the loop is idle again, reviews are analysed again
  await tick(300);
  const calm = await app.inject({ method: 'POST', url: '/validate', payload: review });
  t.equal(calm.statusCode, 200, 'relieved: 200 again');
  t.equal((calm.json() as { response: { uid: string } }).response.uid, 'shed-1');
});

t.test('a single long block (one slow analysis) does not shed the reviews behind it', async (t) => {
  const app = buildTestApp({ loadShedding: FAST });
  t.teardown(() => app.close());
  await app.ready();
  await tick(200);
  busy(600);
  const answers = await Promise.all(
    [1, 2, 3].map((i) =>
      app.inject({
        method: 'POST',
        url: '/validate',
        payload: policyReview('CREATE', 'shop', `p${i}`, { after: FRONTEND_TO_CART }),
      }),
    ),
  );
  t.same(
    answers.map((a) => a.statusCode),
    [200, 200, 200],
  );
});

interface Outcome {
  readonly status: number;
  readonly ms: number;
  readonly kind: 'review' | 'shed' | 'other';
}

async function post(port: number, agent: Agent, uid: string): Promise<Outcome> {
  const body = JSON.stringify(
    policyReview('CREATE', 'shop', `load-${uid}`, { after: FRONTEND_TO_CART }, { uid, dryRun: true }),
  );
  const started = performance.now();
  const answer = await postOverTls({ port, agent, body });
  const json = JSON.parse(answer.text) as { response?: { uid?: string }; code?: string };
  const kind =
    answer.status === 200 && json.response?.uid === uid
      ? 'review'
      : answer.status === 503 && json.code === OVERLOADED_CODE
        ? 'shed'
        : 'other';
  return { status: answer.status, ms: performance.now() - started, kind };
}

t.test(
  'real load over HTTPS, analysis slower than the clients: answered or shed, never queued forever',
  async (t) => {
    const server = await startServer({
      source: fixtureSource(),
      config: configWith(),
      tls: { kind: 'self-signed' },
      port: 0,
      host: '127.0.0.1',
      drainMs: 0,
      loadShedding: { maxEventLoopDelayMs: 200, sampleIntervalMs: 100, consecutiveSamples: 2 },
      decide: (...args) => {
        busy(20); // every review costs 20 ms of event loop
        return decideChange(...args);
      },
    });
    t.teardown(() => server.close());
    const agent = new Agent({ keepAlive: true, maxSockets: 48 });
    t.teardown(() => agent.destroy());
    const outcomes: Outcome[] = [];
    const errors: string[] = [];
    let stop = false;
    let n = 0;
    const client = async (): Promise<void> => {
      while (!stop) {
        try {
          outcomes.push(await post(server.port, agent, `u${n++}`));
        } catch (error) {
          errors.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 48 }, client);
    await tick(1200);
    stop = true;
    await Promise.all(clients);

    const reviews = outcomes.filter((o) => o.kind === 'review');
    const shed = outcomes.filter((o) => o.kind === 'shed');
    const maxReview = Math.max(...reviews.map((o) => o.ms));
    t.comment(
      `${outcomes.length} answers: ${reviews.length} reviews, ${shed.length} shed; slowest review ${maxReview.toFixed(0)} ms`,
    );
    t.same(errors, [], 'no connection error');
    t.same(
      outcomes.filter((o) => o.kind === 'other'),
      [],
      'every answer is a review or a shed 503',
    );
    t.ok(reviews.length > 0, 'reviews were analysed');
    t.ok(shed.length > 0, 'and the overflow was shed');
  },
);
