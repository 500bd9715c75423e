/**
 * The transport of the webhook port, over real TLS connections.
 *
 * Limits (src/webhook/http-limits.ts), set on purpose and documented: the defaults are what the
 * server really uses and what docs/operations.md says, and each limit holds (with small values,
 * so the test is quick): oversized headers (431), oversized bodies (413), headers or bodies that
 * never finish (slowloris: 408 and closed), idle keep-alive connections (closed after the
 * keep-alive timeout, not before).
 *
 * TLS 1.2+ with strong cipher suites only, and nothing else:
 * - a TLS 1.0 or 1.1 client is refused by the server (the client really offers the old version);
 * - every TLS 1.2 suite OpenSSL knows is offered alone: those the server accepts are listed, and
 *   none is weak (RC4, 3DES, DES, CBC, SHA-1 MACs, NULL, EXPORT, anonymous, static RSA key
 *   exchange), for an ECDSA and an RSA serving certificate;
 * - a plain HTTP request gets no HTTP answer (the connection is closed);
 * - certificate rotation under load: clients that trust the CA and open a new connection for
 *   every review (a handshake each) never see a failed handshake while the pair is rotated.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, getCiphers, type TLSSocket } from 'node:tls';
import t from 'tap';
import { build, TLS12_CIPHERS } from '../../src/app.js';
import { startServer, type RunningServer } from '../../src/server.js';
import {
  createCertificateAuthority,
  generateSelfSignedCertificate,
  issueServingCertificate,
  type IssuedCertificate,
} from '../../src/tls/certificates.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../src/webhook/http-limits.js';
import { opensslUnavailable } from '../support/manifests.js';
import { echoedUid, postOverTls, writeSecretVolume } from '../support/tls-client.js';
import { configWith, fixtureSource, FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

// --- limits ---------------------------------------------------------------------------------------

const SMALL: HttpLimits = {
  bodyLimitBytes: 64 * 1024,
  maxHeaderBytes: 4096,
  headersTimeoutMs: 250,
  requestTimeoutMs: 500,
  connectionTimeoutMs: 5000,
  keepAliveTimeoutMs: 250,
  timeoutCheckIntervalMs: 50,
};

/**
 * Node keeps an idle socket `keepAliveTimeoutBuffer` (1 s by default) longer than the Keep-Alive
 * header announces, so that a client trusting the header never sends on a closing connection.
 * Shortened here to keep the test quick.
 */
const KEEP_ALIVE_BUFFER_MS = 100;

async function startSmall(): Promise<RunningServer> {
  const server = await startServer({
    source: fixtureSource(),
    config: configWith(),
    tls: { kind: 'self-signed' },
    port: 0,
    host: '127.0.0.1',
    drainMs: 0,
    limits: SMALL,
  });
  (server.app.server as HttpsServer & { keepAliveTimeoutBuffer: number }).keepAliveTimeoutBuffer =
    KEEP_ALIVE_BUFFER_MS;
  return server;
}

/** A raw TLS connection: what was written back, and when it closed. */
interface RawConnection {
  readonly socket: TLSSocket;
  readonly received: () => string;
  readonly closed: Promise<number>;
}

async function open(port: number): Promise<RawConnection> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
  await once(socket, 'secureConnect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const opened = performance.now();
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - opened)),
  );
  return { socket, received: () => Buffer.concat(chunks).toString('latin1'), closed };
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([promise, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), ms))]);

function postText(body: string, extraHeaders = ''): string {
  return (
    `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${extraHeaders}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

t.test('the defaults are what the server uses', async (t) => {
  const https = await generateSelfSignedCertificate({ hosts: ['localhost'] });
  const app = build({ source: fixtureSource(), config: configWith(), https });
  t.teardown(() => app.close());
  const server = app.server as HttpsServer;
  t.equal(server.keepAliveTimeout, DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs, 'keepAliveTimeout');
  t.equal(server.requestTimeout, DEFAULT_HTTP_LIMITS.requestTimeoutMs, 'requestTimeout');
  t.equal(server.headersTimeout, DEFAULT_HTTP_LIMITS.headersTimeoutMs, 'headersTimeout');
  t.equal(server.timeout, DEFAULT_HTTP_LIMITS.connectionTimeoutMs, 'connection (socket inactivity) timeout');
  t.equal(
    (server as { maxHeaderSize?: number }).maxHeaderSize,
    DEFAULT_HTTP_LIMITS.maxHeaderBytes,
    'maxHeaderSize',
  );
  t.equal(app.initialConfig.bodyLimit, DEFAULT_HTTP_LIMITS.bodyLimitBytes, 'bodyLimit');
  t.ok(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs > 90_000, "longer than the API server's idle timeout (90 s)");
  t.ok(DEFAULT_HTTP_LIMITS.connectionTimeoutMs > 30_000, 'longer than the longest webhook timeout (30 s)');
});

t.test('docs/operations.md states each limit with its value', async (t) => {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('## Limits'));
  t.ok(doc.includes('## Limits'), 'a Limits section');
  const expected: [string, string][] = [
    ['bodyLimit', '3 MiB'],
    ['maxHeaderSize', '16 KiB'],
    ['headersTimeout', '10 s'],
    ['requestTimeout', '30 s'],
    ['connectionTimeout', '35 s'],
    ['keepAliveTimeout', '100 s'],
  ];
  for (const [name, value] of expected) {
    const row = section.split('\n').find((l) => l.includes(`\`${name}\``));
    t.ok(row?.includes(value), `${name}: ${value} (${row?.slice(0, 80) ?? 'missing'})`);
  }
});

t.test('limits hold over real TLS connections', async (t) => {
  const server = await startSmall();
  t.teardown(() => server.close());

  await t.test('headers over maxHeaderSize: 431 and closed', async (t) => {
    const c = await open(server.port);
    c.socket.write(postText('{}', `X-Padding: ${'a'.repeat(SMALL.maxHeaderBytes)}\r\n`));
    t.not(await within(c.closed, 3000), 'timeout', 'closed');
    t.match(c.received(), /^HTTP\/1\.1 431/, '431 Request Header Fields Too Large');
  });

  await t.test('a body over bodyLimit: 413 JSON', async (t) => {
    const c = await open(server.port);
    c.socket.write(postText(JSON.stringify({ padding: 'x'.repeat(SMALL.bodyLimitBytes) })));
    await within(c.closed, 1000);
    c.socket.destroy();
    t.match(c.received(), /^HTTP\/1\.1 413/);
    t.match(c.received(), /"code":"FST_ERR_CTP_BODY_TOO_LARGE"/);
  });

  await t.test('headers that never finish (slowloris): cut after headersTimeout', async (t) => {
    const c = await open(server.port);
    c.socket.write('POST /validate HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    const keepTrickling = setInterval(() => c.socket.write('a'), 50);
    const ms = await within(c.closed, 5000);
    clearInterval(keepTrickling);
    t.not(ms, 'timeout', 'closed');
    t.ok(
      typeof ms === 'number' && ms < SMALL.headersTimeoutMs + 3 * SMALL.timeoutCheckIntervalMs + 1500,
      `after ${String(ms)} ms`,
    );
    t.match(c.received(), /^(HTTP\/1\.1 408 |$)/, '408 or just closed');
  });

  await t.test('a body that never finishes: cut after requestTimeout', async (t) => {
    const c = await open(server.port);
    c.socket.write(
      'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
    );
    const keepTrickling = setInterval(() => c.socket.write(' '), 50);
    const ms = await within(c.closed, 5000);
    clearInterval(keepTrickling);
    t.not(ms, 'timeout', 'closed');
    t.ok(
      typeof ms === 'number' && ms < SMALL.requestTimeoutMs + 3 * SMALL.timeoutCheckIntervalMs + 1500,
      `after ${String(ms)} ms`,
    );
    t.match(c.received(), /^(HTTP\/1\.1 408 |$)/, '408 or just closed');
  });

  await t.test('an idle keep-alive connection: kept for keepAliveTimeout, then closed', async (t) => {
    const c = await open(server.port);
    const body = JSON.stringify(
      policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'ka-1' }),
    );
    c.socket.write(postText(body));
    while (!c.received().includes('"uid":"ka-1"')) await new Promise((r) => setTimeout(r, 10));
    t.match(c.received(), /^HTTP\/1\.1 200/);
    t.match(c.received(), /Keep-Alive: timeout=\d+/i, 'the server announces its keep-alive timeout');
    await new Promise((r) => setTimeout(r, SMALL.keepAliveTimeoutMs / 2));
    // still open: a second review on the same connection is answered
    c.socket.write(postText(body.replace('ka-1', 'ka-2')));
    while (!c.received().includes('"uid":"ka-2"')) await new Promise((r) => setTimeout(r, 10));
    t.pass('reused within keepAliveTimeout');
    const secondAt = performance.now();
    t.not(await within(c.closed, 5000), 'timeout', 'then closed when idle');
    const idle = performance.now() - secondAt;
    t.ok(
      idle >= SMALL.keepAliveTimeoutMs - 50 && idle < SMALL.keepAliveTimeoutMs + KEEP_ALIVE_BUFFER_MS + 700,
      `idle ${idle.toFixed(0)} ms before the close (keepAliveTimeout ${SMALL.keepAliveTimeoutMs} ms + buffer)`,
    );
  });
});

// --- TLS ------------------------------------------------------------------------------------------

/** Names that mark a weak suite, in OpenSSL's naming. */
const WEAK =
  /RC4|3DES|DES-CBC|(^|-)DES(-|$)|NULL|EXP|ADH|AECDH|anon|MD5|CBC|-SHA$|^AES\d+-|^CAMELLIA|^SEED|^IDEA|PSK|SRP/i;

async function serverWith(files: {
  cert: string;
  key: string;
}): Promise<{ server: RunningServer; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'netpol-tls-'));
  await writeFile(join(dir, 'tls.crt'), files.cert);
  await writeFile(join(dir, 'tls.key'), files.key);
  const server = await startServer({
    source: fixtureSource(),
    config: configWith(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    drainMs: 0,
    reloadPollMs: 0,
  });
  return { server, dir };
}

type Handshake =
  | { readonly ok: true; readonly cipher: string; readonly version: string }
  | { readonly ok: false; readonly error: string };

function handshake(
  port: number,
  options: {
    ciphers?: string;
    minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2';
    maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  },
): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      servername: 'localhost',
      rejectUnauthorized: false,
      ...options,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, error: 'timeout' });
    }, 5000);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const cipher = socket.getCipher();
      resolve({ ok: true, cipher: cipher.name, version: socket.getProtocol() ?? '?' });
      socket.end();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.code ?? error.message });
    });
  });
}

/** Offers each TLS 1.2 suite OpenSSL knows, alone; returns those the server accepted. */
async function acceptedTls12Suites(port: number): Promise<string[]> {
  const accepted: string[] = [];
  const suites = getCiphers()
    .map((c) => c.toUpperCase())
    .filter((c) => !c.startsWith('TLS_'));
  for (const suite of suites) {
    // security level 0: the client really offers old suites; the server decides
    const result = await handshake(port, {
      ciphers: `${suite}:@SECLEVEL=0`,
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.2',
    });
    if (result.ok) accepted.push(result.cipher);
  }
  return [...new Set(accepted)].sort();
}

function rsaCertificate(dir: string): { cert: string; key: string } | null {
  const r = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'rsa.key'),
      '-out',
      join(dir, 'rsa.crt'),
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) return null;
  const read = (f: string): string => spawnSync('cat', [join(dir, f)], { encoding: 'utf8' }).stdout;
  return { cert: read('rsa.crt'), key: read('rsa.key') };
}

t.test('TLS versions and cipher suites', async (t) => {
  const ca = await createCertificateAuthority('tls test CA');
  const ecdsa = await issueServingCertificate(ca, { hosts: ['localhost'] });
  const { server, dir } = await serverWith(ecdsa);
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const refusals: string[] = [];
  server.app.server.on('tlsClientError', (error: NodeJS.ErrnoException) =>
    refusals.push(error.code ?? error.message),
  );

  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const before = refusals.length;
    const result = await handshake(server.port, {
      minVersion: version,
      maxVersion: version,
      ciphers: 'DEFAULT:@SECLEVEL=0',
    });
    t.equal(result.ok, false, `a ${version} client is refused (${result.ok ? result.cipher : result.error})`);
    await new Promise((r) => setTimeout(r, 50));
    t.ok(
      refusals.slice(before).some((code) => /VERSION|PROTOCOL/i.test(code)),
      `the server refused it for its version (${refusals.slice(before).join(', ')})`,
    );
  }
  const modern = await handshake(server.port, {});
  t.match(modern, { ok: true, version: 'TLSv1.3' }, 'a default client gets TLS 1.3');
  const tls12 = await handshake(server.port, { maxVersion: 'TLSv1.2' });
  t.match(tls12, { ok: true, version: 'TLSv1.2' }, 'a TLS 1.2 client is served');

  const accepted = await acceptedTls12Suites(server.port);
  t.comment(`TLS 1.2 suites accepted with an ECDSA certificate: ${accepted.join(' ')}`);
  t.ok(accepted.length > 0, 'some suites are accepted');
  t.same(
    accepted.filter((c) => WEAK.test(c)),
    [],
    'none is weak',
  );
  t.ok(
    accepted.every((c) => c.startsWith('ECDHE-') && /GCM|CHACHA20/.test(c)),
    'all are ECDHE with AEAD',
  );
  t.ok(
    accepted.every((c) => TLS12_CIPHERS.includes(c)),
    'all are in the configured list',
  );

  const rsaDir = await mkdtemp(join(tmpdir(), 'netpol-rsa-'));
  t.teardown(() => rm(rsaDir, { recursive: true, force: true }));
  const noOpenssl = opensslUnavailable();
  const rsa = noOpenssl === null ? rsaCertificate(rsaDir) : null;
  if (rsa === null) {
    t.comment(`no RSA certificate (${noOpenssl ?? 'openssl failed'}): RSA suites not checked`);
  } else {
    const rsaServer = await serverWith(rsa);
    t.teardown(async () => {
      await rsaServer.server.close();
      await rm(rsaServer.dir, { recursive: true, force: true });
    });
    const rsaAccepted = await acceptedTls12Suites(rsaServer.server.port);
    t.comment(`TLS 1.2 suites accepted with an RSA certificate: ${rsaAccepted.join(' ')}`);
    t.ok(rsaAccepted.length > 0);
    t.same(
      rsaAccepted.filter((c) => WEAK.test(c)),
      [],
      'none is weak (RSA)',
    );
    t.ok(
      rsaAccepted.every((c) => c.startsWith('ECDHE-RSA-')),
      'forward secret only: no static RSA key exchange',
    );
  }
});

t.test('plain HTTP on the webhook port gets no HTTP answer', async (t) => {
  const ca = await createCertificateAuthority('plain test CA');
  const { server, dir } = await serverWith(await issueServingCertificate(ca, { hosts: ['localhost'] }));
  t.teardown(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const body = JSON.stringify(policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }));
  const socket = connectTcp({ host: '127.0.0.1', port: server.port });
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  socket.write(
    `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  const closed = await Promise.race([
    once(socket, 'close').then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
  ]);
  socket.destroy();
  const answer = Buffer.concat(chunks).toString('latin1');
  t.ok(closed, 'the server closed the connection');
  t.notMatch(answer, /^HTTP\//, `no HTTP answer (got ${JSON.stringify(answer.slice(0, 40))})`);
  t.notMatch(answer, /AdmissionReview/, 'and no review answer');
});

/** One review over a new connection (a full handshake), verified against `ca` as the API server does. */
async function reviewOverNewConnection(
  port: number,
  ca: string,
  uid: string,
): Promise<{ status: number; serial: string; uid: string | null }> {
  const body = JSON.stringify(
    policyReview('CREATE', 'shop', `p-${uid}`, { after: FRONTEND_TO_CART }, { uid, dryRun: true }),
  );
  const answer = await postOverTls({ port, ca, body });
  return { status: answer.status, serial: answer.serial, uid: echoedUid(answer.text) };
}

t.test('certificate rotation under load: no failed handshake for clients that trust the CA', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'netpol-rotate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca = await createCertificateAuthority('rotation CA');
  const certs = await Promise.all(
    [0, 1, 2, 3].map(() => issueServingCertificate(ca, { hosts: ['localhost'] })),
  );
  await writeSecretVolume(dir, 0, certs[0] as IssuedCertificate);
  let reloads = 0;
  const server = await startServer({
    source: fixtureSource(),
    config: configWith(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    reloadDebounceMs: 20,
    reloadPollMs: 200,
    drainMs: 0,
    onCertificateReload: () => reloads++,
  });
  t.teardown(() => server.close());

  const failures: string[] = [];
  const serials = new Set<string>();
  let answered = 0;
  let stop = false;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const uid = `rot-${w}-${i}`;
      try {
        const r = await reviewOverNewConnection(server.port, ca.cert, uid);
        if (r.status !== 200 || r.uid !== uid) failures.push(`${uid}: status ${r.status}, uid ${r.uid}`);
        serials.add(r.serial);
        answered++;
      } catch (error) {
        failures.push(`${uid}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    }
  };
  const workers = [0, 1, 2, 3].map(worker);
  for (let generation = 1; generation <= 3; generation++) {
    await new Promise((r) => setTimeout(r, 300));
    await writeSecretVolume(dir, generation, certs[generation] as IssuedCertificate);
  }
  const until = Date.now() + 5000;
  while (reloads < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(workers);

  t.equal(reloads, 3, 'three rotations');
  t.same(failures, [], `no failed handshake or review in ${answered} reviews, each on a new connection`);
  t.ok(answered > 40, `${answered} handshakes`);
  t.ok(serials.has((certs[3] as IssuedCertificate).serialNumber), 'the last certificate is served');
  t.ok(serials.size >= 3, `${serials.size} of 4 certificates were seen during the run`);
});
