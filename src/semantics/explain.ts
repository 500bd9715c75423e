/**
 * The evidence behind a verdict: for each side of a connection, which
 * policies select the pod, which of their rules match the other end, and
 * what each allows. The verdict is computed by the same functions the
 * connectivity uses, so the explanation cannot disagree with it.
 */
import type { Direction } from '../model/records.js';
import type { EndpointClass } from './classes.js';
import type { ConnectionSet } from './connection-set.js';
import { ALL_CONNECTIONS, NO_CONNECTIONS, intersectConnections, unionConnections } from './connection-set.js';
import type { Evaluator, PeerEndpoint } from './evaluate.js';
import { resolveRulePorts, ruleMatchesPeer } from './evaluate.js';

export interface RuleEvidence {
  /** e.g. `egress[1]`. */
  readonly rule: string;
  readonly allows: ConnectionSet;
}

export interface PolicyEvidence {
  readonly policy: string;
  /** Rules whose peers match the other end (possibly allowing no port of it). */
  readonly matchingRules: readonly RuleEvidence[];
}

export interface SideEvidence {
  readonly direction: Direction;
  readonly isolated: boolean;
  readonly policies: readonly PolicyEvidence[];
  readonly allows: ConnectionSet;
}

export interface ConnectionEvidence {
  readonly egress: SideEvidence | null;
  readonly ingress: SideEvidence | null;
  readonly allowed: ConnectionSet;
}

function explainSide(
  ev: Evaluator,
  c: EndpointClass,
  direction: Direction,
  other: PeerEndpoint,
): SideEvidence {
  const selecting = ev.selectingPolicies(c, direction);
  if (selecting.length === 0) return { direction, isolated: false, policies: [], allows: ALL_CONNECTIONS };
  const dst: PeerEndpoint = direction === 'ingress' ? { kind: 'class', cls: c } : other;
  let allows = NO_CONNECTIONS;
  const policies = selecting.map((p) => {
    const matchingRules: RuleEvidence[] = [];
    for (const rule of p.rules[direction]) {
      if (!ruleMatchesPeer(rule, p.namespace, other)) continue;
      const ports = resolveRulePorts(rule.ports, dst);
      matchingRules.push({ rule: `${direction}[${rule.index}]`, allows: ports });
      allows = unionConnections(allows, ports);
    }
    return { policy: p.key, matchingRules };
  });
  return { direction, isolated: true, policies, allows };
}

/** Evidence for src -> dst where either end may be External (then that side is never isolated). */
export function explainConnection(ev: Evaluator, src: PeerEndpoint, dst: PeerEndpoint): ConnectionEvidence {
  const egress = src.kind === 'class' ? explainSide(ev, src.cls, 'egress', dst) : null;
  const ingress = dst.kind === 'class' ? explainSide(ev, dst.cls, 'ingress', src) : null;
  const allowed = intersectConnections(egress?.allows ?? ALL_CONNECTIONS, ingress?.allows ?? ALL_CONNECTIONS);
  return { egress, ingress, allowed };
}
