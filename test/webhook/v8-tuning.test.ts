/**
 * The V8 settings `serve` applies (src/v8-tuning.ts) are real options of this Node's V8:
 * `v8.setFlagsFromString` ignores a flag it does not know, so a renamed or removed flag would
 * silently stop applying. The Node binary refuses an unknown flag on its command line.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t from 'tap';
import { SERVING_V8_FLAGS } from '../../src/v8-tuning.js';

const run = promisify(execFile);

t.test('every serving V8 flag is known to this Node', async (t) => {
  t.ok(SERVING_V8_FLAGS.length > 0);
  for (const flag of SERVING_V8_FLAGS) {
    const { stdout } = await run(process.execPath, [flag, '-e', 'process.stdout.write("ok")']);
    t.equal(stdout, 'ok', flag);
  }
  await t.rejects(
    run(process.execPath, ['--no-such-v8-flag-at-all', '-e', '0']),
    'an unknown flag is refused',
  );
});
