/**
 * Admission figures: `POST /validate` over real HTTPS with keep-alive at concurrency 1 and 16,
 * measured with autocannon against our webhook and against the no-op webhook (noop-webhook.ts),
 * both already listening on 127.0.0.1 in processes of their own, in the same run and with the same
 * request stream (admission-requests.ts). `ratio_p99_c16` = ours / no-op at concurrency 16.
 *
 * Sequence: one review each (ours prepares its analysis state if its warm-up timer has not yet),
 * a warm-up run at concurrency 16 (JIT, TLS sessions, the review cache reaches its steady state;
 * not measured), then at each concurrency the measurement in rounds (rounds.ts): each round runs
 * the no-op and ours one after the other, in turns (no-op first in even rounds, ours first in odd
 * ones). Each figure is over every answer of its webhook's rounds together.
 *
 * Why rounds: this shared 2-vCPU VM's speed drifts over tens of seconds. With one 10 s run each,
 * the no-op's own p99 at concurrency 16 ranged from 5.7 to 17.2 ms between runs minutes apart, and
 * the ratio of the same code from 1.2 to 3.1: it measured the neighbours more than the code.
 * Interleaved rounds expose both webhooks to the same drift; `ratio_p99_c16_rounds` keeps each
 * round's own ratio, to show how much one round alone would swing.
 *
 * The review cache hits and misses, the decisions and the garbage collections of our rounds come
 * from the webhook's /metrics, read before and after each of its rounds (the no-op has none). The
 * collections say what a slow round was: at L, one full collection of our webhook pauses it for
 * tens to hundreds of milliseconds, and whether one lands in a 2 s round is chance.
 */
import type { ChangeSpec } from './generator.js';
import { ReviewStream, WORKLOAD_MODE, type RequestMix } from './admission-requests.js';
import { loadFigures, runLoad, type LoadFigures, type LoadSample, type LoadTarget } from './load-run.js';
import { roundsFor } from './rounds.js';
import {
  countsBetween,
  countsTogether,
  postOnce,
  readReviewCounts,
  waitReady,
  type ReviewCounts,
} from './webhook-client.js';
import { LoadRunError } from './errors.js';

export const CONCURRENCIES = [1, 16] as const;

export interface CacheFigures {
  readonly hits: number;
  readonly misses: number;
  readonly hit_ratio: number;
  readonly decisions: Readonly<Record<string, number>>;
}

/** Garbage collections of our webhook (full: V8's mark-compact; young: scavenges) and their pauses. */
export interface GcFigures {
  readonly full: number;
  readonly full_ms: number;
  readonly young: number;
  readonly young_ms: number;
}

export interface WorkloadFigures {
  readonly mode: typeof WORKLOAD_MODE;
  readonly description: string;
  readonly dry_run: true;
  readonly stream_changes: number;
  readonly mix_per_pass: RequestMix;
  readonly warmup_s: number;
  readonly duration_s: number;
  readonly rounds: number;
}

export interface AdmissionFigures {
  readonly c1: LoadFigures;
  readonly c16: LoadFigures;
  readonly noop_c1: LoadFigures;
  readonly noop_c16: LoadFigures;
  readonly ratio_p99_c16: number;
  readonly ratio_p99_c1: number;
  /** Each round's own p99 ratio at concurrency 16 (ours / no-op), in order. */
  readonly ratio_p99_c16_rounds: readonly number[];
  /** Ours: review cache use and decisions in each measured run. */
  readonly cache: { readonly c1: CacheFigures; readonly c16: CacheFigures };
  /** Ours: its garbage collections during its rounds at each concurrency, and in each round at 16. */
  readonly gc: { readonly c1: GcFigures; readonly c16: GcFigures; readonly c16_rounds: readonly GcFigures[] };
  /** Seconds from listening to /readyz 200 (the first analysis state prepared). */
  readonly ready_wait_s: number;
  /** Seconds to answer the very first review, sent once ready. */
  readonly first_review_s: number;
  readonly workload: WorkloadFigures;
}

export interface AdmissionOptions {
  readonly ours: LoadTarget;
  readonly noop: LoadTarget;
  readonly changes: readonly ChangeSpec[];
  readonly durationS: number;
  readonly warmupS: number;
  readonly progress: (message: string) => void;
}

const DESCRIPTION =
  'request i = change i mod N of the generated stream, own uid, dryRun true; CREATEs get a new name ' +
  'on every pass (always analysed), UPDATE/DELETE repeat (review cache hits from the second pass); ' +
  'measured after a warm-up run, so in the steady state';

function cacheFigures(counts: ReviewCounts): CacheFigures {
  const lookups = counts.cacheHits + counts.cacheMisses;
  return {
    hits: counts.cacheHits,
    misses: counts.cacheMisses,
    hit_ratio: lookups === 0 ? 0 : Number((counts.cacheHits / lookups).toFixed(3)),
    decisions: counts.decisions,
  };
}

function gcFigures(counts: ReviewCounts): GcFigures {
  const ms = (seconds: number): number => Number((seconds * 1000).toFixed(1));
  return {
    full: counts.fullGc.count,
    full_ms: ms(counts.fullGc.seconds),
    young: counts.youngGc.count,
    young_ms: ms(counts.youngGc.seconds),
  };
}

const ratio = (ours: number, noop: number): number => Number((ours / Math.max(noop, 0.001)).toFixed(2));

export async function measureAdmission(options: AdmissionOptions): Promise<AdmissionFigures> {
  const { ours, noop, durationS } = options;
  const oursStream = new ReviewStream(options.changes, 'a11ce000');
  const noopStream = new ReviewStream(options.changes, 'b0b00000');
  const load = (target: LoadTarget, stream: ReviewStream, connections: number, seconds: number) =>
    runLoad(target, { connections, durationS: seconds, nextBody: () => stream.next() });

  // As the API server: reviews go to the webhook once its readiness probe passes.
  const ready_wait_s = Number((await waitReady(ours, 10 * 60_000)).toFixed(3));
  options.progress(`ready (/readyz 200) ${ready_wait_s} s after listening`);
  const firstStarted = performance.now();
  const firstStatus = await postOnce(ours, oursStream.next());
  const first_review_s = Number(((performance.now() - firstStarted) / 1000).toFixed(3));
  if (firstStatus !== 200)
    throw new LoadRunError(`our webhook answered the first review with ${firstStatus}`);
  if ((await postOnce(noop, noopStream.next())) !== 200) {
    throw new LoadRunError('the no-op webhook did not answer 200');
  }
  options.progress(`first review answered in ${first_review_s} s`);
  if (options.warmupS > 0) {
    options.progress(`warm-up, ${options.warmupS} s each at concurrency 16`);
    await load(noop, noopStream, 16, options.warmupS);
    await load(ours, oursStream, 16, options.warmupS);
  }

  const rounds = roundsFor(durationS);
  const roundS = durationS / rounds;
  const figures = new Map<
    number,
    { ours: LoadFigures; noop: LoadFigures; counts: ReviewCounts[]; roundRatios: number[] }
  >();
  for (const connections of CONCURRENCIES) {
    options.progress(
      `concurrency ${connections}: ${rounds} round${rounds > 1 ? 's' : ''} of ${roundS} s each, no-op and ours in turns`,
    );
    const oursSamples: LoadSample[] = [];
    const noopSamples: LoadSample[] = [];
    const roundRatios: number[] = [];
    /** What our webhook did in each of its rounds (its /metrics before and after). */
    const oursCounts: ReviewCounts[] = [];
    for (let round = 0; round < rounds; round++) {
      const runNoop = async () => noopSamples.push(await load(noop, noopStream, connections, roundS));
      const runOurs = async () => {
        const before = await readReviewCounts(ours);
        oursSamples.push(await load(ours, oursStream, connections, roundS));
        oursCounts.push(countsBetween(before, await readReviewCounts(ours)));
      };
      if (round % 2 === 0) {
        await runNoop();
        await runOurs();
      } else {
        await runOurs();
        await runNoop();
      }
      const o = loadFigures(oursSamples.slice(-1), connections);
      const n = loadFigures(noopSamples.slice(-1), connections);
      roundRatios.push(ratio(o.p99_ms, n.p99_ms));
    }
    figures.set(connections, {
      ours: loadFigures(oursSamples, connections),
      noop: loadFigures(noopSamples, connections),
      counts: oursCounts,
      roundRatios,
    });
  }
  const c1 = figures.get(1);
  const c16 = figures.get(16);
  if (c1 === undefined || c16 === undefined) throw new LoadRunError('a concurrency was not measured');
  const c1Together = countsTogether(c1.counts);
  const c16Together = countsTogether(c16.counts);
  return {
    c1: c1.ours,
    c16: c16.ours,
    noop_c1: c1.noop,
    noop_c16: c16.noop,
    ratio_p99_c16: ratio(c16.ours.p99_ms, c16.noop.p99_ms),
    ratio_p99_c1: ratio(c1.ours.p99_ms, c1.noop.p99_ms),
    ratio_p99_c16_rounds: c16.roundRatios,
    cache: { c1: cacheFigures(c1Together), c16: cacheFigures(c16Together) },
    gc: { c1: gcFigures(c1Together), c16: gcFigures(c16Together), c16_rounds: c16.counts.map(gcFigures) },
    ready_wait_s,
    first_review_s,
    workload: {
      mode: WORKLOAD_MODE,
      description: DESCRIPTION,
      dry_run: true,
      stream_changes: oursStream.streamLength,
      mix_per_pass: oursStream.mix(),
      warmup_s: options.warmupS,
      duration_s: durationS,
      rounds,
    },
  };
}
