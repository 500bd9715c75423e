/**
 * What the reliability tests and the soak do to a webhook from outside: POST a
 * body over HTTPS (on a new connection or through an agent), and lay out and
 * rotate a serving certificate the way the kubelet updates a mounted Secret.
 */
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { type Agent, request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { IssuedCertificate } from '../../src/tls/certificates.js';

export interface TlsPost {
  readonly port: number;
  readonly body: string;
  /** Verify the server against this CA (as the API server does); absent: accept any certificate. */
  readonly ca?: string;
  /** Keep-alive agent; absent: a new connection (a full handshake) for this request. */
  readonly agent?: Agent;
  readonly path?: string;
}

export interface TlsAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** Serial number of the certificate the server presented. */
  readonly serial: string;
}

/** The request failed; `connected` tells whether the server had accepted the connection (TLS done). */
export class TlsPostError extends Error {
  override readonly name = 'TlsPostError';
  constructor(
    readonly code: string | undefined,
    readonly connected: boolean,
    options: { cause: Error },
  ) {
    super(
      `POST failed (${code ?? options.cause.message})${connected ? ' after the handshake' : ''}`,
      options,
    );
  }

  /**
   * Refused, not lost: the connection was refused, or reset before the server accepted it (its
   * TLS handshake had not completed: it was still in the kernel's accept queue when the listener
   * closed, so the review was never read).
   */
  get refused(): boolean {
    return (
      this.code === 'ECONNREFUSED' ||
      (!this.connected && (this.code === 'ECONNRESET' || this.code === 'EPIPE'))
    );
  }
}

export function postOverTls(post: TlsPost): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = request(
      {
        host: '127.0.0.1',
        port: post.port,
        servername: 'localhost',
        path: post.path ?? '/validate',
        method: 'POST',
        ...(post.ca === undefined ? { rejectUnauthorized: false } : { ca: post.ca }),
        agent: post.agent ?? false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(post.body) },
      },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, serial }));
        res.on('error', (error: NodeJS.ErrnoException) =>
          reject(new TlsPostError(error.code, true, { cause: error })),
        );
      },
    );
    req.on('socket', (socket: TLSSocket) => {
      // a kept-alive socket was accepted long ago; a new one once its handshake completes
      if (req.reusedSocket) connected = true;
      else socket.once('secureConnect', () => (connected = true));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(new TlsPostError(error.code, connected, { cause: error })),
    );
    req.end(post.body);
  });
}

/** The uid an AdmissionReview answer echoes, or null when the text is not one. */
export function echoedUid(text: string): string | null {
  try {
    return (JSON.parse(text) as { response?: { uid?: string } }).response?.uid ?? null;
  } catch {
    return null;
  }
}

/**
 * A Secret volume as the kubelet lays it out and updates it: tls.crt -> ..data/tls.crt,
 * ..data -> ..gen-N, swapped atomically (a rename of a new symlink) for each generation.
 */
export async function writeSecretVolume(
  dir: string,
  generation: number,
  cert: IssuedCertificate,
): Promise<void> {
  const versioned = join(dir, `..gen-${generation}`);
  await mkdir(versioned);
  await writeFile(join(versioned, 'tls.crt'), cert.cert);
  await writeFile(join(versioned, 'tls.key'), cert.key);
  await symlink(`..gen-${generation}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  if (generation === 0) {
    await symlink('..data/tls.crt', join(dir, 'tls.crt'));
    await symlink('..data/tls.key', join(dir, 'tls.key'));
  }
}
