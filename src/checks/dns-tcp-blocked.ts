/**
 * dns-tcp-blocked: UDP DNS still works but TCP DNS to every endpoint is
 * lost, so answers larger than a UDP datagram (truncated, TC bit) fail.
 */
import type { CheckFinding } from '../model/findings.js';
import type { EndpointClass } from '../semantics/classes.js';
import type { CheckContext, Check } from './context.js';
import { withFix } from './lazy-fix.js';
import { allowDnsEgressFix, dnsAffectedClasses } from './dns-fix.js';
import { reachesDns } from './dns.js';
import { bulletList, messageWithSubjects } from './messages.js';

function run(ctx: CheckContext): CheckFinding[] {
  const lost: EndpointClass[] = [];
  for (const c of dnsAffectedClasses(ctx)) {
    ctx.model.checkpoint('dns');
    const { before, after } = ctx.model;
    if (
      reachesDns(after, ctx.dns, c, 'UDP') &&
      reachesDns(before, ctx.dns, c, 'TCP') &&
      !reachesDns(after, ctx.dns, c, 'TCP')
    ) {
      lost.push(c);
    }
  }
  if (lost.length === 0) return [];
  const subjects = ctx.endpointIds(lost);
  const fix = lost.every((c) => c.namespace === ctx.change.namespace) ? allowDnsEgressFix(ctx) : null;
  return [
    withFix(
      {
        rule: 'dns-tcp-blocked',
        message: messageWithSubjects(
          `${ctx.policyRef} blocks DNS over TCP for `,
          subjects,
          '; large DNS answers will fail, allow TCP 53 too',
        ),
        subjects,
        detail:
          'UDP DNS still works, but TCP to every DNS endpoint is now blocked. Resolvers retry over TCP when ' +
          `an answer is truncated, so those lookups fail:\n${bulletList(subjects)}`,
      },
      fix,
    ),
  ];
}

export const dnsTcpBlocked: Check = {
  id: 'dns-tcp-blocked',
  defaultSeverity: 'warn',
  summary: 'UDP DNS still works but TCP DNS to every endpoint is lost (large answers fail)',
  reportsLossesOnly: true,
  run,
};
