/**
 * The command line: `runCli(argv, io)` parses arguments, runs one command and
 * returns its exit code (0 ok, 1 a change was denied, 2 bad usage or invalid
 * input, 3 internal error). It never calls process.exit, so tests run it
 * in-process.
 */
import { Command, CommanderError } from 'commander';
import { registerConnectivity } from './commands/connectivity.js';
import { registerCheck } from './commands/check.js';
import { registerDiff } from './commands/diff.js';
import { registerExplain } from './commands/explain.js';
import { registerServe } from './commands/serve.js';
import type { CliIo } from './io.js';
import { EXIT, UsageError } from './io.js';
import { isInputError } from './input-errors.js';

export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command('netpol-preflight')
    .description('Simulate Kubernetes NetworkPolicy changes before they land')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerConnectivity(program, io, setExit);
  registerDiff(program, io, setExit);
  registerCheck(program, io, setExit);
  registerExplain(program, io, setExit);
  registerServe(program, io, setExit);
  for (const c of program.commands)
    c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.invalid;
    }
    if (e instanceof UsageError || isInputError(e)) {
      io.stderr(`error: ${(e as Error).message}\n`);
      return EXIT.invalid;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(`internal error: ${err.stack ?? err.message}\n`);
    return EXIT.internal;
  }
}
