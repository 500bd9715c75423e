/**
 * SIGTERM under load on the real `serve` (examples/cluster) in a child process: every review
 * sent is answered with its own uid, new connections are refused after the drain, the process
 * exits 0 within the grace period.
 */
import { Agent } from 'node:https';
import { spawnJsServer } from '../../test/support/serve-child.js';
import { echoedUid, postOverTls, TlsPostError } from '../../test/support/tls-client.js';
import type { SoakRow } from './table.js';

const GRACE_PERIOD_MS = 30_000;

type Outcome = 'answered' | 'refused' | 'lost';

async function post(port: number, agent: Agent, uid: string): Promise<Outcome> {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' },
      resource: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
      namespace: 'shop',
      name: `p-${uid}`,
      operation: 'CREATE',
      userInfo: { username: 'soak' },
      dryRun: true,
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: `p-${uid}`, namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'cart' } }, policyTypes: ['Ingress'], ingress: [{}] },
      },
    },
  });
  try {
    const answer = await postOverTls({ port, agent, body });
    return answer.status === 200 && echoedUid(answer.text) === uid ? 'answered' : 'lost';
  } catch (error) {
    return error instanceof TlsPostError && error.refused ? 'refused' : 'lost';
  }
}

export async function runShutdownPhase(repo: string, clients: number, loadMs: number): Promise<SoakRow> {
  const server = await spawnJsServer(`${repo}dist/cli/main.js`, [
    'serve',
    '--state',
    `${repo}examples/cluster`,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
  ]);
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const outcomes: Outcome[] = [];
  let n = 0;
  const client = async (): Promise<void> => {
    for (;;) {
      const outcome = await post(server.port, agent, `term-${n++}`);
      outcomes.push(outcome);
      if (outcome !== 'answered') return;
    }
  };
  const running = Array.from({ length: clients }, client);
  await new Promise((r) => setTimeout(r, loadMs));
  const sentAt = Date.now();
  server.child.kill('SIGTERM');
  const code = await Promise.race([
    server.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), GRACE_PERIOD_MS).unref()),
  ]);
  const exitMs = Date.now() - sentAt;
  if (code === 'hung') server.child.kill('SIGKILL');
  await Promise.all(running);
  agent.destroy();
  const count = (o: Outcome): number => outcomes.filter((x) => x === o).length;
  const ok = code === 0 && count('lost') === 0 && count('refused') === clients;
  return {
    phase: 'SIGTERM under load',
    requests: outcomes.length,
    errors: count('lost'),
    non2xx: null,
    p99Ms: null,
    rssStartMb: null,
    rssEndMb: null,
    faults: 1,
    converged: null,
    ok,
    notes:
      `${clients} keep-alive clients, SIGTERM after ${loadMs} ms: ${count('answered')} answered, ` +
      `${count('lost')} lost, ${count('refused')} new connections refused; exit code ${String(code)} after ${exitMs} ms ` +
      `(grace period ${GRACE_PERIOD_MS / 1000} s)`,
  };
}
