/**
 * peer-matches-nothing: a `from`/`to` peer with selectors selects no pod or
 * workload, or its namespaceSelector selects no namespace. The rule then
 * allows nothing from that peer. (Peers caught by peer-and-trap are left to
 * that rule.)
 */
import type { CheckFinding } from '../model/findings.js';
import { formatSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';
import { isAndTrap, peerNamespaces, peerSelectsAny, selectorPeers } from './peers.js';
import { typoHint } from './selection.js';

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const index = ctx.model.index;
  const namespaces = ctx.snapshot.namespaces;
  const out: CheckFinding[] = [];
  for (const peer of selectorPeers(p)) {
    if (isAndTrap(peer, p.namespace, index)) continue;
    const nsSel = peer.namespaceSelector;
    if (nsSel !== null && peerNamespaces(peer, p.namespace, namespaces).length === 0) {
      const hint = typoHint(
        nsSel,
        namespaces.map((n) => n.labels),
      );
      out.push({
        rule: 'peer-matches-nothing',
        message: clip(
          `${ctx.policyRef} ${peer.path} namespaceSelector ${formatSelector(nsSel)} selects no namespace${hint ? `; ${hint}` : ''}`,
        ),
        subjects: [ctx.policyRef],
        detail:
          `spec.${peer.path}: no namespace carries the labels ${formatSelector(nsSel)}, so this peer allows nothing. ` +
          'Every namespace has the label kubernetes.io/metadata.name=<name>; select by it to name a namespace.' +
          (hint ? ` ${hint}` : ''),
      });
      continue;
    }
    if (peerSelectsAny(peer, p.namespace, index)) continue;
    const inNamespaces = new Set(peerNamespaces(peer, p.namespace, namespaces));
    const candidates = [...inNamespaces].flatMap((ns) =>
      (index.classesByNamespace.get(ns) ?? []).map((c) => c.labels),
    );
    const hint = peer.podSelector ? typoHint(peer.podSelector, candidates) : null;
    const where =
      nsSel === null ? `namespace ${p.namespace}` : `namespaces matching ${formatSelector(nsSel)}`;
    const podSel = peer.podSelector ? formatSelector(peer.podSelector) : '{}';
    out.push({
      rule: 'peer-matches-nothing',
      message: clip(
        `${ctx.policyRef} ${peer.path} podSelector ${podSel} selects no pod in ${where}${hint ? `; ${hint}` : ''}`,
      ),
      subjects: [ctx.policyRef],
      detail:
        `spec.${peer.path} selects no pod or workload (podSelector ${podSel} in ${where}), so this peer allows nothing.` +
        (hint ? ` ${hint}` : ''),
    });
  }
  return out;
}

export const peerMatchesNothing: Check = {
  id: 'peer-matches-nothing',
  defaultSeverity: 'warn',
  summary: 'a from/to peer selects no pod or workload, or its namespaceSelector selects no namespace',
  run,
};
