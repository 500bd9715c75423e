/**
 * Certificate rotation under load: clients that trust the CA open a new connection (a full
 * handshake) for every review while the serving certificate is rotated every second, the way
 * the kubelet updates a mounted Secret (an atomic swap of the `..data` symlink).
 */
import { mkdtemp, mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/checks/defaults.js';
import { startServer } from '../../src/server.js';
import {
  createCertificateAuthority,
  issueServingCertificate,
  type IssuedCertificate,
} from '../../src/tls/certificates.js';
import { fixtureSource } from '../../test/support/webhook.js';
import type { SoakRow } from './table.js';

async function swap(dir: string, generation: number, cert: IssuedCertificate): Promise<void> {
  const versioned = join(dir, `..gen-${generation}`);
  await mkdir(versioned);
  await writeFile(join(versioned, 'tls.crt'), cert.cert);
  await writeFile(join(versioned, 'tls.key'), cert.key);
  await symlink(`..gen-${generation}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
}

function reviewOnNewConnection(port: number, ca: string, uid: string): Promise<boolean> {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
      namespace: 'shop',
      operation: 'DELETE',
      name: 'nothing',
      userInfo: { username: 'soak' },
    },
  });
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        path: '/validate',
        method: 'POST',
        ca,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve(res.statusCode === 200 && text.includes(`"uid":"${uid}"`)));
      },
    );
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

export async function runRotationPhase(
  clients: number,
  rotations: number,
  everyMs: number,
): Promise<SoakRow> {
  const dir = await mkdtemp(join(tmpdir(), 'netpol-soak-rotate-'));
  const ca = await createCertificateAuthority('soak CA');
  const certs: IssuedCertificate[] = [];
  for (let i = 0; i <= rotations; i++)
    certs.push(await issueServingCertificate(ca, { hosts: ['localhost'] }));
  await swap(dir, 0, certs[0] as IssuedCertificate);
  await symlink('..data/tls.crt', join(dir, 'tls.crt'));
  await symlink('..data/tls.key', join(dir, 'tls.key'));
  let reloads = 0;
  const server = await startServer({
    source: fixtureSource(),
    config: defaultConfig(),
    tls: { kind: 'files', certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    port: 0,
    host: '127.0.0.1',
    drainMs: 0,
    reloadDebounceMs: 50,
    reloadPollMs: 500,
    onCertificateReload: () => reloads++,
  });
  let stop = false;
  let sent = 0;
  let failures = 0;
  const client = async (c: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      sent++;
      if (!(await reviewOnNewConnection(server.port, ca.cert, `rot-${c}-${i}`))) failures++;
    }
  };
  const running = Array.from({ length: clients }, (_, c) => client(c));
  for (let g = 1; g <= rotations; g++) {
    await new Promise((r) => setTimeout(r, everyMs));
    await swap(dir, g, certs[g] as IssuedCertificate);
  }
  await new Promise((r) => setTimeout(r, everyMs));
  stop = true;
  await Promise.all(running);
  await server.close();
  await rm(dir, { recursive: true, force: true });
  return {
    phase: 'certificate rotation under load',
    requests: sent,
    errors: failures,
    non2xx: null,
    p99Ms: null,
    rssStartMb: null,
    rssEndMb: null,
    faults: rotations,
    converged: null,
    ok: failures === 0 && reloads === rotations,
    notes: `${clients} clients, a TLS handshake per review, ${rotations} rotations every ${everyMs} ms: ${reloads} reloads, ${failures} failed handshakes or reviews`,
  };
}
