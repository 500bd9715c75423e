/**
 * `netpol-preflight serve`: usage errors in-process, and the real command in
 * a child process (development certificate, one review, SIGTERM, clean exit).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { runCli } from '../../src/cli/run.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApiServer } from '../support/fake-apiserver.js';
import { makeNamespace, makePod } from '../support/k8s-objects.js';
import { fixturePath, FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

/** Starts `serve` in a child process on a free port; resolves once it listens. */
async function spawnServe(args: string[]) {
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const child = spawn(
    process.execPath,
    [...loader, main, 'serve', ...args, '--port', '0', '--host', '127.0.0.1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\/validate/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
  });
  return { child, port, exited, stdout: () => stdout };
}

/** One HTTPS request to the development server (self-signed: not verified). */
function call(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(argv, { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false });
  return { code, stderr };
}

t.test('a kubeconfig that cannot be used is a usage error (exit 2), not a crash', async (t) => {
  const missing = await run(['serve', '--kubeconfig', '/nonexistent/kubeconfig', '--port', '0']);
  t.equal(missing.code, 2);
  t.match(missing.stderr, /\/nonexistent\/kubeconfig/);
  t.notMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  const both = await run(['serve', '--state', fixturePath('cluster.yaml'), '--kubeconfig', '/x']);
  t.equal(both.code, 2);
  t.match(both.stderr, /--state and --kubeconfig are alternatives/);
});

t.test('serve --kubeconfig watches a live cluster: ready once synced, then reviews against it', async (t) => {
  const fake = await FakeApiServer.start();
  t.teardown(() => fake.close());
  fake.apply('namespaces', makeNamespace('shop'));
  fake.apply('namespaces', makeNamespace('kube-system'));
  fake.apply('pods', makePod('kube-system', 'coredns-1', { labels: { 'k8s-app': 'kube-dns' } }));
  fake.apply('pods', makePod('shop', 'web-1', { labels: { app: 'web' } }));
  const dir = mkdtempSync(join(tmpdir(), 'serve-live-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, fake.kubeConfigYaml());
  const { child, port, exited } = await spawnServe(['--kubeconfig', kubeconfig]);
  t.teardown(() => child.kill('SIGKILL'));
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200; i++) {
    ready = (await call(port, 'GET', '/readyz')).status;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(ready, 200, '/readyz is 200 once every resource is listed');
  const denyAll = { podSelector: {}, policyTypes: ['Egress' as const] };
  const res = await call(
    port,
    'POST',
    '/validate',
    JSON.stringify(policyReview('CREATE', 'shop', 'deny-egress', { after: denyAll }, { uid: 'live-1' })),
  );
  const review = JSON.parse(res.body) as {
    response: { uid: string; allowed: boolean; status?: { message: string } };
  };
  t.equal(review.response.uid, 'live-1');
  t.equal(review.response.allowed, false, 'the live state has CoreDNS and shop/web: DNS would break');
  t.match(review.response.status?.message ?? '', /dns-egress-blocked/);
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});

t.test('--tls-cert and --tls-key go together', async (t) => {
  const res = await run([
    'serve',
    '--state',
    fixturePath('cluster.yaml'),
    '--tls-cert',
    '/tmp/only-cert.pem',
  ]);
  t.equal(res.code, 2);
  t.match(res.stderr, /--tls-cert and --tls-key go together/);
});

t.test('a bad port or an unreadable certificate is refused before listening', async (t) => {
  const port = await run(['serve', '--state', fixturePath('cluster.yaml'), '--port', 'https']);
  t.equal(port.code, 2);
  t.match(port.stderr, /expected an integer 0-65535/);
  const files = await run([
    'serve',
    '--state',
    fixturePath('cluster.yaml'),
    '--tls-cert',
    '/nonexistent/tls.crt',
    '--tls-key',
    '/nonexistent/tls.key',
    '--port',
    '0',
  ]);
  t.equal(files.code, 2, 'bad input');
  t.match(
    files.stderr,
    /error: TLS certificate \/nonexistent\/tls\.crt \/ key \/nonexistent\/tls\.key: cannot be read/,
  );
});

t.test('serve runs with a development certificate, answers, and exits 0 on SIGTERM', async (t) => {
  const { child, port, exited, stdout: output } = await spawnServe(['--state', fixturePath('cluster.yaml')]);
  t.teardown(() => child.kill('SIGKILL'));
  const body = JSON.stringify(
    policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }, { uid: 'cli-1' }),
  );
  const answer = await new Promise<{ status: number; json: { response: { uid: string } }; san: string }>(
    (resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/validate',
          method: 'POST',
          // a self-signed development certificate: nothing vouches for it (curl -k)
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          const san = (res.socket as TLSSocket).getPeerCertificate().subjectaltname ?? '';
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text), san }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  t.equal(answer.status, 200);
  t.equal(answer.json.response.uid, 'cli-1');
  t.match(answer.san, /DNS:localhost/);
  t.match(answer.san, /IP Address:127\.0\.0\.1/);

  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exit code 0 after SIGTERM');
  const lines = output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });
  t.ok(
    lines.some((l) => l.level === 40 && /self-signed certificate/.test(l.msg)),
    'warns about the development certificate',
  );
  t.ok(
    lines.some((l) => /admission review CREATE shop\/p: allowed/.test(l.msg)),
    'logs the review',
    { stdout: output() },
  );
  t.ok(
    lines.some((l) => /shutting down/.test(l.msg)),
    'logs the signal',
  );
  t.ok(
    lines.some((l) => l.msg === 'webhook closed'),
    'logs the close',
  );
});
