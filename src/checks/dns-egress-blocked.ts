/**
 * dns-egress-blocked: after the change some pod that could resolve names
 * (UDP to a DNS endpoint) can no longer. Egress policies without a DNS rule,
 * deleted or narrowed allow-DNS policies, and policies that isolate the DNS
 * pods' ingress all end here.
 */
import type { CheckFinding } from '../model/findings.js';
import type { EndpointClass } from '../semantics/classes.js';
import type { CheckContext, Check } from './context.js';
import { withFix } from './lazy-fix.js';
import { dnsAffectedClasses, allowDnsEgressFix, allowDnsIngressFix } from './dns-fix.js';
import { reachesDns } from './dns.js';
import { bulletList, messageWithSubjects } from './messages.js';

function run(ctx: CheckContext): CheckFinding[] {
  const lost: EndpointClass[] = [];
  for (const c of dnsAffectedClasses(ctx)) {
    ctx.model.checkpoint('dns');
    if (reachesDns(ctx.model.before, ctx.dns, c, 'UDP') && !reachesDns(ctx.model.after, ctx.dns, c, 'UDP')) {
      lost.push(c);
    }
  }
  if (lost.length === 0) return [];
  const subjects = ctx.endpointIds(lost);
  const byIngress = lost.some((c) => c.namespace !== ctx.change.namespace);
  const dnsName = ctx.dns[0]?.label ?? 'cluster DNS';
  const fix = byIngress ? allowDnsIngressFix(ctx) : allowDnsEgressFix(ctx);
  return [
    withFix(
      {
        rule: 'dns-egress-blocked',
        message: messageWithSubjects(
          `${ctx.policyRef} blocks DNS for `,
          subjects,
          byIngress ? `: ${dnsName} no longer accepts their queries` : `: allow UDP+TCP 53 to ${dnsName}`,
        ),
        subjects,
        detail:
          `After this ${ctx.change.operation}, these workloads can no longer send UDP to any DNS endpoint ` +
          `(${ctx.dns.map((d) => d.label).join(', ')}), so every name lookup times out:\n${bulletList(subjects)}`,
      },
      fix,
    ),
  ];
}

export const dnsEgressBlocked: Check = {
  id: 'dns-egress-blocked',
  defaultSeverity: 'deny',
  summary: 'after the change, pods that could resolve names (UDP to cluster DNS) no longer can',
  reportsLossesOnly: true,
  run,
};
