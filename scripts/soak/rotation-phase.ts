/**
 * Certificate rotation under load: clients that trust the CA open a new connection (a full
 * handshake) for every review while the serving certificate is rotated every second, the way
 * the kubelet updates a mounted Secret (an atomic swap of the `..data` symlink).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/checks/defaults.js';
import { startServer } from '../../src/server.js';
import {
  createCertificateAuthority,
  issueServingCertificate,
  type IssuedCertificate,
} from '../../src/tls/certificates.js';
import { echoedUid, postOverTls, writeSecretVolume } from '../../test/support/tls-client.js';
import { fixtureSource } from '../../test/support/webhook.js';
import type { SoakRow } from './table.js';

/** One review over a new connection (a full handshake), verified against `ca`: answered with its uid? */
async function reviewOnNewConnection(port: number, ca: string, uid: string): Promise<boolean> {
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
  try {
    const answer = await postOverTls({ port, ca, body });
    return answer.status === 200 && echoedUid(answer.text) === uid;
  } catch {
    return false;
  }
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
  await writeSecretVolume(dir, 0, certs[0] as IssuedCertificate);
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
    await writeSecretVolume(dir, g, certs[g] as IssuedCertificate);
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
