/**
 * The running webhook: TLS material (files watched for rotation, or a
 * development self-signed certificate), listen, signals and graceful close.
 * Everything about requests lives in app.ts and webhook/.
 *
 * Closing happens in two steps, so that no review sent to us is lost:
 * 1. drain (`drainMs`): still listening, /readyz answers 503 so the Service
 *    stops routing to us, and every answer carries `Connection: close` so the
 *    API server drops its keep-alive connections to us one by one;
 * 2. close: the listener stops (new connections are refused); connections
 *    accepted just before get `freshConnectionGraceMs` to send their review;
 *    then idle connections are closed, reviews in flight are answered
 *    (connections still busy after `closeTimeoutMs` are cut), and the state
 *    source is stopped.
 * Closing idle connections at once (what a plain close does) would reset a
 * connection on which the API server has just sent a review that Node has not
 * read yet, which is likely while a synchronous analysis holds the event loop,
 * and certain for a connection opened during the drain (each answer there says
 * `Connection: close`, so a client that keeps sending opens a new one).
 */
import { Server as NetServer } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { build, TLS_SETTINGS, type BuildOptions, type WebhookApp } from './app.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-defaults.js';
import { readTlsMaterial, watchTlsMaterial, type TlsWatcher } from './tls/certificate-files.js';
import { generateSelfSignedCertificate, type TlsMaterial } from './tls/certificates.js';

export const DEV_CERTIFICATE_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export type TlsSource =
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly kind: 'self-signed'; readonly hosts?: readonly string[] };

export interface ServerOptions extends Omit<BuildOptions, 'https'> {
  readonly tls: TlsSource;
  /** 0 picks a free port. Default 8443. */
  readonly port?: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /** Quiet time after a change of the certificate files before they are read. Default 500 ms. */
  readonly reloadDebounceMs?: number;
  /** Fallback check of the certificate files. Default 60 s. */
  readonly reloadPollMs?: number;
  /** How long to keep answering, with `Connection: close`, before the listener closes. Default 2 s. */
  readonly drainMs?: number;
  /** Time given to reviews in flight once the listener is closed. Default 20 s. */
  readonly closeTimeoutMs?: number;
  /** Time a connection accepted just before the listener closed has to send its review. Default 1 s. */
  readonly freshConnectionGraceMs?: number;
  /** Called after a new certificate is in use (tests wait on it). */
  readonly onCertificateReload?: (material: TlsMaterial) => void;
}

export interface RunningServer {
  readonly app: WebhookApp;
  /** The bound address and port. */
  readonly host: string;
  readonly port: number;
  /** Graceful close (idempotent): drains, answers reviews in flight, then stops the state source. */
  close(): Promise<void>;
  /** Cuts the close short: ends the drain now and closes the connections still open. */
  closeNow(): void;
  /** Settles once closed. */
  readonly closed: Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const material = await loadTlsMaterial(options.tls);
  let draining = false;
  const app = build({
    ...options,
    notReadyReason: () => (draining ? 'shutting down' : null),
    https: material,
  });
  const server = app.server;
  if (!(server instanceof TlsServer)) throw new TypeError('the webhook app was not built with TLS');
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  if (options.tls.kind === 'self-signed') {
    app.log.warn(
      { hosts: options.tls.hosts ?? DEV_CERTIFICATE_HOSTS },
      'no --tls-cert/--tls-key: serving a self-signed certificate generated at start (development only)',
    );
  }

  let watcher: TlsWatcher | null = null;
  let closing: Promise<void> | null = null;
  let endDrain: () => void = () => {};
  let cut = false;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });

  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      draining = true;
      const drainMs = options.drainMs ?? 2000;
      app.log.info({ drainMs }, 'draining: answering with Connection: close, /readyz is 503');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainMs);
        endDrain = () => {
          clearTimeout(timer);
          resolve();
        };
        if (cut) endDrain();
      });
      const timeout = setTimeout(() => {
        app.log.warn('close timeout: cutting the connections still open');
        server.closeAllConnections();
      }, options.closeTimeoutMs ?? 20_000);
      timeout.unref();
      try {
        // Stop accepting without closing idle connections (http.Server#close closes them at once):
        // a connection accepted a moment ago is idle until its review arrives.
        NetServer.prototype.close.call(server);
        const open = await new Promise<number>((resolve) =>
          server.getConnections((error, count) => resolve(error ? 1 : count)),
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, open > 0 ? (options.freshConnectionGraceMs ?? 1000) : 0);
          endDrain = () => {
            clearTimeout(timer);
            resolve();
          };
          if (cut) endDrain();
        });
        await app.close();
      } finally {
        clearTimeout(timeout);
        try {
          await options.source.stop();
          app.log.info('webhook closed');
        } finally {
          markClosed();
        }
      }
    })();
    return closing;
  };

  const closeNow = (): void => {
    cut = true;
    endDrain();
    server.closeAllConnections();
  };

  await options.source.start();
  try {
    await app.listen({ port: options.port ?? DEFAULT_PORT, host: options.host ?? DEFAULT_HOST });
  } catch (error) {
    await options.source.stop();
    throw error;
  }
  if (options.tls.kind === 'files') {
    const { certFile, keyFile } = options.tls;
    watcher = watchTlsMaterial({
      certFile,
      keyFile,
      current: material,
      debounceMs: options.reloadDebounceMs ?? 500,
      pollMs: options.reloadPollMs ?? 60_000,
      onChange: (next) => {
        // New handshakes use the new context; open connections keep theirs.
        server.setSecureContext({ cert: next.cert, key: next.key, ...TLS_SETTINGS });
        app.log.info({ certFile, keyFile }, 'TLS certificate reloaded');
        options.onCertificateReload?.(next);
      },
      onError: (error) =>
        app.log.error({ err: error }, 'TLS certificate not reloaded; the current one stays in use'),
    });
  }
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new TypeError('the webhook is not bound to a TCP port');
  }
  return { app, host: address.address, port: address.port, close, closeNow, closed };
}

async function loadTlsMaterial(tls: TlsSource): Promise<TlsMaterial> {
  if (tls.kind === 'files') return readTlsMaterial(tls.certFile, tls.keyFile);
  return generateSelfSignedCertificate({ hosts: tls.hosts ?? DEV_CERTIFICATE_HOSTS });
}

export type ShutdownSignal = 'SIGTERM' | 'SIGINT';

/**
 * Closes `server` gracefully on the first SIGTERM or SIGINT; a second signal ends the drain and
 * cuts the connections still open. Returns a function that removes the handlers.
 */
export function closeOnSignals(
  server: RunningServer,
  signals: readonly ShutdownSignal[] = ['SIGTERM', 'SIGINT'],
): () => void {
  let received = 0;
  const onSignal = (signal: ShutdownSignal): void => {
    received += 1;
    if (received === 1) {
      server.app.log.info({ signal }, 'shutting down');
      server.close().catch((error: unknown) => server.app.log.error({ err: error }, 'error while closing'));
    } else {
      server.app.log.warn({ signal }, 'second signal: closing now');
      server.closeNow();
    }
  };
  for (const s of signals) process.on(s, onSignal);
  const remove = (): void => {
    for (const s of signals) process.off(s, onSignal);
  };
  void server.closed.then(remove);
  return remove;
}
