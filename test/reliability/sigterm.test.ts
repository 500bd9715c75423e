/**
 * SIGTERM under load, on the real `serve` in a child process (examples/cluster, development
 * certificate): 16 clients keep sending reviews over keep-alive connections; after SIGTERM every
 * review that was sent is answered with its own uid (no reset, no hang-up), answers during the
 * drain say `Connection: close`, new connections are refused once the listener closes, and the
 * process exits 0 well within the pod's grace period (30 s).
 */
import { Agent } from 'node:https';
import t from 'tap';
import { spawnServe, repoPath } from '../support/serve-child.js';
import { echoedUid, postOverTls, TlsPostError } from '../support/tls-client.js';
import { FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

const GRACE_PERIOD_MS = 30_000;

type Outcome =
  | {
      readonly kind: 'answered';
      readonly uid: string;
      readonly ok: boolean;
      readonly close: boolean;
      readonly at: number;
    }
  | { readonly kind: 'refused'; readonly at: number }
  | { readonly kind: 'failed'; readonly error: string; readonly at: number };

async function post(port: number, agent: Agent, uid: string): Promise<Outcome> {
  const body = JSON.stringify(
    policyReview('CREATE', 'shop', `p-${uid}`, { after: FRONTEND_TO_CART }, { uid, dryRun: true }),
  );
  try {
    const answer = await postOverTls({ port, agent, body }); // the development certificate: no CA
    return {
      kind: 'answered',
      uid,
      ok: answer.status === 200 && echoedUid(answer.text) === uid,
      close: answer.headers.connection === 'close',
      at: Date.now(),
    };
  } catch (error) {
    if (error instanceof TlsPostError && error.refused) return { kind: 'refused', at: Date.now() };
    const e = error as NodeJS.ErrnoException;
    return { kind: 'failed', error: `${uid}: ${e.code ?? e.message}`, at: Date.now() };
  }
}

t.test(
  'SIGTERM under load: in-flight reviews answered, new connections refused, exit 0 in time',
  async (t) => {
    const server = await spawnServe(['--state', repoPath('examples/cluster')]);
    t.teardown(() => {
      server.child.kill('SIGKILL');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    t.teardown(() => agent.destroy());
    const outcomes: Outcome[] = [];
    let n = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        const outcome = await post(server.port, agent, `sig-${n++}`);
        outcomes.push(outcome);
        if (outcome.kind !== 'answered') return; // refused: the server is gone
      }
    };
    const clients = Array.from({ length: 16 }, client);
    await new Promise((r) => setTimeout(r, 600));
    const sentAt = Date.now();
    server.child.kill('SIGTERM');
    const code = await Promise.race([
      server.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), GRACE_PERIOD_MS).unref()),
    ]);
    const exitMs = Date.now() - sentAt;
    await Promise.all(clients);

    const answered = outcomes.filter((o) => o.kind === 'answered');
    const after = answered.filter((o) => o.at > sentAt);
    t.comment(
      `${answered.length} reviews answered (${after.length} after SIGTERM), ${outcomes.filter((o) => o.kind === 'refused').length} connections refused, exit after ${exitMs} ms`,
    );
    t.equal(code, 0, 'exit code 0');
    t.ok(exitMs < GRACE_PERIOD_MS, `exited within the grace period (${exitMs} ms)`);
    t.same(
      outcomes.filter((o) => o.kind === 'failed').map((o) => (o.kind === 'failed' ? o.error : '')),
      [],
      'no review lost: no reset, no hang-up, no timeout',
    );
    t.ok(
      answered.every((o) => o.kind === 'answered' && o.ok),
      'every answer is a 200 AdmissionReview with its own uid',
    );
    t.ok(after.length > 0, 'reviews kept being answered during the drain');
    // (the first answers after the signal may have been written before the server read it)
    const closing = after.filter((o) => o.kind === 'answered' && o.close).length;
    t.ok(closing >= after.length / 2, `${closing} of them with Connection: close`);
    t.equal(
      outcomes.filter((o) => o.kind === 'refused').length,
      16,
      'then each client had its new connection refused',
    );
    const log = server.stdout();
    t.match(log, /"msg":"shutting down"/);
    t.match(log, /"msg":"webhook closed"/);
  },
);
