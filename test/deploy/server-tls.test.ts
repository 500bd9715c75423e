/**
 * End to end over TLS, the way the API server will call the webhook: the real server
 * (src/server.ts startServer, what `netpol-preflight serve` runs) with the certificate and
 * key made by scripts/gen-certs.sh, the configuration from the rendered ConfigMap and the
 * state of examples/cluster, on port 0. The client trusts only the caBundle of the rendered
 * self-signed overlay and checks the name netpol-preflight.netpol-preflight.svc, as the API
 * server does. The Deployment's args are options `serve` knows.
 */
import { request } from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { loadManifests } from '../../src/cluster/manifest-files.js';
import { staticStateSource } from '../../src/cluster/state-source.js';
import { parseConfigText } from '../../src/parse/config.js';
import { startServer } from '../../src/server.js';
import {
  generateCerts,
  kubectlUnavailable,
  only,
  opensslUnavailable,
  render,
  repoPath,
  SERVICE_HOST,
  type K8sObject,
} from '../support/manifests.js';

const skip = kubectlUnavailable() ?? opensslUnavailable();
if (skip !== null) console.log(`# skipping the TLS end-to-end test: ${skip}`);

type WebhookConfiguration = K8sObject & { webhooks: { clientConfig: { caBundle?: string } }[] };
type ConfigMap = K8sObject & { data: Record<string, string> };
type Deployment = K8sObject & { spec: { template: { spec: { containers: { args?: string[] }[] } } } };

interface Reply {
  readonly status: number;
  readonly body: string;
}

function call(
  port: number,
  options: { ca: string | undefined; servername: string; method?: string; path: string; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        // Trust only the caBundle (undefined: the system CAs); check the certificate
        // against the Service name.
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        servername: options.servername,
        agent: false,
        headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 10_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

t.test('the real server over TLS with the generated certificate', { skip: skip ?? false }, async (t) => {
  const generated = await generateCerts();
  t.teardown(generated.cleanup);
  const objects = render(join(generated.manifests, 'overlays', 'self-signed'));
  const caBundle = only<WebhookConfiguration>(objects, 'ValidatingWebhookConfiguration').webhooks[0]
    ?.clientConfig.caBundle;
  const ca = Buffer.from(caBundle ?? '', 'base64').toString('utf8');
  const configText = only<ConfigMap>(objects, 'ConfigMap').data['config.yaml'] ?? '';
  const deploymentArgs = only<Deployment>(objects, 'Deployment').spec.template.spec.containers[0]?.args ?? [];

  t.test("the Deployment's args are options of `serve`", async (t) => {
    let help = '';
    const io: CliIo = { stdout: (s) => void (help += s), stderr: (s) => void (help += s), isTTY: false };
    t.equal(await runCli(['serve', '--help'], io), 0);
    t.equal(deploymentArgs[0], 'serve');
    for (const arg of deploymentArgs.slice(1)) {
      const option = /^(--[a-z-]+)=/.exec(arg)?.[1];
      t.ok(option, `${arg} is --option=value`);
      t.match(help, new RegExp(`${option}\\b`), `serve knows ${option}`);
    }
  });

  const loaded = await loadManifests([repoPath('examples', 'cluster')]);
  const server = await startServer({
    source: staticStateSource(loaded.snapshot, Date.now()),
    config: parseConfigText(configText, 'rendered ConfigMap'),
    tls: {
      kind: 'files',
      certFile: join(generated.certs, 'tls.crt'),
      keyFile: join(generated.certs, 'tls.key'),
    },
    host: '127.0.0.1',
    port: 0,
    logger: false,
    reloadPollMs: 0,
  });
  t.teardown(() => server.close());
  t.ok(server.port > 0, `listening on ${server.port}`);

  t.test('/healthz and /readyz answer over TLS trusting only the caBundle', async (t) => {
    const healthz = await call(server.port, { ca, servername: SERVICE_HOST, path: '/healthz' });
    t.equal(healthz.status, 200);
    // As the kubelet does: probe until ready (the analysis state is prepared right after start).
    let readyz = await call(server.port, { ca, servername: SERVICE_HOST, path: '/readyz' });
    for (let i = 0; i < 100 && readyz.status !== 200; i++) {
      t.match(JSON.parse(readyz.body), { ready: false, reason: 'preparing the analysis state' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      readyz = await call(server.port, { ca, servername: SERVICE_HOST, path: '/readyz' });
    }
    t.equal(readyz.status, 200);
    t.match(JSON.parse(readyz.body), { ready: true });
  });

  t.test('POST /validate: the denial the API server would relay', async (t) => {
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: '8d2f1c3e-0000-4000-8000-000000000001',
        kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
        resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
        name: 'cart-egress',
        namespace: 'shop',
        operation: 'CREATE',
        userInfo: { username: 'alice@example.com', groups: ['system:authenticated'] },
        object: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'cart-egress', namespace: 'shop' },
          spec: {
            podSelector: { matchLabels: { app: 'cart' } },
            policyTypes: ['Egress'],
            egress: [
              {
                to: [{ podSelector: { matchLabels: { app: 'redis' } } }],
                ports: [{ protocol: 'TCP', port: 6379 }],
              },
            ],
          },
        },
        oldObject: null,
        dryRun: false,
      },
    };
    const reply = await call(server.port, {
      ca,
      servername: SERVICE_HOST,
      method: 'POST',
      path: '/validate',
      body: JSON.stringify(review),
    });
    t.equal(reply.status, 200);
    const answer = JSON.parse(reply.body) as {
      response: { uid: string; allowed: boolean; status?: { code: number; message: string } };
    };
    t.equal(answer.response.uid, review.request.uid);
    t.equal(answer.response.allowed, false, 'the egress policy without DNS is denied');
    t.equal(answer.response.status?.code, 403);
    t.match(answer.response.status?.message, /dns-egress-blocked/);
  });

  t.test('the certificate is refused for another name or without the caBundle', async (t) => {
    await t.rejects(
      call(server.port, { ca, servername: 'netpol-preflight.other-namespace.svc', path: '/healthz' }),
      { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
      'wrong Service name',
    );
    await t.rejects(
      call(server.port, { ca: undefined, servername: SERVICE_HOST, path: '/healthz' }),
      { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      'the system CAs do not trust it',
    );
  });
});
