/**
 * docs/user-experience.md quotes real output: the warnings and denial messages the CLI
 * produces for the example policies (the webhook answers with the same decision), inside
 * the kubectl and API server text that names the webhook as it is registered.
 */
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { readText, repoPath } from '../support/manifests.js';

interface CheckJson {
  results: { allowed: boolean; warnings: string[]; denyMessage: string | null }[];
}

async function check(...steps: string[]): Promise<CheckJson> {
  let out = '';
  const io: CliIo = { stdout: (s) => void (out += s), stderr: () => {}, isTTY: false };
  await runCli(['check', '--state', repoPath('examples', 'cluster'), ...steps, '-o', 'json'], io);
  return JSON.parse(out) as CheckJson;
}

t.test('docs/user-experience.md quotes what the webhook answers', async (t) => {
  const doc = await readText(repoPath('docs', 'user-experience.md'));
  const registration = parseYaml(
    await readText(repoPath('manifests', 'base', 'validatingwebhookconfiguration.yaml')),
  ) as { webhooks: { name: string }[] };
  const webhook = registration.webhooks[0]?.name ?? '';
  t.ok(doc.includes(`admission webhook "${webhook}" denied the request: `), 'the registered webhook name');

  const cases: { what: string; steps: string[]; allowed: boolean }[] = [
    {
      what: 'the denied egress policy',
      steps: ['--apply', repoPath('examples', 'policies', 'shop-cart-egress-no-dns.yaml')],
      allowed: false,
    },
    {
      what: 'the policy with warnings',
      steps: ['--apply', repoPath('examples', 'policies', 'shop-allow-redis-typo.yaml')],
      allowed: true,
    },
    { what: 'the denied DELETE', steps: ['--delete', 'payments/allow-dns'], allowed: false },
  ];
  for (const c of cases) {
    const result = (await check(...c.steps)).results[0];
    t.equal(result?.allowed, c.allowed, `${c.what}: allowed=${c.allowed}`);
    for (const warning of result?.warnings ?? []) {
      t.ok(doc.includes(`Warning: ${warning}\n`), `${c.what}: quotes the warning "${warning}"`);
    }
    if (result?.denyMessage) {
      t.ok(
        doc.includes(`admission webhook "${webhook}" denied the request: ${result.denyMessage}\n`),
        `${c.what}: quotes the denial`,
      );
    }
  }
});
