/**
 * One admission review, start to finish, without HTTP: triage, read the
 * change, answer from the cache or analyse it within the deadline against the
 * state (source snapshot plus the read-your-writes overlay), shape the answer,
 * and record admitted changes in the overlay. `review` never throws: any
 * failure becomes the configured failure-mode answer, with the request's uid.
 */
import type { PreflightConfig } from '../model/config.js';
import type { Decision, PolicyChange, RuleId, Severity } from '../model/findings.js';
import { OVERRIDE_ANNOTATION } from '../model/findings.js';
import type { ClusterSnapshot } from '../model/records.js';
import type { ContextOptions } from '../checks/context.js';
import type { CheckState } from '../checks/context.js';
import { deriveCheckState, prepareCheckState, prepareCheckStateSteps } from '../checks/context.js';
import type { Requester } from '../checks/decide.js';
import { AnalysisInterruptedError } from '../checks/interrupt.js';
import type { ClusterStateSource } from '../cluster/state-source.js';
import { formatFieldIssue } from '../parse/issues.js';
import type { Steps } from '../semantics/steps.js';
import { readPolicyChange, triageRequest, type SkipReason } from './admission-change.js';
import {
  allowResponse,
  denyResponse,
  type AdmissionOperation,
  type AdmissionRequest,
  type AdmissionResponse,
} from './admission-review.js';
import { PolicyReader } from './policy-reader.js';
import { applyOverlay, EMPTY_OVERLAY, pruneOverlay, recordAdmittedChange, type Overlay } from './overlay.js';
import { computeReviewCacheKey, escalationIdentity, ReviewCache } from './review-cache.js';
import { budgetWarnings, normalizeWarning } from './warnings.js';

/** decideChange's signature (tests substitute a spy or a failing function). */
export type DecideFn = (
  state: ClusterSnapshot | CheckState,
  change: PolicyChange,
  config: PreflightConfig,
  requester: Requester | null,
  options: ContextOptions,
) => Decision;

export interface ReviewerOptions {
  readonly config: PreflightConfig;
  readonly source: ClusterStateSource;
  readonly decide: DecideFn;
  /** Milliseconds on a monotonic clock (deadlines, overlay TTL, durations). */
  readonly now: () => number;
  readonly cacheSize: number;
  readonly overlayTtlMs: number;
  /**
   * How old (ms) the prepared analysis state may be when the cluster state has
   * changed since (pods come and go): reviews reuse it rather than preparing a
   * new one on the review path. Changes admitted through this webhook (the
   * overlay) always get a fresh one. 0: always fresh.
   */
  readonly maxStateAgeMs: number;
}

export const DEFAULT_MAX_STATE_AGE_MS = 10_000;

/** Admitted changes applied to a prepared state by derivation before it is prepared afresh. */
const MAX_DERIVATIONS = 32;

/**
 * What became of a review (metrics label `decision`):
 * `allowed` (no warning), `warned` (allowed with warnings), `denied`, `skipped` (allowed at once,
 * see SkipReason), `invalid` (denied: the object would not pass API validation), `failed-open` /
 * `failed-closed` (the analysis failed or ran out of time: answered per `failureMode`).
 */
export type ReviewVerdict =
  'allowed' | 'warned' | 'denied' | 'skipped' | 'invalid' | 'failed-open' | 'failed-closed';

export type CacheUse = 'hit' | 'miss' | 'none';

export type FailureCause = 'deadline' | 'internal-error';

export interface ReviewFailure {
  readonly cause: FailureCause;
  readonly error: Error;
}

/** Everything the log line and the metrics need about one review; never whole objects. */
export interface ReviewSummary {
  readonly uid: string;
  readonly operation: AdmissionOperation;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly user: string;
  readonly dryRun: boolean;
  readonly verdict: ReviewVerdict;
  readonly skipReason: SkipReason | null;
  readonly findings: readonly { readonly rule: RuleId; readonly severity: Severity }[];
  readonly escalated: readonly RuleId[];
  readonly overrideReason: string | null;
  readonly cache: CacheUse;
  readonly failure: ReviewFailure | null;
  /** `<source version>.<overlay generation>`. */
  readonly stateVersion: string;
  /** True when the change was recorded in the read-your-writes overlay. */
  readonly recorded: boolean;
  readonly notes: readonly string[];
  readonly durationMs: number;
}

export interface ReviewOutcome {
  readonly response: AdmissionResponse;
  readonly summary: ReviewSummary;
}

export interface Reviewer {
  /** Answers one request received at `receivedAt` (on the `now` clock). Never throws. */
  review(request: AdmissionRequest, receivedAt: number): ReviewOutcome;
  /** The current read-your-writes overlay. */
  overlay(): Overlay;
  /**
   * Prepares the analysis state (class index, policy model, DNS endpoints) for the current
   * cluster state, in slices (see semantics/steps.ts), so that reviews do not pay for it. Until
   * it is done, reviews keep using the latest prepared state, however old; a change admitted
   * meanwhile keeps it as the latest.
   */
  warmSteps(): Steps<void>;
  /** True once an analysis state has been prepared (by warm or by a review). */
  prepared(): boolean;
}

const MAX_INVALID_ISSUES = 5;

export function createReviewer(options: ReviewerOptions): Reviewer {
  const { config, source, decide, now } = options;
  const cache = new ReviewCache<Decision>(options.cacheSize);
  // A cached decision stands for at most two objects (the new and the old policy).
  const reader = new PolicyReader(2 * options.cacheSize);
  let overlay: Overlay = EMPTY_OVERLAY;
  let effective: { base: ClusterSnapshot; overlay: Overlay; snapshot: ClusterSnapshot } | null = null;
  // The prepared analysis state of a snapshot is reused by every review of that snapshot, and,
  // within maxStateAgeMs and with the same overlay, by reviews of later snapshots.
  // Each prepared state has a generation: the review cache keys on it, so an answer computed
  // from a state is reused exactly while that state is.
  interface Prepared {
    readonly state: CheckState;
    readonly generation: number;
  }
  const prepared = new WeakMap<ClusterSnapshot, Prepared>();
  let generations = 0;
  /** The latest prepared state, when, and the source snapshot (before the overlay) it came from. */
  let latest: { prepared: Prepared; at: number; derivations: number; base: ClusterSnapshot } | null = null;
  /** Keeps a state prepared for `snapshot` (from the source's `base`), as the latest unless told not to. */
  function keep(
    snapshot: ClusterSnapshot,
    base: ClusterSnapshot,
    state: CheckState,
    asLatest = true,
  ): Prepared {
    const p = { state, generation: ++generations };
    prepared.set(snapshot, p);
    if (asLatest) latest = { prepared: p, at: now(), derivations: 0, base };
    return p;
  }
  /** True while warmSteps is preparing a newer state, a slice at a time. */
  let warming = false;
  /**
   * The latest prepared state when a review may use it: it is at most maxStateAgeMs old, or a
   * newer one is being prepared (preparing on the review path as well would hold every review
   * up for the whole preparation); null otherwise.
   */
  const usableLatest = (): typeof latest =>
    latest !== null && (warming || now() - latest.at <= options.maxStateAgeMs) ? latest : null;
  function preparedFor(snapshot: ClusterSnapshot, base: ClusterSnapshot): Prepared {
    // latest includes every change admitted since it was prepared (recordAdmitted derives it).
    return (
      prepared.get(snapshot) ??
      usableLatest()?.prepared ??
      keep(snapshot, base, prepareCheckState(snapshot, config))
    );
  }
  /**
   * The source's snapshot a review reads. The source builds a new one whenever its version moved
   * (0.4 s at 150,000 pods; on a busy cluster, at every review): while the latest prepared state
   * may be used, the snapshot it was prepared from is read instead, and the background
   * preparation picks up the new version.
   */
  function baseForReview(): ClusterSnapshot {
    return usableLatest()?.base ?? source.snapshot();
  }
  function* warmSteps(): Steps<void> {
    const base = source.snapshot();
    const snapshot = effectiveSnapshot(base);
    if (prepared.has(snapshot)) return;
    const overlayAtStart = overlay;
    warming = true;
    try {
      const state = yield* prepareCheckStateSteps(snapshot, config);
      // A change admitted meanwhile is in latest (derived from it) but not in this state.
      keep(snapshot, base, state, overlay === overlayAtStart);
    } finally {
      warming = false;
    }
  }

  function effectiveSnapshot(base: ClusterSnapshot): ClusterSnapshot {
    if (overlay.entries.size === 0) return base;
    if (effective?.base !== base || effective.overlay !== overlay) {
      effective = { base, overlay, snapshot: applyOverlay(base, overlay) };
    }
    return effective.snapshot;
  }

  function review(request: AdmissionRequest, receivedAt: number): ReviewOutcome {
    const requester: Requester = {
      username: request.userInfo.username ?? '',
      groups: request.userInfo.groups ?? [],
    };
    const summary: MutableSummary = {
      uid: request.uid,
      operation: request.operation,
      kind: `${request.kind.group}/${request.kind.kind}`,
      namespace: request.namespace ?? '',
      name: request.name ?? '',
      user: requester.username,
      dryRun: request.dryRun === true,
      verdict: 'allowed',
      skipReason: null,
      findings: [],
      escalated: [],
      overrideReason: null,
      cache: 'none',
      failure: null,
      stateVersion: '',
      recorded: false,
      notes: [],
      durationMs: 0,
    };
    let change: PolicyChange | null = null;
    const finish = (response: AdmissionResponse): ReviewOutcome => {
      summary.durationMs = now() - receivedAt;
      return { response, summary };
    };
    try {
      const base = baseForReview();
      overlay = pruneOverlay(overlay, base, now(), options.overlayTtlMs);
      summary.stateVersion = `${source.version()}.${overlay.generation}`;
      const skip = triageRequest(request, base);
      if (skip !== null) return finish(skipped(summary, skip));
      // the state as this review must see it: the source plus changes admitted a moment ago
      const state = effectiveSnapshot(base);
      const read = readPolicyChange(request, state, reader);
      if (read.kind === 'skip') return finish(skipped(summary, read.reason));
      if (read.kind === 'invalid') {
        summary.verdict = 'invalid';
        const shown = read.issues.slice(0, MAX_INVALID_ISSUES).map(formatFieldIssue);
        const more = read.issues.length - shown.length;
        return finish(
          denyResponse(
            request.uid,
            `NetworkPolicy ${read.namespace}/${read.name} is invalid: ${shown.join('; ')}${more > 0 ? ` (+${more} more)` : ''}`,
          ),
        );
      }
      change = read.change;
      summary.namespace = change.namespace;
      summary.name = change.name;
      summary.notes = read.notes;
      const analysisState = preparedFor(state, base);
      summary.stateVersion = `${summary.stateVersion}/${analysisState.generation}`;
      const key = computeReviewCacheKey({
        operation: change.operation,
        object: change.object,
        oldObject: change.oldObject,
        escalation: escalationIdentity(config.escalate, requester),
        stateVersion: String(analysisState.generation),
      });
      let decision = cache.get(key);
      summary.cache = decision ? 'hit' : 'miss';
      if (!decision) {
        const deadlineAt = receivedAt + config.deadlineMs;
        if (now() >= deadlineAt) throw new AnalysisInterruptedError('queue');
        decision = decide(analysisState.state, change, config, requester, {
          interrupt: () => now() >= deadlineAt,
        });
        cache.set(key, decision);
      }
      const response = answerDecision(request.uid, decision, summary);
      if (decision.allowed) recordAdmitted(change, summary);
      return finish(response);
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      summary.failure = {
        cause: error instanceof AnalysisInterruptedError ? 'deadline' : 'internal-error',
        error,
      };
      const failed = answerFailure(config, request.uid, summary.failure.cause);
      summary.verdict = failed.verdict;
      const response = failed.response;
      if (response.allowed && change !== null) recordAdmitted(change, summary);
      return finish(response);
    }
  }

  function recordAdmitted(change: PolicyChange, summary: MutableSummary): void {
    if (summary.dryRun) return;
    overlay = recordAdmittedChange(overlay, change, now());
    summary.recorded = true;
    // The next review must see this change: derive the prepared state rather than prepare anew,
    // up to a bounded chain of derivations (each keeps its base alive and adds a lookup level).
    if (latest && latest.derivations < MAX_DERIVATIONS) {
      latest = {
        prepared: { state: deriveCheckState(latest.prepared.state, change), generation: ++generations },
        at: latest.at,
        derivations: latest.derivations + 1,
        base: latest.base,
      };
    } else {
      latest = null;
    }
  }

  return {
    review,
    overlay: () => overlay,
    warmSteps,
    prepared: () => generations > 0,
  };
}

/**
 * The answer when a review cannot be analysed (deadline, internal error), per `failureMode`:
 * `allow-with-warning` allows with a warning that says so; `deny` denies with code 504 (deadline)
 * or 500 (internal error).
 */
export function answerFailure(
  config: PreflightConfig,
  uid: string,
  cause: FailureCause,
): { readonly response: AdmissionResponse; readonly verdict: 'failed-open' | 'failed-closed' } {
  const what =
    cause === 'deadline'
      ? `analysis did not finish within ${config.deadlineMs} ms`
      : 'internal error during analysis (see the webhook log)';
  if (config.failureMode === 'allow-with-warning') {
    return {
      verdict: 'failed-open',
      response: allowResponse(uid, {
        warnings: [
          normalizeWarning(`netpol-preflight: ${what}; allowed unchecked (failureMode allow-with-warning)`),
        ],
      }),
    };
  }
  return {
    verdict: 'failed-closed',
    response: denyResponse(
      uid,
      `netpol-preflight: ${what}; denied (failureMode deny). Retry, or run \`netpol-preflight check\` on the change.`,
      {},
      cause === 'deadline' ? { code: 504, reason: 'Timeout' } : { code: 500, reason: 'InternalError' },
    ),
  };
}

type MutableSummary = { -readonly [K in keyof ReviewSummary]: ReviewSummary[K] };

function skipped(summary: MutableSummary, reason: SkipReason): AdmissionResponse {
  summary.verdict = 'skipped';
  summary.skipReason = reason;
  return allowResponse(summary.uid);
}

function answerDecision(uid: string, decision: Decision, summary: MutableSummary): AdmissionResponse {
  summary.findings = decision.findings.map((f) => ({ rule: f.rule, severity: f.severity }));
  summary.escalated = decision.escalated;
  summary.overrideReason = decision.overrideReason;
  const warnings = budgetWarnings(decision.warnings, uid);
  const auditAnnotations: Record<string, string> = {};
  if (decision.overrideReason !== null) auditAnnotations['override-reason'] = decision.overrideReason;
  if (decision.escalated.length > 0) auditAnnotations['escalated-rules'] = decision.escalated.join(',');
  if (decision.allowed) {
    summary.verdict = warnings.length > 0 ? 'warned' : 'allowed';
    return allowResponse(uid, { warnings, auditAnnotations });
  }
  summary.verdict = 'denied';
  const denied = decision.findings.filter((f) => f.severity === 'deny').map((f) => f.rule);
  auditAnnotations['denied-rules'] = [...new Set(denied)].join(',');
  const message =
    decision.denyMessage ??
    `netpol-preflight denied the change; set ${OVERRIDE_ANNOTATION} on the policy to override`;
  return denyResponse(uid, message, { warnings, auditAnnotations });
}
