#!/usr/bin/env node
import { processIo } from './io.js';
import { runCli } from './run.js';

// A closed pipe (`... | head`) ends the output, not the program with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), processIo);
