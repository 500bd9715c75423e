/**
 * serve's log destination writes in blocks: every line still reaches standard output, at exit
 * (normal or after an uncaught exception) or within LOG_FLUSH_INTERVAL_MS when nothing ends.
 * Each case runs in a child process, as `serve` does.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { LOG_BLOCK_CHARS, LOG_FLUSH_INTERVAL_MS } from '../../src/cli/log-destination.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = `${REPO}node_modules/@tapjs/typescript/dist/esm/import.mjs`;
const MODULE = `${REPO}src/cli/log-destination.ts`;

interface Run {
  readonly stdout: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** Runs `body` (ES module code, with `logger` a pino logger on the destination) in a child. */
function runChild(body: string): Promise<Run> {
  const code = `
    import { pino } from 'pino';
    import { createLogDestination } from ${JSON.stringify(MODULE)};
    const logger = pino({ base: null }, createLogDestination());
    ${body}
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', LOADER, '--input-type=module', '-e', code], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (exitCode, signal) => resolve({ stdout, code: exitCode, signal }));
  });
}

const linesOf = (stdout: string): string[] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);

t.test('lines short of a block are written at exit', async (t) => {
  const run = await runChild(`logger.info('one'); logger.info('two'); process.exit(0);`);
  t.equal(run.code, 0);
  t.same(linesOf(run.stdout), ['one', 'two']);
});

t.test('and at the exit that follows an uncaught exception', async (t) => {
  const run = await runChild(`logger.info('before'); setImmediate(() => { throw new Error('boom'); });`);
  t.equal(run.code, 1);
  t.same(linesOf(run.stdout), ['before']);
});

t.test('within the flush interval while the process runs on', async (t) => {
  // Killed outright after the interval: only the periodic flush can have written the line.
  const run = await runChild(
    `logger.info('waiting'); setTimeout(() => process.kill(process.pid, 'SIGKILL'), ${LOG_FLUSH_INTERVAL_MS * 2});`,
  );
  t.equal(run.signal, 'SIGKILL');
  t.same(linesOf(run.stdout), ['waiting']);
});

t.test('a full block is written at once, not held for the interval', async (t) => {
  // Enough lines for two blocks, then killed before any interval has passed.
  const lines = Math.ceil((2 * LOG_BLOCK_CHARS) / 40);
  const run = await runChild(
    `for (let i = 0; i < ${lines}; i++) logger.info('line ' + i); process.kill(process.pid, 'SIGKILL');`,
  );
  t.equal(run.signal, 'SIGKILL');
  const written = linesOf(run.stdout);
  t.ok(
    written.length > 0 && written.length < lines,
    `${written.length} of ${lines} lines written before the kill`,
  );
  t.same(
    written,
    written.map((_, i) => `line ${i}`),
    'in order, none torn',
  );
});
