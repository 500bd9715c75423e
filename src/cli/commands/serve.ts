import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadManifests } from '../../cluster/manifest-files.js';
import { staticStateSource } from '../../cluster/state-source.js';
import type { ClusterStateSource } from '../../cluster/state-source.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../../listen-defaults.js';
import type { TlsSource } from '../../server.js';
import { tuneV8ForServing } from '../../v8-tuning.js';

import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';
import { loadConfigFile } from '../config-file.js';

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
    .option(
      '--kubeconfig <file>',
      'watch a live cluster with this kubeconfig (default: in-cluster, else ~/.kube/config)',
    )
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .addOption(new Option('--port <port>', 'HTTPS port').default(DEFAULT_PORT).argParser(parsePort))
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .option('--tls-cert <file>', 'serving certificate (PEM), reloaded when the file changes')
    .option('--tls-key <file>', 'private key of the serving certificate (PEM)')
    .addOption(
      new Option('--log-level <level>', 'log level')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
        .default('info'),
    )
    .action(async (opts: ServeOptions) => {
      tuneV8ForServing();
      const tls = tlsSourceOf(opts);
      if (opts.state !== undefined && opts.kubeconfig !== undefined) {
        throw new UsageError('--state and --kubeconfig are alternatives: manifests, or a live cluster');
      }
      const config = await loadConfigFile(opts.config);
      // The server's modules (fastify, TLS, client-node) load only for this command.
      const [{ pino }, { closeOnSignals, startServer }, { createLogDestination }] = await Promise.all([
        import('pino'),
        import('../../server.js'),
        import('../log-destination.js'),
      ]);
      const logger = pino({ level: opts.logLevel }, createLogDestination());
      let source: ClusterStateSource;
      let described: string;
      if (opts.state !== undefined && opts.state.length > 0) {
        const loaded = await loadManifests(opts.state);
        source = staticStateSource(loaded.snapshot, Date.now());
        described = `manifests (${opts.state.join(', ')}): ${source
          .status()
          .map((s) => `${s.objects} ${s.resource}`)
          .join(', ')}`;
        logger.info(
          { state: opts.state, skipped: loaded.skipped.length, warnings: loaded.warnings.length },
          `cluster state loaded from ${described}`,
        );
      } else {
        const live = await import('../../cluster/live/index.js');
        const kubeConfig = live.loadKubeConfig(opts.kubeconfig);
        source = live.createLiveStateSource({ kubeConfig, logger });
        described = `live cluster ${live.describeServer(kubeConfig)}`;
        logger.info(
          { server: live.describeServer(kubeConfig) },
          'watching the cluster; ready once every resource is listed',
        );
      }
      const server = await startServer({
        source,
        config,
        tls,
        port: opts.port,
        host: opts.host,
        loggerInstance: logger,
        processMetrics: true,
      });
      server.app.log.info({ host: server.host, port: server.port }, 'webhook listening on POST /validate');
      io.stderr(
        `netpol-preflight webhook listening on https://${server.host}:${server.port}/validate (state: ${described})\n`,
      );
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
