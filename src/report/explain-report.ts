/** Renders the evidence behind one connection's verdict. */
import type { Protocol } from '../model/records.js';
import type { ConnectionSet } from '../semantics/connection-set.js';
import { allowsPort, formatConnections, isEmptyConnections } from '../semantics/connection-set.js';
import type { ConnectionEvidence, SideEvidence } from '../semantics/explain.js';

export interface ExplainQuery {
  readonly from: string;
  readonly to: string;
  readonly port: { readonly protocol: Protocol; readonly port: number } | null;
}

function verdictOf(q: ExplainQuery, allowed: ConnectionSet): boolean {
  return q.port ? allowsPort(allowed, q.port.protocol, q.port.port) : !isEmptyConnections(allowed);
}

function portText(q: ExplainQuery): string {
  return q.port ? `${q.port.protocol} ${q.port.port}` : 'any port';
}

function sideLines(label: string, side: SideEvidence | null, q: ExplainQuery): string[] {
  if (side === null) return [`${label}: External addresses are never isolated: allows everything`];
  if (!side.isolated)
    return [`${label}: not isolated (no policy selects it for ${side.direction}): allows everything`];
  const lines = [
    `${label}: isolated by ${side.policies.length} polic${side.policies.length === 1 ? 'y' : 'ies'}`,
  ];
  for (const p of side.policies) {
    if (p.matchingRules.length === 0) {
      lines.push(`  ${p.policy}: no ${side.direction} rule matches the other end`);
      continue;
    }
    for (const r of p.matchingRules) {
      const ok = q.port ? allowsPort(r.allows, q.port.protocol, q.port.port) : !isEmptyConnections(r.allows);
      lines.push(
        `  ${p.policy} ${r.rule}: matches, allows ${formatConnections(r.allows)}${q.port ? (ok ? ' (includes the port)' : ' (not this port)') : ''}`,
      );
    }
  }
  lines.push(`  => ${side.direction} allows ${formatConnections(side.allows)}`);
  return lines;
}

export function renderExplainText(q: ExplainQuery, ev: ConnectionEvidence): string {
  const allowed = verdictOf(q, ev.allowed);
  const lines = [
    `${q.from} -> ${q.to} on ${portText(q)}: ${allowed ? 'ALLOWED' : 'DENIED'}`,
    ...sideLines(`egress of ${q.from}`, ev.egress, q),
    ...sideLines(`ingress of ${q.to}`, ev.ingress, q),
    `allowed between them: ${formatConnections(ev.allowed)}`,
  ];
  if (!allowed) {
    const blockers = [
      ev.egress && !verdictOf(q, ev.egress.allows) ? `the egress policies of ${q.from}` : null,
      ev.ingress && !verdictOf(q, ev.ingress.allows) ? `the ingress policies of ${q.to}` : null,
    ].filter((x): x is string => x !== null);
    lines.push(`blocked by ${blockers.join(' and ') || 'the combination of both sides'}`);
  }
  return `${lines.join('\n')}\n`;
}

export function explainToJson(q: ExplainQuery, ev: ConnectionEvidence): unknown {
  const side = (s: SideEvidence | null) =>
    s === null
      ? null
      : {
          direction: s.direction,
          isolated: s.isolated,
          allows: formatConnections(s.allows),
          policies: s.policies.map((p) => ({
            policy: p.policy,
            matchingRules: p.matchingRules.map((r) => ({
              rule: r.rule,
              allows: formatConnections(r.allows),
            })),
          })),
        };
  return {
    from: q.from,
    to: q.to,
    port: q.port,
    allowed: verdictOf(q, ev.allowed),
    connections: formatConnections(ev.allowed),
    egress: side(ev.egress),
    ingress: side(ev.ingress),
  };
}
