/**
 * From findings to a decision: severities from configuration, the
 * namespace's enforcement mode, escalation for chosen requesters (GitOps
 * controllers do not show warnings), and the audited break-glass override.
 * A change is denied iff a finding ends with severity `deny`.
 */
import type { EscalationRule, PreflightConfig } from '../model/config.js';
import type {
  CheckFinding,
  Decision,
  Enforcement,
  Finding,
  PolicyChange,
  RuleId,
  Severity,
} from '../model/findings.js';
import { ENFORCEMENT_LABEL, OVERRIDE_ANNOTATION } from '../model/findings.js';
import type { ClusterSnapshot } from '../model/records.js';
import { findNamespace } from '../model/records.js';
import type { CheckState, ContextOptions } from './context.js';
import { buildCheckContext, prepareCheckState } from './context.js';
import { withSeverity } from './lazy-fix.js';
import { clip } from './messages.js';
import { isNoopUpdate } from './noop-update.js';
import { CHECKS } from './registry.js';

export interface Requester {
  readonly username: string;
  readonly groups: readonly string[];
}

const SEVERITY_ORDER: Record<Severity, number> = { deny: 0, warn: 1, info: 2 };

export function namespaceEnforcement(snapshot: ClusterSnapshot, namespace: string): Enforcement {
  const value = findNamespace(snapshot, namespace)?.labels[ENFORCEMENT_LABEL];
  return value === 'warn' || value === 'off' ? value : 'enforce';
}

function escalatedRules(rules: readonly EscalationRule[], requester: Requester | null): Set<RuleId> {
  const out = new Set<RuleId>();
  if (!requester) return out;
  for (const e of rules) {
    const applies =
      e.users.includes(requester.username) || e.groups.some((g) => requester.groups.includes(g));
    if (applies) for (const r of e.rules) out.add(r);
  }
  return out;
}

function overrideReason(change: PolicyChange): string | null {
  const policy = change.operation === 'DELETE' ? change.oldObject : change.object;
  const reason = policy?.annotations[OVERRIDE_ANNOTATION]?.trim();
  return reason ? reason : null;
}

/** Places one rule reports in a decision; past that, one finding counts the rest. */
export const MAX_FINDINGS_PER_RULE = 20;
/** Denials quoted in a denial message; the rest are counted. */
const MAX_DENIALS_IN_MESSAGE = 5;

/**
 * A policy may repeat one mistake thousands of times: the first places are reported, the rest
 * counted, so that a decision (kept in the review cache) and its messages stay small.
 */
function boundFindings(rule: RuleId, findings: readonly CheckFinding[]): readonly CheckFinding[] {
  if (findings.length <= MAX_FINDINGS_PER_RULE) return findings;
  const kept = findings.slice(0, MAX_FINDINGS_PER_RULE - 1);
  const more = findings.length - kept.length;
  return [
    ...kept,
    { rule, message: `${rule}: ${more} more places with the same kind of problem`, subjects: [] },
  ];
}

function denyMessageOf(change: PolicyChange, denials: readonly Finding[]): string {
  const quoted = denials.slice(0, MAX_DENIALS_IN_MESSAGE).map((f) => `[${f.rule}] ${f.message}`);
  const more = denials.length - quoted.length;
  const what = `${quoted.join('; ')}${more > 0 ? ` (+${more} more)` : ''}`;
  return (
    `netpol-preflight denied ${change.operation} of NetworkPolicy ${change.namespace}/${change.name}: ${what}. ` +
    `Run \`netpol-preflight check\` for the ready-to-apply fix, or set the annotation ${OVERRIDE_ANNOTATION} ` +
    'on the policy to override (audited).'
  );
}

/**
 * Decides one change. `state` is the cluster snapshot, or a CheckState
 * prepared from it (and the same configuration) to reuse across changes.
 */
export function decideChange(
  state: ClusterSnapshot | CheckState,
  change: PolicyChange,
  config: PreflightConfig,
  requester: Requester | null = null,
  options: ContextOptions = {},
): Decision {
  const snapshot = 'kind' in state ? state.snapshot : state;
  const enforcement = namespaceEnforcement(snapshot, change.namespace);
  const reason = overrideReason(change);
  if (enforcement === 'off' || isNoopUpdate(change)) {
    return {
      allowed: true,
      findings: [],
      warnings: [],
      denyMessage: null,
      enforcement,
      overrideReason: reason,
      escalated: [],
    };
  }
  const prepared = 'kind' in state && state.config === config ? state : prepareCheckState(snapshot, config);
  const ctx = buildCheckContext(prepared, change, options);
  const escalate = escalatedRules(config.escalate, requester);
  const escalated = new Set<RuleId>();
  const findings: Finding[] = [];
  for (const check of CHECKS) {
    const setting = config.rules[check.id];
    if (setting === 'off' || (check.reportsLossesOnly && ctx.model.takesNothingAway)) continue;
    ctx.model.checkpoint(check.id);
    for (const f of boundFindings(check.id, check.run(ctx))) {
      let severity: Severity = setting;
      if (severity === 'warn' && escalate.has(check.id)) {
        severity = 'deny';
        escalated.add(check.id);
      }
      if (severity === 'deny' && (enforcement === 'warn' || reason !== null)) severity = 'warn';
      findings.push(withSeverity(f, severity));
    }
  }
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const denials = findings.filter((f) => f.severity === 'deny');
  const warnings = findings.filter((f) => f.severity !== 'info').map((f) => f.message);
  if (reason !== null) warnings.unshift(clip(`override: ${OVERRIDE_ANNOTATION}="${reason}" (audited)`));
  if (enforcement === 'warn' && findings.length > 0) {
    warnings.push(
      clip(`namespace ${change.namespace} is in warn mode (${ENFORCEMENT_LABEL}=warn): nothing is denied`),
    );
  }
  return {
    allowed: denials.length === 0,
    findings,
    warnings,
    denyMessage: denials.length > 0 ? denyMessageOf(change, denials) : null,
    enforcement,
    overrideReason: reason,
    escalated: [...escalated],
  };
}
