/**
 * Everything a check may look at for one change: the state before, the
 * change, the shared class index with before/after evaluators, the impact
 * (connections that lose something), and the cluster DNS endpoints.
 */
import type { PreflightConfig } from '../model/config.js';
import type { CheckFinding, PolicyChange, RuleId, Severity } from '../model/findings.js';
import type { ClusterSnapshot } from '../model/records.js';
import type { EndpointClass } from '../semantics/classes.js';
import type { ChangeModel, ImpactEntry } from '../semantics/impact.js';
import type { PreparedState } from '../semantics/impact.js';
import {
  buildChangeModel,
  computeImpact,
  derivePreparedState,
  prepareStateSteps,
} from '../semantics/impact.js';
import type { Interrupt } from '../semantics/interrupt.js';
import { NEVER_INTERRUPT } from '../semantics/interrupt.js';
import type { Steps } from '../semantics/steps.js';
import { drain } from '../semantics/steps.js';
import type { ClassIndex } from '../semantics/classes.js';
import type { CniStatus } from './cni-not-enforcing.js';
import { detectCni } from './cni-not-enforcing.js';
import type { DnsPlan, DnsTarget } from './dns.js';
import { planDns, resolveDnsTargets } from './dns.js';

export interface CheckContext {
  readonly change: PolicyChange;
  /** The state before the change. */
  readonly snapshot: ClusterSnapshot;
  readonly config: PreflightConfig;
  readonly model: ChangeModel;
  /** The connections the change takes something from (computeImpact with `lossesOnly`). */
  readonly impact: readonly ImpactEntry[];
  readonly dns: readonly DnsTarget[];
  /** `ns/name` of the changed policy. */
  readonly policyRef: string;
  /** The CNI seen in the state (its DaemonSets). */
  readonly cni: CniStatus;
  /**
   * The caller's interrupt, for checks whose loops grow with the size of the policy (poll
   * with pollEvery); `model.checkpoint(stage)` polls it once.
   */
  readonly interrupt: Interrupt;
  /** Sorted, de-duplicated endpoint ids of the given classes. */
  endpointIds(classes: Iterable<EndpointClass>): string[];
}

/** One rule of the catalog. */
export interface Check {
  readonly id: RuleId;
  readonly defaultSeverity: Severity;
  /** One line for the rule catalog. */
  readonly summary: string;
  /**
   * True for a rule that reports only what the change takes away (connections, DNS, every allow of
   * a direction): it is not run for a change that takes nothing away (ChangeModel.takesNothingAway).
   */
  readonly reportsLossesOnly: boolean;
  run(ctx: CheckContext): CheckFinding[];
}

export interface ContextOptions {
  /** Polled during the analysis; when it returns true the analysis throws AnalysisInterruptedError. */
  readonly interrupt?: Interrupt;
}

/**
 * What the checks derive once from a snapshot and a configuration: the
 * prepared engine state (class index, compiled policies, policy model), the
 * cluster DNS endpoints, and the DaemonSets (for the CNI rule). Reused by
 * every change analysed against the same state.
 */
export interface CheckState {
  readonly kind: 'check-state';
  readonly snapshot: ClusterSnapshot;
  readonly config: PreflightConfig;
  readonly prepared: PreparedState;
  readonly dnsPlan: DnsPlan;
  readonly cni: CniStatus;
  /** DNS targets resolved per class index (the prepared one, or one rebuilt for a change). */
  dnsTargets(index: ClassIndex): readonly DnsTarget[];
}

export function prepareCheckState(snapshot: ClusterSnapshot, config: PreflightConfig): CheckState {
  return drain(prepareCheckStateSteps(snapshot, config));
}

/**
 * prepareCheckState in slices (see semantics/steps.ts): the webhook runs it a few milliseconds
 * at a time, so that preparing a large cluster does not hold up the reviews in the meantime.
 */
export function* prepareCheckStateSteps(
  snapshot: ClusterSnapshot,
  config: PreflightConfig,
): Steps<CheckState> {
  const dnsPlan = planDns(snapshot, config.dns);
  yield;
  const prepared = yield* prepareStateSteps(snapshot, { extraEndpoints: dnsPlan.assumedEndpoints });
  yield* prepared.model.warmSteps();
  const targets = new WeakMap<ClassIndex, readonly DnsTarget[]>();
  return {
    kind: 'check-state',
    snapshot,
    config,
    prepared,
    dnsPlan,
    cni: detectCni(snapshot),
    dnsTargets(index) {
      let t = targets.get(index);
      if (!t) {
        t = resolveDnsTargets(dnsPlan, index);
        targets.set(index, t);
      }
      return t;
    },
  };
}

/** The check state after one admitted policy change (see derivePreparedState). */
export function deriveCheckState(state: CheckState, change: PolicyChange): CheckState {
  const prepared = derivePreparedState(state.prepared, {
    namespace: change.namespace,
    name: change.name,
    before: change.oldObject,
    after: change.operation === 'DELETE' ? null : change.object,
  });
  return { ...state, snapshot: prepared.snapshot, prepared };
}

export function buildCheckContext(
  state: CheckState,
  change: PolicyChange,
  options: ContextOptions = {},
): CheckContext {
  const model = buildChangeModel(
    state.prepared,
    { namespace: change.namespace, name: change.name, before: change.oldObject, after: change.object },
    options.interrupt ? { interrupt: options.interrupt } : {},
  );
  return new ChangeCheckContext(
    change,
    state,
    model,
    state.dnsTargets(model.index),
    options.interrupt ?? NEVER_INTERRUPT,
  );
}

/**
 * The impact is computed on first read. A class, so that the getter is on the prototype: an own
 * accessor would give every context a hidden class of its own that keeps the whole analysis alive
 * until a full collection (test/checks/per-analysis-objects.test.ts).
 */
class ChangeCheckContext implements CheckContext {
  readonly snapshot: ClusterSnapshot;
  readonly config: PreflightConfig;
  readonly cni: CniStatus;
  readonly policyRef: string;
  #impact: readonly ImpactEntry[] | null = null;

  constructor(
    readonly change: PolicyChange,
    state: CheckState,
    readonly model: ChangeModel,
    readonly dns: readonly DnsTarget[],
    readonly interrupt: Interrupt,
  ) {
    this.snapshot = state.snapshot;
    this.config = state.config;
    this.cni = state.cni;
    this.policyRef = `${change.namespace}/${change.name}`;
  }

  get impact(): readonly ImpactEntry[] {
    this.#impact ??= computeImpact(this.model, { lossesOnly: true });
    return this.#impact;
  }

  endpointIds(classes: Iterable<EndpointClass>): string[] {
    const ids = new Set<string>();
    for (const c of classes) for (const e of this.model.index.endpointsOfClass.get(c.id) ?? []) ids.add(e.id);
    return [...ids].sort();
  }
}
