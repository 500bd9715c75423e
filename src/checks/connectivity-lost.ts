/**
 * connectivity-lost: a summary of what the change takes away — how many
 * workload pairs (and workload/External pairs) lose connections.
 */
import type { CheckFinding } from '../model/findings.js';
import { formatConnections, isEmptyConnections } from '../semantics/connection-set.js';
import { formatIpRange } from '../semantics/ip-set.js';
import type { CheckContext, Check } from './context.js';
import { bulletList, clip, plural } from './messages.js';

function run(ctx: CheckContext): CheckFinding[] {
  const lines = new Map<string, string>();
  const pairs = new Set<string>();
  let external = 0;
  const ids = (cls: Parameters<CheckContext['endpointIds']>[0]) => ctx.endpointIds(cls);
  for (const e of ctx.impact) {
    if (isEmptyConnections(e.lost)) continue;
    const srcs = e.src.kind === 'class' ? ids([e.src.cls]) : [`${formatIpRange(e.src.atom)}[External]`];
    const dsts = e.dst.kind === 'class' ? ids([e.dst.cls]) : [`${formatIpRange(e.dst.atom)}[External]`];
    for (const s of srcs) {
      for (const d of dsts) {
        if (s === d) continue;
        const key = `${s} => ${d}`;
        if (e.src.kind === 'class' && e.dst.kind === 'class') pairs.add(key);
        else if (!lines.has(key)) external++;
        lines.set(key, `${key} : loses ${formatConnections(e.lost)}`);
      }
    }
  }
  if (lines.size === 0) return [];
  const first = [...pairs][0] ?? [...lines.keys()][0] ?? '';
  const parts = [
    pairs.size > 0 ? plural(pairs.size, 'workload pair') : null,
    external > 0 ? plural(external, 'workload/External pair') : null,
  ].filter((x): x is string => x !== null);
  return [
    {
      rule: 'connectivity-lost',
      message: clip(`${ctx.policyRef} removes connections for ${parts.join(' and ')} (e.g. ${first})`),
      subjects: [...pairs].sort(),
      detail: `Connections lost through this ${ctx.change.operation}:\n${bulletList([...lines.values()].sort())}`,
    },
  ];
}

export const connectivityLost: Check = {
  id: 'connectivity-lost',
  defaultSeverity: 'info',
  summary: 'summary: how many workload pairs lose connections through this change',
  run,
};
