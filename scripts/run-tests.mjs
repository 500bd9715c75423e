#!/usr/bin/env node
// Runs the tap suite and ends with one plain summary line, "N passed, M failed, K skipped",
// read from tap's own closing count. Exit status is tap's.
import { spawn } from 'node:child_process';

const child = spawn('tap', ['--reporter=tap', ...process.argv.slice(2)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString('utf8')).slice(-4096);
});
child.on('close', (code, signal) => {
  const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?(?:, todo: (\d+))?/.exec(
    tail,
  );
  if (m) {
    const [, , pass = '0', fail = '0', skip = '0'] = m;
    console.log(`${pass} passed, ${fail} failed, ${skip} skipped`);
  } else {
    console.log(`tap ended without a summary (exit ${code ?? signal})`);
  }
  process.exitCode = code === 0 ? 0 : 1;
});
