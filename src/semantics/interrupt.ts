/**
 * Cooperative interruption. The engine is synchronous and pure: it cannot
 * read a clock. A caller with a deadline passes `interrupt`, a function the
 * engine polls between units of work; when it returns true the analysis
 * stops by throwing AnalysisInterruptedError.
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
