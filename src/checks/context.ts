/**
 * Everything a check may look at for one change: the state before, the
 * change, the shared class index with before/after evaluators, the impact
 * (connections that differ), and the cluster DNS endpoints.
 */
import type { PreflightConfig } from '../model/config.js';
import type { CheckFinding, PolicyChange, RuleId, Severity } from '../model/findings.js';
import type { ClusterSnapshot } from '../model/records.js';
import type { EndpointClass } from '../semantics/classes.js';
import type { CompiledPolicy } from '../semantics/compile.js';
import type { ChangeModel, ImpactEntry } from '../semantics/impact.js';
import { buildChangeModel, computeImpact } from '../semantics/impact.js';
import type { Interrupt } from '../semantics/interrupt.js';
import type { DnsTarget } from './dns.js';
import { planDns, resolveDnsTargets } from './dns.js';

export interface CheckContext {
  readonly change: PolicyChange;
  /** The state before the change. */
  readonly snapshot: ClusterSnapshot;
  readonly config: PreflightConfig;
  readonly model: ChangeModel;
  readonly impact: readonly ImpactEntry[];
  readonly dns: readonly DnsTarget[];
  /** `ns/name` of the changed policy. */
  readonly policyRef: string;
  /** Sorted, de-duplicated endpoint ids of the given classes. */
  endpointIds(classes: Iterable<EndpointClass>): string[];
}

/** One rule of the catalog. */
export interface Check {
  readonly id: RuleId;
  readonly defaultSeverity: Severity;
  /** One line for the rule catalog. */
  readonly summary: string;
  run(ctx: CheckContext): CheckFinding[];
}

export interface ContextOptions {
  readonly compiled?: ReadonlyMap<string, CompiledPolicy>;
  /** Polled during the analysis; when it returns true the analysis throws AnalysisInterruptedError. */
  readonly interrupt?: Interrupt;
}

export function buildCheckContext(
  snapshot: ClusterSnapshot,
  change: PolicyChange,
  config: PreflightConfig,
  options: ContextOptions = {},
): CheckContext {
  const plan = planDns(snapshot, config.dns);
  const model = buildChangeModel(
    snapshot,
    { namespace: change.namespace, name: change.name, before: change.oldObject, after: change.object },
    {
      extraEndpoints: plan.assumedEndpoints,
      ...(options.compiled ? { compiled: options.compiled } : {}),
      ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    },
  );
  let impact: readonly ImpactEntry[] | null = null;
  return {
    change,
    snapshot,
    config,
    model,
    get impact() {
      impact ??= computeImpact(model);
      return impact;
    },
    dns: resolveDnsTargets(plan, model.index),
    policyRef: `${change.namespace}/${change.name}`,
    endpointIds(classes) {
      const ids = new Set<string>();
      for (const c of classes) for (const e of model.endpointsOfClass.get(c.id) ?? []) ids.add(e.id);
      return [...ids].sort();
    },
  };
}
