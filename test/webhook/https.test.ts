/**
 * End to end over real HTTPS, as the API server calls the webhook: a CA made
 * for the test, a serving certificate for `localhost` only, a client that
 * trusts only that CA and verifies the chain and the hostname. The serving
 * certificate is rotated the way the kubelet updates a mounted Secret (an
 * atomic swap of the `..data` symlink) while reviews are in flight.
 */
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { startServer, type RunningServer } from '../../src/server.js';
import {
  createCertificateAuthority,
  issueServingCertificate,
  type CertificateAuthority,
  type IssuedCertificate,
} from '../../src/tls/certificates.js';
import {
  configWith,
  DENY_ALL_EGRESS,
  fixtureSource,
  FRONTEND_TO_CART,
  policyReview,
} from '../support/webhook.js';

interface Answer {
  readonly status: number;
  readonly uid: string | null;
  readonly allowed: boolean | null;
  readonly serial: string;
  readonly reused: boolean;
  readonly connection: string | undefined;
}

/** POSTs one review; verifies the server as the API server does (CA bundle + hostname `localhost`). */
function postReview(
  port: number,
  agent: Agent,
  ca: string,
  review: unknown,
  servername = 'localhost',
): Promise<Answer> {
  const body = JSON.stringify(review);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername,
        path: '/validate',
        method: 'POST',
        agent,
        ca,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        // read now: a keep-alive socket goes back to the agent's pool at the end of the response
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            response?: { uid: string; allowed: boolean };
          };
          resolve({
            status: res.statusCode ?? 0,
            uid: json.response?.uid ?? null,
            allowed: json.response?.allowed ?? null,
            serial,
            reused: req.reusedSocket,
            connection: res.headers.connection,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A Secret volume as the kubelet lays it out: tls.crt -> ..data/tls.crt, ..data -> ..<timestamp>. */
async function writeSecretVolume(dir: string, generation: string, cert: IssuedCertificate): Promise<void> {
  const versioned = join(dir, `..${generation}`);
  await mkdir(versioned);
  await writeFile(join(versioned, 'tls.crt'), cert.cert);
  await writeFile(join(versioned, 'tls.key'), cert.key);
  await symlink(`..${generation}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
}

t.test('HTTPS end to end, with a certificate rotated under load', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'netpol-preflight-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ca: CertificateAuthority = await createCertificateAuthority('netpol-preflight test CA');
  const first = await issueServingCertificate(ca, { hosts: ['localhost'] });
  const second = await issueServingCertificate(ca, { hosts: ['localhost'] });
  await writeSecretVolume(dir, '2025_01_01_00_00_00.1', first);
  await symlink('..data/tls.crt', join(dir, 'tls.crt'));
  await symlink('..data/tls.key', join(dir, 'tls.key'));

  const reloads: string[] = [];
  let reloaded: () => void = () => {};
  const reloadSeen = new Promise<void>((resolve) => {
    reloaded = resolve;
  });
  const server: RunningServer = await startServer({
    source: fixtureSource(),
    config: configWith(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    reloadDebounceMs: 50,
    reloadPollMs: 1000,
    drainMs: 50,
    onCertificateReload: (material) => {
      reloads.push(material.cert);
      reloaded();
    },
  });
  t.teardown(() => server.close());
  t.equal(server.host, '127.0.0.1');
  t.ok(server.port > 0, 'listening on a free port');

  await t.test('verifies as the API server does: trusted CA, hostname in the certificate', async (t) => {
    const agent = new Agent({ keepAlive: false });
    const ok = await postReview(
      server.port,
      agent,
      ca.cert,
      policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'tls-1' }),
    );
    t.equal(ok.status, 200);
    t.equal(ok.uid, 'tls-1');
    t.equal(ok.serial, first.serialNumber);
    const otherCa = await createCertificateAuthority('someone else');
    await t.rejects(
      postReview(
        server.port,
        agent,
        otherCa.cert,
        policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }),
      ),
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      'a certificate from another CA is refused',
    );
    await t.rejects(
      postReview(
        server.port,
        agent,
        ca.cert,
        policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }),
        'webhook.example',
      ),
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      'a hostname the certificate does not name is refused',
    );
  });

  await t.test(
    'rotation while reviews are in flight: every review answered, new connections get the new certificate',
    async (t) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      t.teardown(() => agent.destroy());
      const answers: { answer: Answer; uid: string; afterReload: boolean }[] = [];
      let stop = false;
      let sent = 0;
      const worker = async (w: number): Promise<void> => {
        while (!stop) {
          sent += 1;
          const uid = `rot-${w}-${sent}`;
          const denied = sent % 2 === 0;
          const review = denied
            ? policyReview('CREATE', 'blog', `deny-${sent}`, { after: DENY_ALL_EGRESS }, { uid })
            : policyReview(
                'CREATE',
                'shop',
                `ok-${sent}`,
                { after: FRONTEND_TO_CART },
                { uid, dryRun: true },
              );
          const afterReload = reloads.length > 0;
          answers.push({ answer: await postReview(server.port, agent, ca.cert, review), uid, afterReload });
        }
      };
      const workers = [0, 1, 2, 3].map(worker);
      while (answers.length < 20) await new Promise((r) => setTimeout(r, 5));
      await writeSecretVolume(dir, '2025_02_01_00_00_00.2', second);
      await reloadSeen;
      const target = answers.length + 40;
      while (answers.length < target) await new Promise((r) => setTimeout(r, 5));
      stop = true;
      await Promise.all(workers);

      t.equal(reloads.length, 1, 'reloaded once');
      t.equal(reloads[0], second.cert);
      t.ok(
        answers.every(
          ({ answer, uid }) => answer.status === 200 && answer.uid === uid && answer.allowed !== null,
        ),
        'every review was answered, with its own uid',
      );
      const kept = answers.filter(
        (a) => a.afterReload && a.answer.reused && a.answer.serial === first.serialNumber,
      );
      t.ok(kept.length > 0, 'connections opened before the rotation kept working after it (not dropped)');

      const fresh = new Agent({ keepAlive: false });
      const after = await postReview(
        server.port,
        fresh,
        ca.cert,
        policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'after' }),
      );
      t.equal(after.status, 200);
      t.equal(after.serial, second.serialNumber, 'a new connection sees the new certificate');
    },
  );

  await t.test('a broken pair keeps the current certificate', async (t) => {
    const versioned = join(dir, '..2025_03_01_00_00_00.3');
    await mkdir(versioned);
    await writeFile(join(versioned, 'tls.crt'), second.cert);
    await writeFile(join(versioned, 'tls.key'), first.key); // does not match the certificate
    await symlink('..2025_03_01_00_00_00.3', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await new Promise((r) => setTimeout(r, 300));
    t.equal(reloads.length, 1, 'not reloaded');
    const res = await postReview(
      server.port,
      new Agent({ keepAlive: false }),
      ca.cert,
      policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }),
    );
    t.equal(res.status, 200);
    t.equal(res.serial, second.serialNumber);
  });
});

t.test('graceful close: drain, then reviews in flight are answered before the server stops', async (t) => {
  const ca = await createCertificateAuthority('close CA');
  const cert = await issueServingCertificate(ca, { hosts: ['localhost'] });
  const dir = await mkdtemp(join(tmpdir(), 'netpol-preflight-close-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'tls.crt'), cert.cert);
  await writeFile(join(dir, 'tls.key'), cert.key);
  let armed = false;
  let closing: Promise<void> | null = null;
  let stopped = false;
  const server = await startServer({
    source: {
      ...fixtureSource(),
      stop: async () => {
        stopped = true;
      },
    },
    config: configWith(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    reloadPollMs: 0,
    drainMs: 400,
    decide: (...args) => {
      if (!armed) return decideChange(...args);
      // the first review starts the close, as SIGTERM would, then takes its time
      closing ??= server.close();
      const until = performance.now() + 30;
      while (performance.now() < until) {
        // busy, as the synchronous analysis is
      }
      return decideChange(...args);
    },
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(() => agent.destroy());
  // four open connections, TLS done, as the API server keeps them
  const warm = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      postReview(
        server.port,
        agent,
        ca.cert,
        policyReview('CREATE', 'shop', `w${i}`, { after: FRONTEND_TO_CART }),
      ),
    ),
  );
  t.ok(
    warm.every((a) => a.connection === 'keep-alive'),
    'keep-alive before the close',
  );
  armed = true;
  const answers = await Promise.all(
    [0, 1, 2, 3].map((i) =>
      postReview(
        server.port,
        agent,
        ca.cert,
        policyReview('CREATE', 'blog', `d${i}`, { after: DENY_ALL_EGRESS }, { uid: `close-${i}` }),
      ),
    ),
  );
  t.same(
    answers.map((a) => [a.status, a.uid, a.allowed, a.connection]),
    [0, 1, 2, 3].map((i) => [200, `close-${i}`, false, 'close']),
    'all four answered, each telling the client to drop the connection',
  );
  t.ok(closing, 'the close started during the first review');
  const ready = await getReadyz(server.port, ca.cert);
  t.same(ready, { status: 503, body: { ready: false, reason: 'shutting down' } }, 'not ready while draining');
  await server.closed;
  t.ok(stopped, 'the state source was stopped after the reviews');
  await t.rejects(
    postReview(
      server.port,
      new Agent({ keepAlive: false }),
      ca.cert,
      policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }),
    ),
    { code: 'ECONNREFUSED' },
    'no longer listening',
  );
});

function getReadyz(port: number, ca: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, servername: 'localhost', path: '/readyz', ca, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
