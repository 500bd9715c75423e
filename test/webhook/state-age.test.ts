/**
 * The prepared analysis state: reused while the cluster state changes (within
 * maxStateAgeMs), prepared afresh once it is older, and always afresh for
 * changes admitted through the webhook (read-your-writes).
 */
import t from 'tap';
import {
  buildTestApp,
  changingSource,
  freshNamespaceStates,
  DENY_ALL_EGRESS,
  policyReview,
  postReview,
} from '../support/webhook.js';

t.test(
  'a changed cluster state reuses the prepared state until it is older than maxStateAgeMs',
  async (t) => {
    const { empty, withPod } = freshNamespaceStates();
    const { source, moveTo } = changingSource(empty);
    let clock = 0;
    const app = buildTestApp({ source, now: () => clock, maxStateAgeMs: 5_000, warmIntervalMs: 0 });
    t.teardown(() => app.close());
    const review = (uid: string) =>
      policyReview('CREATE', 'fresh', 'deny-egress', { after: DENY_ALL_EGRESS }, { uid, dryRun: true });
    const rules = async (uid: string) => (await postReview(app, review(uid))).body.response.warnings ?? [];

    t.match((await rules('a')).join('\n'), /selects no pod/, 'no pod in `fresh` yet');
    moveTo(withPod);
    clock += 1_000;
    t.match((await rules('b')).join('\n'), /selects no pod/, 'within 5 s the prepared state is reused');
    clock += 5_000;
    const fresh = (await postReview(app, review('c'))).body.response;
    t.equal(fresh.allowed, false, 'past 5 s the state is prepared afresh: the new pod loses DNS');
    t.notMatch((fresh.warnings ?? []).join('\n'), /selects no pod/);
  },
);

t.test('maxStateAgeMs 0 always analyses against the current state', async (t) => {
  const { empty, withPod } = freshNamespaceStates();
  const { source, moveTo } = changingSource(empty);
  const app = buildTestApp({ source, maxStateAgeMs: 0, warmIntervalMs: 0 });
  t.teardown(() => app.close());
  const first = await postReview(
    app,
    policyReview('CREATE', 'fresh', 'p', { after: DENY_ALL_EGRESS }, { uid: 'x', dryRun: true }),
  );
  t.equal(first.body.response.allowed, true, 'no pod yet: nothing to break');
  moveTo(withPod);
  const res = await postReview(
    app,
    policyReview('CREATE', 'fresh', 'p', { after: DENY_ALL_EGRESS }, { uid: 'y', dryRun: true }),
  );
  t.equal(res.body.response.allowed, false);
});

t.test("reviews read the prepared state's snapshot while it is fresh, not a rebuilt one", async (t) => {
  // A live source builds a new snapshot whenever its version moved: 0.4 s at 150,000 pods, and
  // on a busy cluster the version moves between any two reviews.
  const { empty, withPod } = freshNamespaceStates();
  const { source, moveTo, reads } = changingSource(empty);
  let clock = 0;
  const app = buildTestApp({ source, now: () => clock, maxStateAgeMs: 5_000, warmIntervalMs: 0 });
  t.teardown(() => app.close());
  const review = (uid: string) =>
    policyReview('CREATE', 'fresh', 'deny-egress', { after: DENY_ALL_EGRESS }, { uid, dryRun: true });

  await postReview(app, review('a'));
  const afterFirst = reads();
  t.ok(afterFirst >= 1, 'the first review reads the source');
  moveTo(withPod);
  for (const uid of ['b', 'c', 'd']) {
    clock += 1_000;
    await postReview(app, review(uid));
  }
  t.equal(reads(), afterFirst, 'within 5 s no review asks the source for a snapshot');
  clock += 5_000;
  const fresh = (await postReview(app, review('e'))).body.response;
  t.ok(reads() > afterFirst, 'past 5 s the review reads the source again');
  t.equal(fresh.allowed, false, 'and sees the new pod');
});
