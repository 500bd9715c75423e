/**
 * V8 settings of a process that serves reviews (`serve`), set once at its start.
 *
 * `--no-allocation-site-pretenuring`: V8 learns per allocation site whether its objects survive,
 * and then allocates them straight in the old generation. Preparing the analysis state teaches it
 * that the side summaries, rule targets and their maps survive (they are kept); the same sites
 * then allocate every analysis' short-lived summaries in the old generation, where they are
 * garbage that keeps their young parts alive through every young collection (copied, then
 * promoted) until the next full one. Measured with `npm run bench -- --sizes M`, three runs each
 * way on the 2-core VM: admission p99 at concurrency 16 16-28 ms with, 27-36 ms without; analysis
 * p99 3.4-5.0 ms with, 4.7-5.8 ms without. Preparing the L cluster took as long either way
 * (2.6-2.9 s).
 *
 * Set before the engine runs: decisions V8 has already taken stay in optimised code.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVING_V8_FLAGS = ['--no-allocation-site-pretenuring'] as const;

export function tuneV8ForServing(): void {
  for (const flag of SERVING_V8_FLAGS) setFlagsFromString(flag);
}
