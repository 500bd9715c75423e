/**
 * implicit-ingress-isolation: `policyTypes` is absent, the policy has egress
 * rules and no ingress rules. Kubernetes then defaults policyTypes to
 * [Ingress, Egress], so this "egress-only" policy also denies all ingress to
 * the pods it selects.
 */
import type { CheckFinding } from '../model/findings.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p || p.policyTypes !== null || p.egress.length === 0 || p.ingress.length > 0) return [];
  const subjects = ctx.endpointIds(ctx.model.affected);
  return [
    {
      rule: 'implicit-ingress-isolation',
      message: clip(
        `${ctx.policyRef} has egress rules but no policyTypes: it also blocks all ingress; ` +
          'set policyTypes: [Egress]',
      ),
      subjects,
      detail:
        'Without policyTypes, Kubernetes applies Ingress to every policy and Egress when egress rules exist. ' +
        'This policy has no ingress rules, so it isolates ingress of the pods it selects with nothing allowed. ' +
        'If you meant an egress-only policy, add `policyTypes: [Egress]`.',
      fix: 'spec:\n  policyTypes:\n    - Egress\n',
    },
  ];
}

export const implicitIngressIsolation: Check = {
  id: 'implicit-ingress-isolation',
  defaultSeverity: 'warn',
  summary: 'policyTypes is absent and the policy has only egress rules: it also isolates ingress',
  reportsLossesOnly: false,
  run,
};
