import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadManifests } from '../../cluster/manifest-files.js';
import { staticStateSource } from '../../cluster/state-source.js';
import { closeOnSignals, DEFAULT_PORT, startServer, type TlsSource } from '../../server.js';
import { TlsMaterialError } from '../../tls/certificate-files.js';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { loadConfigFile } from './check.js';

export interface ServeOptions {
  readonly state?: string[];
  readonly kubeconfig?: string;
  readonly config?: string;
  readonly port: number;
  readonly host: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel: string;
}

export function registerServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description('run the validating admission webhook (HTTPS, POST /validate, /healthz, /readyz, /metrics)')
    .option('--state <path...>', 'manifest files or directories: the cluster state, loaded once')
    .option('--kubeconfig <file>', 'watch a live cluster (not wired yet: use --state)')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .addOption(new Option('--port <port>', 'HTTPS port').default(DEFAULT_PORT).argParser(parsePort))
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .option('--tls-cert <file>', 'serving certificate (PEM), reloaded when the file changes')
    .option('--tls-key <file>', 'private key of the serving certificate (PEM)')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
        .default('info'),
    )
    .action(async (opts: ServeOptions) => {
      const tls = tlsSourceOf(opts);
      if (opts.state === undefined || opts.state.length === 0) {
        throw new UsageError(
          'serve needs --state PATH...: the live cluster source (--kubeconfig or in-cluster) is not wired yet',
        );
      }
      const config = await loadConfigFile(opts.config);
      const loaded = await loadManifests(opts.state);
      const source = staticStateSource(loaded.snapshot, Date.now());
      const server = await startServer({
        source,
        config,
        tls,
        port: opts.port,
        host: opts.host,
        logger: { level: opts.logLevel },
        processMetrics: true,
      }).catch((error: unknown) => {
        // certificate files named on the command line: bad input (exit 2), not an internal error
        throw error instanceof TlsMaterialError ? new UsageError(error.message, { cause: error }) : error;
      });
      const counts = source.status().map((s) => `${s.objects} ${s.resource}`);
      server.app.log.info(
        { state: opts.state, skipped: loaded.skipped.length, warnings: loaded.warnings.length },
        `cluster state loaded from manifests: ${counts.join(', ')}`,
      );
      server.app.log.info({ host: server.host, port: server.port }, 'webhook listening on POST /validate');
      io.stderr(`netpol-preflight webhook listening on https://${server.host}:${server.port}/validate\n`);
      closeOnSignals(server);
      await server.closed;
      setExit(EXIT.ok);
    });
}

function tlsSourceOf(opts: ServeOptions): TlsSource {
  if (opts.tlsCert !== undefined && opts.tlsKey !== undefined) {
    return { kind: 'files', certFile: opts.tlsCert, keyFile: opts.tlsKey };
  }
  if (opts.tlsCert !== undefined || opts.tlsKey !== undefined) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  return { kind: 'self-signed' };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError('expected an integer 0-65535');
  }
  return port;
}
