/** Errors of the benchmark harness: each names what failed, never a stack of guesses. */

/** Base class of every error the harness raises on purpose. */
export class BenchError extends Error {
  override readonly name: string = 'BenchError';
}

/** Bad command line. */
export class BenchUsageError extends BenchError {
  override readonly name = 'BenchUsageError';
}

/** A child process (one size, a server) failed, exited early or sent something unexpected. */
export class ChildProcessError extends BenchError {
  override readonly name = 'ChildProcessError';
  readonly role: string;

  constructor(role: string, detail: string, options?: { cause?: unknown }) {
    super(`bench child "${role}": ${detail}`, options);
    this.role = role;
  }
}

/** A load run could not be made or gave no usable answer. */
export class LoadRunError extends BenchError {
  override readonly name = 'LoadRunError';
}

/** What to print for anything thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
