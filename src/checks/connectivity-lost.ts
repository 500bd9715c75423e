/**
 * connectivity-lost: a summary of what the change takes away — how many
 * workload pairs (and workload/External pairs) lose connections.
 */
import type { CheckFinding } from '../model/findings.js';
import { formatConnections, isEmptyConnections } from '../semantics/connection-set.js';
import type { ImpactPeer } from '../semantics/impact.js';
import { formatIpRange } from '../semantics/ip-set.js';
import type { CheckContext, Check } from './context.js';
import { bulletList, clip, plural } from './messages.js';

/** How many lost connections the detail lists before summarising the rest. */
export const DETAIL_LIMIT = 50;

function peerIds(ctx: CheckContext, p: ImpactPeer): string[] {
  switch (p.kind) {
    case 'class':
      return ctx.endpointIds([p.cls]);
    case 'group':
      return ctx.endpointIds(p.classes());
    case 'external':
      return [`${formatIpRange(p.range)}[External]`];
  }
}

function run(ctx: CheckContext): CheckFinding[] {
  const lines = new Map<string, string>();
  const pairs = new Set<string>();
  const externalPairs = new Set<string>();
  for (const e of ctx.impact) {
    if (isEmptyConnections(e.lost)) continue;
    const lost = formatConnections(e.lost);
    const bothWorkloads = e.src.kind !== 'external' && e.dst.kind !== 'external';
    for (const s of peerIds(ctx, e.src)) {
      for (const d of peerIds(ctx, e.dst)) {
        if (s === d) continue;
        const key = `${s} => ${d}`;
        (bothWorkloads ? pairs : externalPairs).add(key);
        if (lines.size < DETAIL_LIMIT || lines.has(key)) lines.set(key, `${key} : loses ${lost}`);
      }
    }
  }
  const external = externalPairs.size;
  const total = pairs.size + external;
  if (total === 0) return [];
  const first = [...pairs][0] ?? [...lines.keys()][0] ?? '';
  const parts = [
    pairs.size > 0 ? plural(pairs.size, 'workload pair') : null,
    external > 0 ? plural(external, 'workload/External pair') : null,
  ].filter((x): x is string => x !== null);
  const listed = [...lines.values()].sort();
  const more = total > listed.length ? `\n  … and ${total - listed.length} more` : '';
  return [
    {
      rule: 'connectivity-lost',
      message: clip(`${ctx.policyRef} removes connections for ${parts.join(' and ')} (e.g. ${first})`),
      subjects: [...pairs].sort().slice(0, DETAIL_LIMIT),
      detail: `Connections lost through this ${ctx.change.operation}:\n${bulletList(listed)}${more}`,
    },
  ];
}

export const connectivityLost: Check = {
  id: 'connectivity-lost',
  defaultSeverity: 'info',
  summary: 'summary: how many workload pairs lose connections through this change',
  run,
};
