/** Where a CLI run writes, so tests can run commands in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is a terminal (colour allowed). */
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  isTTY: process.stdout.isTTY === true,
};

/** Exit codes shared by every command. */
export const EXIT = {
  ok: 0,
  denied: 1,
  invalid: 2,
  internal: 3,
} as const;

/** Bad usage detected after argument parsing (a wrong combination of options, a bad value). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'ERR_USAGE';
}
