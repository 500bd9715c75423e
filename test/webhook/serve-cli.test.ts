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
import { fixturePath, FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

async function run(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runCli(argv, { stdout: () => {}, stderr: (s) => (stderr += s), isTTY: false });
  return { code, stderr };
}

t.test('serve without --state is a usage error saying the live source is not wired yet', async (t) => {
  for (const argv of [['serve'], ['serve', '--kubeconfig', '/nonexistent/kubeconfig']]) {
    const res = await run(argv);
    t.equal(res.code, 2, argv.join(' '));
    t.match(
      res.stderr,
      /serve needs --state PATH\.\.\.: the live cluster source \(--kubeconfig or in-cluster\) is not wired yet/,
    );
  }
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
  const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const loader = process.execArgv.filter((a) => a.includes('@tapjs/typescript'));
  const child = spawn(
    process.execPath,
    [...loader, main, 'serve', '--state', fixturePath('cluster.yaml'), '--port', '0', '--host', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
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
  const lines = stdout
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
    { stdout },
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
