/**
 * The fuzz and pathological-policy tests with a larger budget: FUZZ_RUNS cases per property and
 * RELIABILITY_FULL=1 (every operation, the 3 MiB body), through tap, in a child process.
 */
import { spawn } from 'node:child_process';
import type { SoakRow } from './table.js';

export async function runFuzzPhase(repo: string, runs: number, seed: number): Promise<SoakRow> {
  const files = ['test/reliability/fuzz.test.ts', 'test/reliability/pathological-policies.test.ts'];
  const started = Date.now();
  const { output, code } = await new Promise<{ output: string; code: number | null }>((resolve) => {
    const child = spawn(`${repo}node_modules/.bin/tap`, ['--reporter=tap', '--timeout=600', ...files], {
      cwd: repo,
      env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), RELIABILITY_FULL: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text = (text + c.toString('utf8')).slice(-200_000)));
    child.on('close', (exitCode) => resolve({ output: text, code: exitCode }));
  });
  const summary =
    /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(output);
  const fail = Number(summary?.[3] ?? (summary ? 0 : 1));
  const todo = Number(summary?.[5] ?? 0);
  const todos = [...output.matchAll(/not ok \d+ - (.*) # TODO/g)].map((m) => m[1]);
  const failures = [...output.matchAll(/^\s+not ok \d+ - (?!.*# TODO)(.*)$/gm)].map((m) =>
    m[1]?.slice(0, 300),
  );
  return {
    phase: `fuzz + pathological (${runs} runs, seed ${seed})`,
    requests: null,
    errors: fail,
    non2xx: null,
    p99Ms: null,
    rssStartMb: null,
    rssEndMb: null,
    faults: null,
    converged: null,
    ok: summary !== null && fail === 0 && code === 0,
    notes:
      `${summary?.[1] ?? '?'} assertions, ${fail} failed, ${todo} todo in ${((Date.now() - started) / 1000).toFixed(0)} s` +
      (todos.length > 0 ? ` (todo: ${todos.join('; ')})` : '') +
      (failures.length > 0 ? `; FAILED: ${failures.join('; ')}` : ''),
  };
}
