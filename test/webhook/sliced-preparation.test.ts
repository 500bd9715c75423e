/**
 * Preparing the analysis state in slices (Reviewer.warmSteps): until the new state is ready,
 * reviews keep using the latest prepared one, however old, instead of preparing on the review
 * path; and a change admitted meanwhile is not lost when the slices finish.
 */
import t from 'tap';
import type { CheckState } from '../../src/checks/context.js';
import { decideChange } from '../../src/checks/decide.js';
import { checkAdmissionReview } from '../../src/webhook/admission-review-schema.js';
import type { AdmissionRequest } from '../../src/webhook/admission-review.js';
import { drain } from '../../src/semantics/steps.js';
import { DEFAULT_OVERLAY_TTL_MS } from '../../src/webhook/overlay.js';
import { createReviewer, type DecideFn, type Reviewer } from '../../src/webhook/review-handler.js';
import {
  changingSource,
  configWith,
  DENY_ALL_EGRESS,
  freshNamespaceStates,
  policyReview,
} from '../support/webhook.js';

function requestOf(review: Record<string, unknown>): AdmissionRequest {
  const checked = checkAdmissionReview(review);
  if (!checked.ok) throw new Error(`test review is invalid: ${JSON.stringify(checked.issues)}`);
  return checked.review.request;
}

interface Harness {
  readonly reviewer: Reviewer;
  /** Moves the cluster to the second version (a pod in `fresh`). */
  addPod(): void;
  advance(ms: number): void;
  /** The state each analysis ran against, in order. */
  readonly analysed: CheckState[];
}

function harness(): Harness {
  const { empty, withPod } = freshNamespaceStates();
  const { source, moveTo } = changingSource(empty);
  let clock = 0;
  const analysed: CheckState[] = [];
  const decide: DecideFn = (state, change, config, requester, options) => {
    if ('kind' in state) analysed.push(state);
    return decideChange(state, change, config, requester, options);
  };
  const reviewer = createReviewer({
    config: configWith(),
    source,
    decide,
    now: () => clock,
    cacheSize: 0,
    overlayTtlMs: DEFAULT_OVERLAY_TTL_MS,
    maxStateAgeMs: 5_000,
  });
  return {
    reviewer,
    addPod: () => moveTo(withPod),
    advance: (ms) => {
      clock += ms;
    },
    analysed,
  };
}

const denyEgressIn = (namespace: string, name: string, uid: string, dryRun: boolean): AdmissionRequest =>
  requestOf(policyReview('CREATE', namespace, name, { after: DENY_ALL_EGRESS }, { uid, dryRun }));

t.test(
  'while a newer state is prepared in slices, reviews use the latest one, past maxStateAgeMs',
  async (t) => {
    const h = harness();
    drain(h.reviewer.warmSteps());
    h.addPod();
    h.advance(6_000);
    const steps = h.reviewer.warmSteps();
    t.equal(steps.next().done, false, 'the preparation of the new state has started, not finished');

    const during = h.reviewer.review(denyEgressIn('fresh', 'p', 'a', true), 0);
    t.equal(during.response.allowed, true, 'judged against the old state: no pod in `fresh` to break');
    t.match((during.response.warnings ?? []).join('\n'), /selects no pod/);
    t.notOk(
      h.analysed.at(-1)?.snapshot.pods.some((p) => p.namespace === 'fresh'),
      'the old state, not one prepared on the review path',
    );

    for (let r = steps.next(); r.done !== true; r = steps.next());
    const after = h.reviewer.review(denyEgressIn('fresh', 'p', 'b', true), 0);
    t.equal(after.response.allowed, false, 'the new state is in use: the new pod would lose DNS');
  },
);

t.test('a change admitted while a state is prepared in slices is not lost when they finish', async (t) => {
  const h = harness();
  drain(h.reviewer.warmSteps());
  h.addPod();
  h.advance(6_000);
  const steps = h.reviewer.warmSteps();
  steps.next();
  // Admitted (no pod in `fresh` in the old state) and not a dry run: it enters the overlay.
  const admitted = h.reviewer.review(
    requestOf(
      policyReview(
        'CREATE',
        'fresh',
        'allow-all',
        { after: { podSelector: {}, policyTypes: ['Ingress'] } },
        {
          uid: 'c',
          dryRun: false,
        },
      ),
    ),
    0,
  );
  t.equal(admitted.response.allowed, true);
  t.equal(admitted.summary.recorded, true, 'recorded for read-your-writes');

  for (let r = steps.next(); r.done !== true; r = steps.next());
  h.reviewer.review(denyEgressIn('fresh', 'q', 'd', true), 0);
  const state = h.analysed.at(-1);
  t.ok(
    state?.snapshot.policies.some((p) => p.namespace === 'fresh' && p.name === 'allow-all'),
    'the next review sees the change admitted during the preparation',
  );
});
