/**
 * The `webhook` child role: our webhook as `serve --kubeconfig` runs it (startServer, the live
 * source, pino at level info on serve's log destination, process metrics), fed by the fake API
 * server. Its state figures are measured first, in this same process (state-bench.ts), once the
 * parent sends `sync` with the fake API server's kubeconfig (the process starts while the fake
 * API server loads), then it serves on 127.0.0.1 until told to stop. Log lines go to /dev/null:
 * written (the cost is paid), not kept. Its V8 settings are `serve`'s (src/v8-tuning.ts).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { defaultConfig } from '../src/checks/defaults.js';
import { createLogDestination } from '../src/cli/log-destination.js';
import { startServer } from '../src/server.js';
import { tuneV8ForServing } from '../src/v8-tuning.js';
import { messageFromParent, sendToParent, stopRequested } from './child-io.js';
import { readString, type JsonRecord } from './guards.js';
import { loadLiveState } from './state-bench.js';

const READY_TIMEOUT_MS = 20 * 60_000;

export async function webhookRole(args: JsonRecord): Promise<void> {
  tuneV8ForServing(); // as `serve` does, first thing
  const logger = pino({ level: 'info' }, createLogDestination('/dev/null'));
  const sync = await messageFromParent('sync');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(readString(sync, 'kubeConfigYaml'));
  const config = defaultConfig();
  const { source, figures } = await loadLiveState({
    kubeConfig,
    logger,
    config,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  await sendToParent({ type: 'state', figures });
  const server = await startServer({
    source,
    config,
    tls: { kind: 'files', certFile: readString(args, 'certFile'), keyFile: readString(args, 'keyFile') },
    host: '127.0.0.1',
    port: 0,
    loggerInstance: logger,
    processMetrics: true,
    drainMs: 0,
    closeTimeoutMs: 5000,
  });
  await sendToParent({ type: 'listening', port: server.port });
  await stopRequested();
  await server.close();
}
