/**
 * Cooperative interruption. The engine is synchronous and pure: it cannot
 * read a clock. A caller with a deadline passes `interrupt`, a function the
 * engine polls between units of work; when it returns true the analysis
 * stops by throwing AnalysisInterruptedError.
 *
 * Every loop whose length grows with the size of one policy (rules, peers,
 * excepts, port entries) polls, so that no stretch between two polls is
 * longer than a bounded amount of work: `pollEvery` for loops of cheap
 * iterations, `checkInterrupt` per unit for expensive ones.
 */

export class AnalysisInterruptedError extends Error {
  override readonly name = 'AnalysisInterruptedError';
  readonly code = 'ERR_ANALYSIS_INTERRUPTED';
  constructor(readonly stage: string) {
    super(`analysis interrupted during ${stage}`);
  }
}

export type Interrupt = () => boolean;

export const NEVER_INTERRUPT: Interrupt = () => false;

/** Throws AnalysisInterruptedError when `interrupt` says so. */
export function checkInterrupt(interrupt: Interrupt, stage: string): void {
  if (interrupt()) throw new AnalysisInterruptedError(stage);
}

/** A poll to call once per iteration of a loop; see pollEvery. */
export type Poll = () => void;

const NO_POLL: Poll = () => undefined;

/**
 * A poll for a loop of cheap iterations: it polls `interrupt` on its first
 * call and on every `every`-th call after that (the count carries over
 * between loops sharing the poll). With NEVER_INTERRUPT it does nothing.
 */
export function pollEvery(interrupt: Interrupt, stage: string, every = 64): Poll {
  if (interrupt === NEVER_INTERRUPT) return NO_POLL;
  let calls = 0;
  return () => {
    if (calls++ % every === 0) checkInterrupt(interrupt, stage);
  };
}
