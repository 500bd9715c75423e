/** The admission measurement in rounds: how a duration is split, and how rounds are merged. */
import t from 'tap';
import { MAX_ROUNDS, roundsFor } from '../../bench/rounds.js';
import { loadFigures } from '../../bench/load-run.js';

t.test('a duration is split into rounds of at least 2 s, at most MAX_ROUNDS', async (t) => {
  t.equal(roundsFor(0.5), 1, 'a short run is one round');
  t.equal(roundsFor(3.9), 1);
  t.equal(roundsFor(5), 2, 'quick: two rounds of 2.5 s');
  t.equal(roundsFor(10), 5, 'default: five rounds of 2 s');
  t.equal(roundsFor(600), MAX_ROUNDS);
});

t.test('figures are over every answer of every round', async (t) => {
  const sample = (latencies: number[], durationS: number, errors = 0) => ({
    latencies,
    durationS,
    errors,
    timeouts: 0,
    non2xx: 1,
  });
  // 99 fast answers in one round and one slow answer in another: the percentiles are those of the
  // 100 answers together, the same as for one run holding them all.
  const fast = Array.from({ length: 99 }, (_, i) => 1 + i / 1000);
  const f = loadFigures([sample(fast, 2, 1), sample([50], 2)], 16);
  t.equal(f.requests, 100);
  t.equal(f.rounds, 2);
  t.equal(f.duration_s, 4);
  t.equal(f.rps, 25, 'answers over the seconds of every round');
  t.equal(f.errors, 1);
  t.equal(f.non2xx, 2);
  t.equal(f.p99_ms, 1.098, 'the 99th of 100 sorted answers');
  t.equal(f.p50_ms, 1.049);
  t.equal(loadFigures([sample([50, ...fast], 2)], 16).p99_ms, f.p99_ms, 'as if it were one run');
});
