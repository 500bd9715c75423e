/**
 * Evaluates which connections the policies allow between endpoint classes
 * and External address atoms.
 *
 * allowed(src -> dst) = egress(src -> dst) AND ingress(src -> dst), where a
 * side is unrestricted unless some policy in the pod's namespace selects the
 * pod for that direction; then it allows the union of the matching rules of
 * those policies. The External side is never isolated.
 */
import type { Direction } from '../model/records.js';
import type { EndpointClass } from './classes.js';
import type { CompiledPeer, CompiledPolicy, CompiledPorts, CompiledRule } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  connectionsOf,
  intersectConnections,
  unionConnections,
} from './connection-set.js';
import type { IpRange } from './ip-set.js';
import { ipSetContains, ipSetContainsAnyAddress } from './ip-set.js';
import { matchSelector } from './selectors.js';

/** The other end of a connection, as seen from a rule. */
export type PeerEndpoint =
  | { readonly kind: 'class'; readonly cls: EndpointClass }
  | { readonly kind: 'external'; readonly atom: IpRange };

/** True when the policy applies to the class (same namespace, podSelector matches). */
export function policySelects(p: CompiledPolicy, c: EndpointClass): boolean {
  return p.namespace === c.namespace && matchSelector(p.podSelector, c.labels);
}

/** True when one `from`/`to` entry of a policy in `policyNamespace` matches the endpoint. */
export function peerMatches(peer: CompiledPeer, policyNamespace: string, other: PeerEndpoint): boolean {
  if (peer.kind === 'ipBlock') {
    if (other.kind === 'external') return ipSetContains(peer.ips, other.atom.family, other.atom.lo);
    return ipSetContainsAnyAddress(peer.ips, other.cls.addresses);
  }
  if (other.kind === 'external') return false;
  const c = other.cls;
  if (peer.namespaceSelector === null) {
    if (c.namespace !== policyNamespace) return false;
  } else if (!matchSelector(peer.namespaceSelector, c.namespaceLabels)) {
    return false;
  }
  return peer.podSelector === null || matchSelector(peer.podSelector, c.labels);
}

/** A rule with no peers matches every pod and every external address. */
export function ruleMatchesPeer(rule: CompiledRule, policyNamespace: string, other: PeerEndpoint): boolean {
  return rule.peers.length === 0 || rule.peers.some((p) => peerMatches(p, policyNamespace, other));
}

/**
 * The ports a rule allows towards a destination: named ports resolve against
 * the destination's declared container ports with the same protocol, and to
 * nothing when undeclared or when the destination is External.
 */
export function resolveRulePorts(ports: CompiledPorts, dst: PeerEndpoint): ConnectionSet {
  if (ports.all) return ALL_CONNECTIONS;
  if (ports.named.length === 0 || dst.kind === 'external') return ports.numeric;
  return resolveNamedPorts(ports, dst.cls);
}

/** Named-port resolution per (rule ports, destination class), computed once. */
const namedPortCache = new WeakMap<CompiledPorts, WeakMap<EndpointClass, ConnectionSet>>();

/** `ports` resolved against a destination class (named ports on its declared container ports). */
export function resolveNamedPorts(ports: CompiledPorts, cls: EndpointClass): ConnectionSet {
  if (ports.all) return ALL_CONNECTIONS;
  if (ports.named.length === 0) return ports.numeric;
  let perPorts = namedPortCache.get(ports);
  if (!perPorts) {
    perPorts = new WeakMap();
    namedPortCache.set(ports, perPorts);
  }
  const hit = perPorts.get(cls);
  if (hit) return hit;
  let out = ports.numeric;
  for (const ref of ports.named) {
    for (const cp of cls.ports) {
      if (cp.name === ref.name && cp.protocol === ref.protocol) {
        out = unionConnections(out, connectionsOf(cp.protocol, cp.port, cp.port));
      }
    }
  }
  perPorts.set(cls, out);
  return out;
}

export interface Evaluator {
  /** The policies that select the class for a direction (isolating it there). */
  selectingPolicies(c: EndpointClass, direction: Direction): readonly CompiledPolicy[];
  isIsolated(c: EndpointClass, direction: Direction): boolean;
  /** What `c`'s side allows in `direction` with `other` (the destination's ports decide named ports). */
  sideAllows(c: EndpointClass, direction: Direction, other: PeerEndpoint): ConnectionSet;
  allowed(src: EndpointClass, dst: EndpointClass): ConnectionSet;
  allowedToExternal(src: EndpointClass, atom: IpRange): ConnectionSet;
  allowedFromExternal(atom: IpRange, dst: EndpointClass): ConnectionSet;
}

/**
 * Builds an evaluator over compiled policies. Per class, the selecting
 * policies are computed once and cached (policies are indexed by namespace).
 */
export function createEvaluator(policies: readonly CompiledPolicy[]): Evaluator {
  const byNamespace = new Map<string, CompiledPolicy[]>();
  for (const p of policies) {
    const list = byNamespace.get(p.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.namespace, [p]);
  }
  const cache: Record<Direction, Map<EndpointClass, readonly CompiledPolicy[]>> = {
    ingress: new Map(),
    egress: new Map(),
  };

  function selectingPolicies(c: EndpointClass, direction: Direction): readonly CompiledPolicy[] {
    const hit = cache[direction].get(c);
    if (hit) return hit;
    const list = (byNamespace.get(c.namespace) ?? []).filter(
      (p) => p.isolates[direction] && policySelects(p, c),
    );
    cache[direction].set(c, list);
    return list;
  }

  function sideAllows(c: EndpointClass, direction: Direction, other: PeerEndpoint): ConnectionSet {
    const selecting = selectingPolicies(c, direction);
    if (selecting.length === 0) return ALL_CONNECTIONS;
    const dst: PeerEndpoint = direction === 'ingress' ? { kind: 'class', cls: c } : other;
    let out = NO_CONNECTIONS;
    for (const p of selecting) {
      for (const rule of p.rules[direction]) {
        if (!ruleMatchesPeer(rule, p.namespace, other)) continue;
        out = unionConnections(out, resolveRulePorts(rule.ports, dst));
        if (out === ALL_CONNECTIONS) return out;
      }
    }
    return out;
  }

  return {
    selectingPolicies,
    isIsolated: (c, direction) => selectingPolicies(c, direction).length > 0,
    sideAllows,
    allowed(src, dst) {
      const egress = sideAllows(src, 'egress', { kind: 'class', cls: dst });
      if (egress === NO_CONNECTIONS) return egress;
      return intersectConnections(egress, sideAllows(dst, 'ingress', { kind: 'class', cls: src }));
    },
    allowedToExternal: (src, atom) => sideAllows(src, 'egress', { kind: 'external', atom }),
    allowedFromExternal: (atom, dst) => sideAllows(dst, 'ingress', { kind: 'external', atom }),
  };
}
