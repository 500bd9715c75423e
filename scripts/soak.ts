/**
 * `make soak`: the long reliability runs that do not belong in `make test` (loopback only, every
 * loop bounded in time):
 *
 *   1. load on `serve --state examples/cluster` (the real CLI in a child process): autocannon,
 *      64 connections for 60 s after a warm-up, every answer checked, RSS sampled;
 *   2. the same on the M synthetic cluster (bench/generator.ts, scripts/soak-server.ts);
 *   3. API server faults (the fake API server) under review load and cluster churn;
 *   4. SIGTERM under load; 5. certificate rotation under load;
 *   6. the fuzz and pathological-policy tests with a larger budget.
 *
 * Prints a summary table (requests, errors, p99, RSS start/end, faults injected, cache
 * converged) and exits 1 when a phase is not ok. SOAK_SECONDS shortens the load phases,
 * SOAK_ONLY=load,faults,... picks phases, FUZZ_RUNS sets the fuzz budget.
 *
 *   npm run soak   (builds dist/ and dist-soak/ first: the servers under load run compiled
 *                   JavaScript, as in production, so their memory figures are their own)
 */
import { fileURLToPath } from 'node:url';
import { generateCluster, SIZES } from '../bench/generator.js';
import { spawnJsServer, type ChildServer } from '../test/support/serve-child.js';
import { runFaultPhase } from './soak/fault-phase.js';
import { runFuzzPhase } from './soak/fuzz-phase.js';
import { runLoadPhase, type ReviewTemplate } from './soak/load-phase.js';
import { exampleClusterTemplates, generatedClusterTemplates } from './soak/reviews.js';
import { runRotationPhase } from './soak/rotation-phase.js';
import { runShutdownPhase } from './soak/shutdown-phase.js';
import { renderTable, type SoakRow } from './soak/table.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 60);
const ONLY = new Set((process.env['SOAK_ONLY'] ?? 'load,faults,sigterm,rotation,fuzz').split(','));
const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? 20_000);
const CONNECTIONS = 64;
/** As manifests/base/deployment.yaml runs it: V8's heap capped at 75 % of the 512 MiB memory limit. */
const PRODUCTION_NODE = { env: { NODE_OPTIONS: '--max-old-space-size=384' } };
const SERVE_EXAMPLE = ['serve', '--state', `${REPO}examples/cluster`, '--port', '0', '--host', '127.0.0.1'];
const RSS_BOUND = 1.5;

function log(message: string): void {
  process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function stopChild(server: ChildServer): Promise<void> {
  server.child.kill('SIGTERM');
  const code = await Promise.race([
    server.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref()),
  ]);
  if (code === 'hung') server.child.kill('SIGKILL');
}

async function loadPhase(
  phase: string,
  server: ChildServer,
  templates: readonly ReviewTemplate[],
): Promise<SoakRow> {
  try {
    const pid = server.child.pid;
    if (pid === undefined) throw new Error('the child has no pid');
    return await runLoadPhase({
      phase,
      port: server.port,
      pid,
      templates,
      connections: CONNECTIONS,
      warmupSeconds: Math.min(10, Math.max(2, Math.round(SECONDS / 6))),
      durationSeconds: SECONDS,
      rssBound: RSS_BOUND,
    });
  } finally {
    await stopChild(server);
  }
}

function failedRow(phase: string, error: unknown): SoakRow {
  return {
    phase,
    requests: 0,
    errors: 1,
    non2xx: null,
    p99Ms: null,
    rssStartMb: null,
    rssEndMb: null,
    faults: null,
    converged: null,
    ok: false,
    notes: `did not run to the end: ${error instanceof Error ? error.message : String(error)}`,
  };
}

async function phase(name: string, run: () => Promise<SoakRow>, rows: SoakRow[]): Promise<void> {
  log(`${name} ...`);
  try {
    const row = await run();
    rows.push(row);
    log(`${name}: ${row.ok ? 'ok' : 'NOT OK'} (${row.notes})`);
  } catch (error) {
    rows.push(failedRow(name, error));
    log(`${name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

const rows: SoakRow[] = [];
const started = Date.now();
if (ONLY.has('load')) {
  await phase(
    'load: examples/cluster',
    async () =>
      loadPhase(
        'load: examples/cluster',
        await spawnJsServer(`${REPO}dist/cli/main.js`, SERVE_EXAMPLE, PRODUCTION_NODE),
        exampleClusterTemplates(REPO),
      ),
    rows,
  );
  await phase(
    'load: M synthetic cluster',
    async () => {
      const templates = generatedClusterTemplates(generateCluster(SIZES.M));
      const server = await spawnJsServer(`${REPO}dist-soak/scripts/soak-server.js`, ['M'], PRODUCTION_NODE);
      return loadPhase('load: M synthetic cluster', server, templates);
    },
    rows,
  );
}
if (ONLY.has('faults')) await phase('faults', runFaultPhase, rows);
if (ONLY.has('sigterm')) await phase('SIGTERM under load', () => runShutdownPhase(REPO, 32, 3000), rows);
if (ONLY.has('rotation')) await phase('certificate rotation', () => runRotationPhase(8, 10, 1000), rows);
if (ONLY.has('fuzz')) await phase('fuzz', () => runFuzzPhase(REPO, FUZZ_RUNS, 7), rows);

const table = renderTable(rows);
process.stdout.write(
  `\nnetpol-preflight soak, ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${table}\n`,
);
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
