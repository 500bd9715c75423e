/**
 * The webhook on a synthetic cluster, for `make soak`: the cluster of bench/generator.ts at the
 * size given (S, M or L), parsed by the parse layer (parseDocuments + buildSnapshot, as manifests
 * and the live cache are), served by the real server (startServer: TLS, limits, shedding, drain)
 * with a development certificate on 127.0.0.1 and a free port. Loading an M cluster through the
 * YAML manifest reader would take longer than the soak itself.
 *
 *   node --import ./node_modules/@tapjs/typescript/dist/esm/import.mjs scripts/soak-server.ts M
 *
 * Prints `listening on https://127.0.0.1:PORT/validate` on stderr; SIGTERM closes it.
 */
import { pino } from 'pino';
import { generateCluster, SIZES } from '../bench/generator.js';
import { defaultConfig } from '../src/checks/defaults.js';
import { staticStateSource } from '../src/cluster/state-source.js';
import { parseDocuments } from '../src/parse/objects.js';
import { buildSnapshot } from '../src/parse/snapshot.js';
import { closeOnSignals, startServer } from '../src/server.js';

const size = process.argv[2] ?? 'M';
if (size !== 'S' && size !== 'M' && size !== 'L') {
  process.stderr.write(`usage: soak-server.ts S|M|L (got ${size})\n`);
  process.exit(2);
}
const cluster = generateCluster(SIZES[size]);
const parsed = parseDocuments(
  cluster.objects.map((value, i) => ({ source: 'generated', index: i + 1, value })),
);
if (parsed.errors.length > 0) throw new Error(`generated objects invalid: ${parsed.errors[0]?.message}`);
const snapshot = buildSnapshot(parsed.objects);
const server = await startServer({
  source: staticStateSource(snapshot, Date.now()),
  config: defaultConfig(),
  tls: { kind: 'self-signed' },
  port: 0,
  host: '127.0.0.1',
  // one line per review at info would be most of the work at this rate; warnings and errors stay
  loggerInstance: pino({ level: process.env['SOAK_LOG_LEVEL'] ?? 'warn' }),
  processMetrics: true,
});
process.stderr.write(
  `cluster ${size}: ${snapshot.pods.length} pods, ${snapshot.policies.length} policies; ` +
    `listening on https://127.0.0.1:${server.port}/validate\n`,
);
closeOnSignals(server);
await server.closed;
