/**
 * Entry of every child process of the harness: `child.ts <role> <json args>`. A role's module is
 * loaded only in its own process (a server child does not load the engine benchmark, the fake
 * API server does not load fastify). Each role reports over IPC (child-io.ts) and, when it serves
 * something, serves until the parent says `stop`. A failure is sent as a `failed` message and ends
 * the process with status 1.
 */
import { sendToParent } from './child-io.js';
import { BenchUsageError, describeError } from './errors.js';
import { isRecord, type JsonRecord } from './guards.js';

type Role = (args: JsonRecord) => Promise<void>;

const ROLES: Readonly<Record<string, () => Promise<Role>>> = {
  size: async () => (await import('./size-run.js')).sizeRole,
  'fake-apiserver': async () => (await import('./fake-cluster.js')).fakeApiServerRole,
  webhook: async () => (await import('./webhook-server.js')).webhookRole,
  noop: async () => (await import('./noop-webhook.js')).noopRole,
};

async function main(): Promise<void> {
  const [role = '', json = '{}'] = process.argv.slice(2);
  const load = ROLES[role];
  if (load === undefined) throw new BenchUsageError(`unknown role ${role}`);
  const args: unknown = JSON.parse(json);
  if (!isRecord(args)) throw new BenchUsageError('the arguments are not a JSON object');
  await (
    await load()
  )(args);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await sendToParent({ type: 'failed', message: describeError(error) }).catch(() => undefined);
  process.exitCode = 1;
} finally {
  process.disconnect?.();
}
// Every role closes what it opened; whatever a library left open must not keep this process (and
// the parent waiting on it) alive.
setTimeout(() => process.exit(), 2000).unref();
