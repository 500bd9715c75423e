/**
 * isolated-no-allow: the change leaves pods isolated in a direction with
 * nothing allowed at all in that direction, where something was allowed
 * before (a default-deny without a compensating allow). Connections to or
 * from these pods will hang: drops look like timeouts, not refusals.
 */
import type { CheckFinding } from '../model/findings.js';
import type { Direction } from '../model/records.js';
import type { EndpointClass } from '../semantics/classes.js';
import { sideAllowsAnything } from '../semantics/impact.js';
import type { CheckContext, Check } from './context.js';
import { isDnsClass } from './dns.js';
import { bulletList, messageWithSubjects } from './messages.js';

function run(ctx: CheckContext): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const { model } = ctx;
  for (const direction of ['ingress', 'egress'] as const satisfies readonly Direction[]) {
    const cut: EndpointClass[] = [];
    for (const c of model.affected) {
      model.checkpoint('isolation');
      if (c.hostNetwork || isDnsClass(ctx.dns, c)) continue;
      if (!model.after.isIsolated(c, direction)) continue;
      if (sideAllowsAnything(model.after, c, direction)) continue;
      if (!sideAllowsAnything(model.before, c, direction)) continue;
      cut.push(c);
    }
    if (cut.length === 0) continue;
    const subjects = ctx.endpointIds(cut);
    const what = direction === 'ingress' ? 'incoming' : 'outgoing';
    findings.push({
      rule: 'isolated-no-allow',
      message: messageWithSubjects(
        `${ctx.policyRef} leaves `,
        subjects,
        ` with no ${direction} allowed: all ${what} connections will hang`,
      ),
      subjects,
      detail:
        `After this ${ctx.change.operation}, these workloads are isolated for ${direction} and no policy ` +
        `allows any ${direction} traffic for them. Add a policy that allows what they need:\n${bulletList(subjects)}`,
    });
  }
  return findings;
}

export const isolatedNoAllow: Check = {
  id: 'isolated-no-allow',
  defaultSeverity: 'warn',
  summary: 'the change leaves pods isolated in a direction with nothing allowed, where something was before',
  reportsLossesOnly: true,
  run,
};
