/**
 * The command line through its public entry point (runCli), in-process:
 * outputs, exit codes (0 ok, 1 denied, 2 bad usage or input) and error
 * messages that name the file, the object and the field.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';

const fixture = (f: string): string => fileURLToPath(new URL(`../fixtures/cli/${f}`, import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/cluster', import.meta.url));

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (s) => void (out += s), stderr: (s) => void (err += s), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

t.test('--help and bad usage', async (t) => {
  const help = await run('--help');
  t.equal(help.code, 0);
  t.match(help.out, /connectivity/);
  t.match(help.out, /check/);
  for (const cmd of ['connectivity', 'diff', 'check', 'explain']) {
    const r = await run(cmd, '--help');
    t.equal(r.code, 0, `${cmd} --help`);
    t.match(r.out, /Usage: netpol-preflight/);
  }
  t.equal((await run('nope')).code, 2, 'unknown command');
  t.equal((await run('connectivity')).code, 2, 'missing path');
  t.equal((await run('connectivity', EXAMPLE, '-o', 'xml')).code, 2, 'bad output format');
});

t.test('connectivity on the example cluster', async (t) => {
  const r = await run('connectivity', EXAMPLE, '-o', 'json');
  t.equal(r.code, 0);
  const rows = JSON.parse(r.out) as { src: string; dst: string; conn: string }[];
  t.ok(
    rows.some(
      (x) =>
        x.src === 'shop/frontend[Deployment]' && x.dst === 'shop/cart[Deployment]' && x.conn === 'TCP 7070',
    ),
    'frontend reaches cart on its named grpc port',
  );
  t.notOk(
    rows.some((x) => x.src === 'shop/frontend[Deployment]' && x.dst === 'shop/redis[StatefulSet]'),
    'only cart reaches redis',
  );
  const txt = await run('connectivity', EXAMPLE);
  t.match(txt.out, /^shop\/cart\[Deployment\] => shop\/redis\[StatefulSet\] : TCP 6379$/m);
});

t.test('invalid input is a clear error and exit 2', async (t) => {
  const r = await run('connectivity', fixture('invalid-policy.yaml'));
  t.equal(r.code, 2);
  t.match(r.err, /invalid-policy\.yaml/);
  t.match(r.err, /document 2/);
  t.match(r.err, /shop\/bad-port/);
  t.match(r.err, /spec\.ingress\[0\]\.ports\[0\]\.port/);
  t.notMatch(r.err, /\n\s+at /, 'no stack trace');
  const missing = await run('connectivity', '/nonexistent/path');
  t.equal(missing.code, 2);
  t.match(missing.err, /\/nonexistent\/path/);
});

t.test('diff', async (t) => {
  const r = await run('diff', EXAMPLE, fixture('allow-dns-shop.yaml'), '-o', 'json');
  t.equal(r.code, 0);
  const rows = JSON.parse(r.out) as { diff_type: string; workloads_diff_info: string }[];
  t.ok(rows.some((x) => x.diff_type === 'removed' && /workload .* removed/.test(x.workloads_diff_info)));
  const same = await run('diff', EXAMPLE, EXAMPLE);
  t.equal(same.out, '', 'no change, no output');
});

t.test('check: verdicts, order, JSON shape and exit codes', async (t) => {
  const denied = await run(
    'check',
    '--state',
    EXAMPLE,
    '--apply',
    fixture('deny-egress-shop.yaml'),
    '-o',
    'json',
  );
  t.equal(denied.code, 1, 'denied -> exit 1');
  const json = JSON.parse(denied.out) as { results: Record<string, unknown>[] };
  t.equal(json.results.length, 1);
  const result = json.results[0] as Record<string, unknown>;
  t.same(Object.keys(result).sort(), [
    'allowed',
    'denyMessage',
    'findings',
    'name',
    'namespace',
    'operation',
    'warnings',
  ]);
  t.equal(result.operation, 'CREATE');
  t.equal(result.allowed, false);
  t.match(result.denyMessage, /dns-egress-blocked/);
  const findings = result.findings as { rule: string; severity: string; fix?: string }[];
  t.ok(
    findings.some(
      (f) =>
        f.rule === 'dns-egress-blocked' && f.severity === 'deny' && f.fix?.includes('kind: NetworkPolicy'),
    ),
  );

  const ordered = await run(
    'check',
    '--state',
    EXAMPLE,
    '--apply',
    fixture('allow-dns-shop.yaml'),
    '--apply',
    fixture('deny-egress-shop.yaml'),
    '--delete',
    'shop/allow-dns',
    '-o',
    'json',
  );
  const steps = (
    JSON.parse(ordered.out) as { results: { operation: string; name: string; allowed: boolean }[] }
  ).results;
  t.same(
    steps.map((s) => [s.operation, s.name, s.allowed]),
    [
      ['CREATE', 'allow-dns', true],
      ['CREATE', 'default-deny-egress', true],
      ['DELETE', 'allow-dns', false],
    ],
    'each change is judged against the state left by the previous ones',
  );
  t.equal(ordered.code, 1);

  const update = await run(
    'check',
    '--state',
    EXAMPLE,
    '--apply',
    fixture('allow-dns-shop.yaml'),
    '--apply',
    fixture('allow-dns-shop.yaml'),
    '-o',
    'json',
  );
  t.same(
    (JSON.parse(update.out) as { results: { operation: string }[] }).results.map((r) => r.operation),
    ['CREATE', 'UPDATE'],
  );
  t.equal(update.code, 0);

  const text = await run('check', '--state', EXAMPLE, '--apply', fixture('deny-egress-shop.yaml'));
  t.match(text.out, /CREATE NetworkPolicy shop\/default-deny-egress: DENIED/);
  t.notOk(text.out.includes('\u001b['), 'no colour when not a TTY');
});

t.test('check: usage and configuration errors exit 2', async (t) => {
  t.equal((await run('check', '--state', EXAMPLE)).code, 2, 'nothing to check');
  const del = await run('check', '--state', EXAMPLE, '--delete', 'shop/nope');
  t.equal(del.code, 2);
  t.match(del.err, /no NetworkPolicy shop\/nope/);
  const badRef = await run('check', '--state', EXAMPLE, '--delete', 'just-a-name');
  t.equal(badRef.code, 2);
  const cfg = await run(
    'check',
    '--state',
    EXAMPLE,
    '--config',
    fixture('bad-config.yaml'),
    '--apply',
    fixture('allow-dns-shop.yaml'),
  );
  t.equal(cfg.code, 2);
  t.match(cfg.err, /unknown key "unknownKey"/);
  t.match(cfg.err, /rules\.dns-egress-blocked: expected one of deny, warn, info, off/);
});

t.test('explain', async (t) => {
  const ok = await run(
    'explain',
    '--state',
    EXAMPLE,
    '--from',
    'shop/frontend',
    '--to',
    'shop/cart',
    '--port',
    '7070',
    '-o',
    'json',
  );
  t.equal(ok.code, 0);
  const ev = JSON.parse(ok.out) as {
    allowed: boolean;
    ingress: { policies: { policy: string; matchingRules: { rule: string }[] }[] };
  };
  t.equal(ev.allowed, true);
  t.ok(
    ev.ingress.policies.some(
      (p) => p.policy === 'shop/allow-cart-from-frontend' && p.matchingRules[0]?.rule === 'ingress[0]',
    ),
  );
  const no = await run(
    'explain',
    '--state',
    EXAMPLE,
    '--from',
    'shop/frontend',
    '--to',
    'shop/redis',
    '--port',
    '6379',
  );
  t.match(no.out, /DENIED/);
  t.match(no.out, /blocked by the ingress policies of shop\/redis\[StatefulSet\]/);
  const ext = await run(
    'explain',
    '--state',
    EXAMPLE,
    '--from',
    'payments/payments-api',
    '--to',
    '203.0.113.9',
    '--port',
    '443',
  );
  t.match(ext.out, /ALLOWED/);
  const bad = await run('explain', '--state', EXAMPLE, '--from', 'shop/nothing', '--to', 'shop/cart');
  t.equal(bad.code, 2);
  t.match(bad.err, /no pod or workload named nothing in namespace shop/);
  t.equal(
    (
      await run(
        'explain',
        '--state',
        EXAMPLE,
        '--from',
        'shop/frontend',
        '--to',
        'shop/cart',
        '--port',
        '70000',
      )
    ).code,
    2,
  );
});

t.test('the built bin runs under Node 24', async (t) => {
  const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
  t.ok(existsSync(bin), 'dist/cli/main.js exists (make build)');
  if (!existsSync(bin)) return;
  const r = spawnSync(process.execPath, [bin, 'connectivity', '--help'], { encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, /Usage: netpol-preflight connectivity/);
});
