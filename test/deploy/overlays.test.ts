/**
 * The two install paths and the Argo CD example:
 * - overlays/cert-manager: CA chain, serving Certificate for the Service names, and the
 *   CA injector annotation pointing at it;
 * - overlays/self-signed after scripts/gen-certs.sh (run in a temp dir): a caBundle that is
 *   the base64 PEM of the generated CA, and a serving certificate that verifies against it
 *   for netpol-preflight.netpol-preflight.svc; re-running keeps the CA;
 * - examples/argocd-application.yaml: points at the cert-manager overlay, waves in order.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import {
  generateCerts,
  kubectlUnavailable,
  NAMESPACE,
  only,
  opensslUnavailable,
  readText,
  render,
  repoPath,
  SERVICE_HOST,
  syncWave,
  type K8sObject,
} from '../support/manifests.js';

const skip = kubectlUnavailable();
if (skip !== null) console.log(`# skipping the overlay tests: ${skip}`);
const skipCerts = skip ?? opensslUnavailable();
if (skip === null && skipCerts !== null)
  console.log(`# skipping the self-signed overlay tests: ${skipCerts}`);

interface Webhook {
  name: string;
  clientConfig: { caBundle?: string; service?: { name: string; namespace: string } };
}
type WebhookConfiguration = K8sObject & { webhooks: Webhook[] };
type Certificate = K8sObject & {
  spec: {
    secretName: string;
    isCA?: boolean;
    dnsNames?: string[];
    usages?: string[];
    issuerRef: { kind: string; name: string };
  };
};
type Issuer = K8sObject & { spec: { selfSigned?: object; ca?: { secretName: string } } };
type Secret = K8sObject & { type: string; data: Record<string, string> };

t.test('overlays/cert-manager', { skip: skip ?? false }, async (t) => {
  const objects = render(repoPath('manifests', 'overlays', 'cert-manager'));
  const webhook = only<WebhookConfiguration>(objects, 'ValidatingWebhookConfiguration');
  const injectFrom = webhook.metadata.annotations?.['cert-manager.io/inject-ca-from'];
  t.ok(injectFrom, 'the CA injector annotation is set');
  const [ns, name] = (injectFrom ?? '').split('/');
  const serving = only<Certificate>(objects, 'Certificate', name);
  t.equal(ns, NAMESPACE, 'it names the Certificate in the webhook namespace');
  t.equal(serving.metadata.namespace, NAMESPACE);
  t.equal(serving.spec.secretName, 'netpol-preflight-tls', 'into the Secret the Deployment mounts');
  t.ok(serving.spec.dnsNames?.includes(SERVICE_HOST), `issued for ${SERVICE_HOST}`);
  t.ok(serving.spec.usages?.includes('server auth'), 'for serving');
  t.equal(webhook.webhooks[0]?.clientConfig.caBundle, undefined, 'the caBundle is left to the injector');

  // serving Certificate <- CA Issuer <- CA Certificate <- self-signed Issuer
  const caIssuer = only<Issuer>(objects, 'Issuer', serving.spec.issuerRef.name);
  t.equal(serving.spec.issuerRef.kind, 'Issuer');
  t.ok(caIssuer.spec.ca, 'the serving certificate is signed by a CA Issuer');
  const ca = (objects as Certificate[]).find(
    (o) => o.kind === 'Certificate' && o.spec.secretName === caIssuer.spec.ca?.secretName,
  );
  t.equal(ca?.spec.isCA, true, 'whose CA is a cert-manager Certificate');
  const root = only<Issuer>(objects, 'Issuer', ca?.spec.issuerRef.name);
  t.ok(root.spec.selfSigned, 'issued by a self-signed Issuer');

  const deployment = only(objects, 'Deployment');
  for (const o of objects.filter((o) => o.apiVersion.startsWith('cert-manager.io/'))) {
    t.equal(o.metadata.namespace, NAMESPACE, `${o.kind} ${o.metadata.name} namespace`);
    t.ok(syncWave(o) < syncWave(deployment), `${o.kind} ${o.metadata.name} is ready before the Deployment`);
  }
});

t.test('overlays/self-signed with scripts/gen-certs.sh', { skip: skipCerts ?? false }, async (t) => {
  const generated = await generateCerts();
  t.teardown(generated.cleanup);
  const objects = render(join(generated.manifests, 'overlays', 'self-signed'));
  const webhook = only<WebhookConfiguration>(objects, 'ValidatingWebhookConfiguration');
  t.equal(webhook.webhooks.length, 1, 'the patch merged into the webhook, not added one');
  const caBundle = webhook.webhooks[0]?.clientConfig.caBundle ?? '';
  const caFile = await readText(join(generated.certs, 'ca.crt'));

  t.test('the caBundle is the base64 PEM of the generated CA', async (t) => {
    t.match(caBundle, /^[A-Za-z0-9+/]+={0,2}$/, 'valid base64');
    const pem = Buffer.from(caBundle, 'base64').toString('utf8');
    t.match(
      pem,
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/,
      'one PEM certificate',
    );
    t.equal(pem, caFile, 'exactly certs/ca.crt');
    const ca = new X509Certificate(pem);
    t.equal(ca.ca, true, 'a CA certificate');
    t.ok(ca.verify(ca.publicKey), 'self-signed');
  });

  t.test('the serving certificate verifies against the caBundle for the Service name', async (t) => {
    const ca = new X509Certificate(Buffer.from(caBundle, 'base64'));
    const secret = only<Secret>(objects, 'Secret', 'netpol-preflight-tls');
    t.equal(secret.type, 'kubernetes.io/tls');
    t.equal(secret.metadata.namespace, NAMESPACE);
    const certPem = Buffer.from(secret.data['tls.crt'] ?? '', 'base64').toString('utf8');
    const cert = new X509Certificate(certPem);
    t.equal(cert.ca, false, 'a leaf certificate');
    t.ok(cert.verify(ca.publicKey), 'signed by the CA');
    t.ok(cert.checkIssued(ca), 'issued by the CA');
    t.equal(cert.checkHost(SERVICE_HOST), SERVICE_HOST, `valid for ${SERVICE_HOST}`);
    t.equal(cert.checkHost(`${SERVICE_HOST}.cluster.local`), `${SERVICE_HOST}.cluster.local`);
    t.equal(cert.checkHost('netpol-preflight.other.svc'), undefined, 'and not for another namespace');
    t.same(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extended key usage: server auth only');
    const now = Date.now();
    t.ok(new Date(cert.validFrom).getTime() <= now && now < new Date(cert.validTo).getTime(), 'valid now');
    const key = createPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64'));
    t.ok(cert.checkPrivateKey(key), 'tls.key is the key of tls.crt');
    t.equal(
      Buffer.from(secret.data['ca.crt'] ?? '', 'base64').toString('utf8'),
      caFile,
      'ca.crt in the Secret',
    );
    t.equal(secret.metadata.name, 'netpol-preflight-tls', 'a fixed name: renewals update it in place');
  });

  t.test('private keys are private; the overlay copy lives in the git-ignored generated/', async (t) => {
    for (const file of [join(generated.certs, 'ca.key'), join(generated.certs, 'tls.key')]) {
      t.equal(statSync(file).mode & 0o077, 0, `${file} is readable by its owner only`);
    }
    const gitignore = await readText(repoPath('.gitignore'));
    t.match(gitignore, /^manifests\/overlays\/self-signed\/generated\/$/m);
    t.match(gitignore, /^certs\/\*\.key$/m);
  });

  t.test('a re-run keeps the CA and renews the serving certificate; --rotate-ca replaces it', async (t) => {
    const before = await readText(join(generated.certs, 'tls.crt'));
    t.match(generated.rerun(), /keeping the CA/);
    t.equal(await readText(join(generated.certs, 'ca.crt')), caFile, 'same CA');
    const renewed = await readText(join(generated.certs, 'tls.crt'));
    t.not(renewed, before, 'a new serving certificate');
    const again = only<WebhookConfiguration>(
      render(join(generated.manifests, 'overlays', 'self-signed')),
      'ValidatingWebhookConfiguration',
    );
    t.equal(again.webhooks[0]?.clientConfig.caBundle, caBundle, 'the caBundle is unchanged');
    generated.rerun('--rotate-ca');
    t.not(await readText(join(generated.certs, 'ca.crt')), caFile, 'a new CA');
  });
});

t.test('examples/argocd-application.yaml', async (t) => {
  const app = parseYaml(
    await readText(repoPath('manifests', 'examples', 'argocd-application.yaml')),
  ) as K8sObject & {
    spec: {
      source: { path: string };
      destination: { namespace: string };
      ignoreDifferences?: { kind: string; jqPathExpressions?: string[]; jsonPointers?: string[] }[];
    };
  };
  t.equal(app.apiVersion, 'argoproj.io/v1alpha1');
  t.equal(app.kind, 'Application');
  t.ok(syncWave(app) < 0, 'synced before the workload Applications (wave 0)');
  t.equal(app.spec.source.path, 'manifests/overlays/cert-manager');
  t.ok(existsSync(repoPath(app.spec.source.path, 'kustomization.yaml')), 'the path is a kustomization');
  t.equal(app.spec.destination.namespace, NAMESPACE);
  const ignored = app.spec.ignoreDifferences?.find((d) => d.kind === 'ValidatingWebhookConfiguration');
  t.match(
    [...(ignored?.jqPathExpressions ?? []), ...(ignored?.jsonPointers ?? [])].join(' '),
    /caBundle/,
    'the injected caBundle is not diffed',
  );
});
