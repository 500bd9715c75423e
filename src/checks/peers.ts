/**
 * The selector peers of a policy, with their field paths, and what each
 * selects among the endpoints of the state.
 */
import type { Direction, LabelSelector, PolicyRecord } from '../model/records.js';
import type { ClassIndex, EndpointClass } from '../semantics/classes.js';
import { classesMatching, namespacesSelected } from '../semantics/classes.js';
import { selectorKey } from '../semantics/selectors.js';

export interface SelectorPeer {
  readonly direction: Direction;
  /** e.g. `ingress[0].from[1]`. */
  readonly path: string;
  readonly namespaceSelector: LabelSelector | null;
  readonly podSelector: LabelSelector | null;
}

export function selectorPeers(p: PolicyRecord): SelectorPeer[] {
  const out: SelectorPeer[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const field = direction === 'ingress' ? 'from' : 'to';
    p[direction].forEach((rule, i) =>
      rule.peers.forEach((peer, j) => {
        if (peer.kind !== 'selector') return;
        out.push({
          direction,
          path: `${direction}[${i}].${field}[${j}]`,
          namespaceSelector: peer.namespaceSelector,
          podSelector: peer.podSelector,
        });
      }),
    );
  }
  return out;
}

/** Equal for peers whose selectors select alike: to work out what a repeated peer selects once. */
export function peerKey(peer: SelectorPair): string {
  const key = (s: LabelSelector | null): string => (s === null ? '-' : selectorKey(s));
  return `${key(peer.namespaceSelector)}|${key(peer.podSelector)}`;
}

type SelectorPair = {
  readonly namespaceSelector: LabelSelector | null;
  readonly podSelector: LabelSelector | null;
};

/** Namespaces a peer's namespaceSelector selects (the policy's own when it has none). */
export function namespacesOf(
  peer: SelectorPair,
  policyNamespace: string,
  index: ClassIndex,
): readonly string[] {
  const nsSel = peer.namespaceSelector;
  return nsSel === null ? [policyNamespace] : namespacesSelected(index, nsSel);
}

/** Classes a selector peer selects (through the index's namespaces, never a scan of every class). */
export function peerClasses(peer: SelectorPair, policyNamespace: string, index: ClassIndex): EndpointClass[] {
  return namespacesOf(peer, policyNamespace, index).flatMap((ns) =>
    classesMatching(index, ns, peer.podSelector),
  );
}

/** True when the peer selects at least one class; stops at the first. */
export function peerSelectsAny(peer: SelectorPair, policyNamespace: string, index: ClassIndex): boolean {
  return namespacesOf(peer, policyNamespace, index).some(
    (ns) => classesMatching(index, ns, peer.podSelector).length > 0,
  );
}

/**
 * The AND/OR trap: one peer with both selectors selects nothing, but each
 * selector on its own (as two peers) would select pods.
 */
export function isAndTrap(peer: SelectorPeer, policyNamespace: string, index: ClassIndex): boolean {
  if (peer.namespaceSelector === null || peer.podSelector === null) return false;
  if (peerSelectsAny(peer, policyNamespace, index)) return false;
  return (
    peerSelectsAny(
      { namespaceSelector: peer.namespaceSelector, podSelector: null },
      policyNamespace,
      index,
    ) && peerSelectsAny({ namespaceSelector: null, podSelector: peer.podSelector }, policyNamespace, index)
  );
}
