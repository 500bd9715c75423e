/**
 * peer-matches-nothing: a `from`/`to` peer with selectors selects no pod or
 * workload, or its namespaceSelector selects no namespace. The rule then
 * allows nothing from that peer. (Peers caught by peer-and-trap are left to
 * that rule.)
 *
 * A policy may repeat the same peer thousands of times: what a peer selects
 * and its typo hint are worked out once per distinct pair of selectors.
 */
import type { CheckFinding } from '../model/findings.js';
import type { LabelSelector } from '../model/records.js';
import { pollEvery } from '../semantics/interrupt.js';
import { formatSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';
import { isAndTrap, namespacesOf, peerSelectsAny, peerKey, selectorPeers } from './peers.js';
import type { LabelValues } from './selection.js';
import { labelValuesOf, typoHintAmong } from './selection.js';

/** What one distinct peer selects. */
type Verdict =
  | { readonly kind: 'fine' }
  | { readonly kind: 'no-namespace'; readonly hint: string | null }
  | { readonly kind: 'no-pod'; readonly hint: string | null };

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const index = ctx.model.index;
  const namespaces = ctx.snapshot.namespaces;
  let namespaceLabels: LabelValues | null = null;
  /** Label values of the classes of some namespaces, by the namespaces' names. */
  const podLabels = new Map<string, LabelValues>();
  const verdicts = new Map<string, Verdict>();

  const judge = (peer: {
    readonly namespaceSelector: LabelSelector | null;
    readonly podSelector: LabelSelector | null;
  }): Verdict => {
    const nsSel = peer.namespaceSelector;
    const selected = namespacesOf(peer, p.namespace, index);
    if (nsSel !== null && selected.length === 0) {
      namespaceLabels ??= labelValuesOf(namespaces.map((n) => n.labels));
      return { kind: 'no-namespace', hint: typoHintAmong(nsSel, namespaceLabels) };
    }
    if (peerSelectsAny(peer, p.namespace, index)) return { kind: 'fine' };
    if (!peer.podSelector) return { kind: 'no-pod', hint: null };
    const where = selected.join('\u0000');
    let values = podLabels.get(where);
    if (!values) {
      values = labelValuesOf(
        selected.flatMap((ns) => (index.classesByNamespace.get(ns) ?? []).map((c) => c.labels)),
      );
      podLabels.set(where, values);
    }
    return { kind: 'no-pod', hint: typoHintAmong(peer.podSelector, values) };
  };

  const out: CheckFinding[] = [];
  const poll = pollEvery(ctx.interrupt, 'peer-matches-nothing');
  for (const peer of selectorPeers(p)) {
    poll();
    const key = peerKey(peer);
    let verdict = verdicts.get(key);
    if (!verdict) {
      verdict = isAndTrap(peer, p.namespace, index) ? { kind: 'fine' } : judge(peer);
      verdicts.set(key, verdict);
    }
    if (verdict.kind === 'fine') continue;
    const nsSel = peer.namespaceSelector;
    const { hint } = verdict;
    if (verdict.kind === 'no-namespace' && nsSel !== null) {
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
  reportsLossesOnly: false,
  run,
};
