/**
 * named-port-unresolved: a named port in a rule is declared (with that
 * protocol) by none of the pods the rule can apply to. For ingress rules
 * those are the pods the policy selects; for egress rules, the pods the
 * rule's peers select. An unresolved named port allows nothing.
 */
import type { CheckFinding } from '../model/findings.js';
import type { Direction, PolicyRecord } from '../model/records.js';
import type { ClassIndex, EndpointClass } from '../semantics/classes.js';
import { pollEvery } from '../semantics/interrupt.js';
import { matchSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';
import { peerClasses } from './peers.js';

function destinations(
  p: PolicyRecord,
  direction: Direction,
  ruleIndex: number,
  index: ClassIndex,
): EndpointClass[] {
  if (direction === 'ingress') {
    return (index.classesByNamespace.get(p.namespace) ?? []).filter((c) =>
      matchSelector(p.podSelector, c.labels),
    );
  }
  const rule = p.egress[ruleIndex];
  if (!rule || rule.peers.length === 0) return [...index.classes];
  const out = new Set<EndpointClass>();
  for (const peer of rule.peers) {
    if (peer.kind === 'selector') for (const c of peerClasses(peer, p.namespace, index)) out.add(c);
  }
  return [...out];
}

function declaredNames(dsts: readonly EndpointClass[]): string {
  const names = new Set(dsts.flatMap((c) => c.ports.map((cp) => `${cp.name ?? cp.port}/${cp.protocol}`)));
  return [...names].join(', ') || 'none';
}

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const index = ctx.model.index;
  const out: CheckFinding[] = [];
  // per rule (ingress: one for the whole policy), worked out at its first named port
  const dstsOf = new Map<
    string,
    { readonly classes: EndpointClass[]; subjects: string[] | null; declared: string | null }
  >();
  const poll = pollEvery(ctx.interrupt, 'named-port-unresolved');
  for (const direction of ['ingress', 'egress'] as const) {
    p[direction].forEach((rule, i) => {
      rule.ports.forEach((port, j) => {
        if (typeof port.port !== 'string') return;
        poll();
        const name = port.port;
        const dstKey = direction === 'ingress' ? 'ingress' : `egress/${i}`;
        let known = dstsOf.get(dstKey);
        if (!known) {
          known = { classes: destinations(p, direction, i, index), subjects: null, declared: null };
          dstsOf.set(dstKey, known);
        }
        const dsts = known.classes;
        if (dsts.length === 0) return; // nothing to resolve against: the selector rules report it
        if (dsts.some((c) => c.ports.some((cp) => cp.name === name && cp.protocol === port.protocol))) return;
        const otherProtocol = dsts
          .flatMap((c) => c.ports)
          .find((cp) => cp.name === name && cp.protocol !== port.protocol);
        const path = `${direction}[${i}].ports[${j}]`;
        const hint = otherProtocol
          ? `; it is declared as ${otherProtocol.protocol}, set protocol: ${otherProtocol.protocol}`
          : '';
        const whose = direction === 'ingress' ? 'the selected pods' : 'the destination pods';
        known.subjects ??= ctx.endpointIds(dsts);
        known.declared ??= declaredNames(dsts);
        out.push({
          rule: 'named-port-unresolved',
          message: clip(
            `${ctx.policyRef} ${path}: port "${name}"/${port.protocol} is declared by none of ${whose}${hint}`,
          ),
          subjects: [ctx.policyRef, ...known.subjects],
          detail:
            `spec.${path} names port "${name}" (${port.protocol}), but no container of ${whose} declares a port ` +
            `with that name and protocol, so this entry allows nothing. Declared names: ` +
            `${known.declared}.`,
        });
      });
    });
  }
  return out;
}

export const namedPortUnresolved: Check = {
  id: 'named-port-unresolved',
  defaultSeverity: 'warn',
  summary: 'a named port in a rule is declared by none of the pods the rule can apply to',
  reportsLossesOnly: false,
  run,
};
