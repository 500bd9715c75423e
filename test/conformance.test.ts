/**
 * The external conformance corpus (np-guard/netpol-analyzer connlist and
 * diff cases) run through the built CLI by the corpus's own runner. Skipped,
 * with the reason printed, when ../shared is not beside the repository.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNNER = fileURLToPath(new URL('../../shared/conformance/run.mjs', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

if (!existsSync(RUNNER)) {
  t.comment(`skipping conformance: ${RUNNER} not found (../shared is not beside the repository)`);
  t.pass('conformance skipped: ../shared/conformance is absent');
} else {
  t.test('netpol-analyzer connlist and diff corpus', async (t) => {
    t.ok(existsSync(CLI), `the CLI is built (${CLI}); run \`make build\` first`);
    if (!existsSync(CLI)) return;
    const r = spawnSync(
      process.execPath,
      [
        RUNNER,
        '--suite',
        'all',
        '--cmd',
        `"${process.execPath}" "${CLI}" connectivity {dir} -o json`,
        '--diff-cmd',
        `"${process.execPath}" "${CLI}" diff {before} {after} -o json`,
      ],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const lines = r.stdout.trimEnd().split('\n');
    const last = lines.at(-1) ?? '';
    t.comment(`conformance: ${last}`);
    for (const l of lines.filter(
      (x) => x.startsWith('FAIL') || (x.startsWith('    ') && !x.includes('note: ignored IPv6')),
    )) {
      t.comment(l);
    }
    t.match(last, /^\d+ passed, 0 failed$/, 'every public case passes');
    t.equal(r.status, 0, `runner exit status (stderr: ${r.stderr.slice(0, 500)})`);
  });
}
