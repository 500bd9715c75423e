/**
 * Compiles a NetworkPolicy record once into a matcher: which directions it
 * isolates, and for each rule the peers and the ports it allows. Everything
 * that does not depend on the other side of a connection (numeric ports,
 * ipBlock address sets) is computed here, once.
 */
import type {
  Direction,
  LabelSelector,
  PolicyRecord,
  PortRecord,
  Protocol,
  RuleRecord,
} from '../model/records.js';
import { policyKey } from '../model/records.js';
import type { ConnectionSet } from './connection-set.js';
import { ALL_CONNECTIONS, allPortsOf, connectionsOf, unionAllConnections } from './connection-set.js';
import type { Interrupt, Poll } from './interrupt.js';
import { NEVER_INTERRUPT, pollEvery } from './interrupt.js';
import type { IpSet } from './ip-set.js';
import { ipBlockToSet } from './ip-set.js';

export type CompiledPeer =
  | {
      readonly kind: 'selector';
      /** null: the policy's own namespace (no namespaceSelector). */
      readonly namespaceSelector: LabelSelector | null;
      /** null: all pods of the selected namespaces. */
      readonly podSelector: LabelSelector | null;
    }
  | { readonly kind: 'ipBlock'; readonly ips: IpSet };

export interface NamedPortRef {
  readonly name: string;
  readonly protocol: Protocol;
}

export interface CompiledPorts {
  /** True when the rule has no `ports`: every protocol and port. */
  readonly all: boolean;
  /** The numeric entries (single ports, ranges, whole protocols). */
  readonly numeric: ConnectionSet;
  /** Named entries, resolved against the destination's container ports. */
  readonly named: readonly NamedPortRef[];
}

const ALL_PORTS: CompiledPorts = Object.freeze({ all: true, numeric: ALL_CONNECTIONS, named: [] });

/**
 * One CompiledPorts allowing, on every destination, exactly what one of
 * `list` allows (the union of their numeric sets and of their named ports):
 * what a side summary keeps when several rules name the same peer.
 */
export function mergePorts(list: readonly CompiledPorts[]): CompiledPorts {
  if (list.length === 1) return list[0] as CompiledPorts;
  const named = new Map<string, NamedPortRef>();
  for (const p of list) {
    if (p.all) return ALL_PORTS;
    for (const r of p.named) named.set(`${r.protocol}/${r.name}`, r);
  }
  return {
    all: false,
    numeric: unionAllConnections(list.map((p) => p.numeric)),
    named: [...named.values()],
  };
}

export interface CompiledRule {
  readonly direction: Direction;
  /** Position of the rule in the policy's `ingress` or `egress` list. */
  readonly index: number;
  /** Empty: every pod and every external address. */
  readonly peers: readonly CompiledPeer[];
  readonly ports: CompiledPorts;
}

export interface CompiledPolicy {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly record: PolicyRecord;
  readonly podSelector: LabelSelector;
  /** The directions in which the selected pods become isolated. */
  readonly isolates: Readonly<Record<Direction, boolean>>;
  /** Rules of each direction; empty for a direction the policy does not isolate. */
  readonly rules: Readonly<Record<Direction, readonly CompiledRule[]>>;
}

/**
 * `policyTypes` absent: Ingress always applies, Egress applies iff the policy
 * has egress rules. Rules of a direction not in effect are ignored.
 */
export function policyDirections(p: PolicyRecord): Record<Direction, boolean> {
  if (p.policyTypes === null) return { ingress: true, egress: p.egress.length > 0 };
  return { ingress: p.policyTypes.includes('ingress'), egress: p.policyTypes.includes('egress') };
}

function compilePortEntry(p: PortRecord): ConnectionSet | NamedPortRef {
  if (p.port === null) return allPortsOf(p.protocol);
  if (typeof p.port === 'string') return { name: p.port, protocol: p.protocol };
  return connectionsOf(p.protocol, p.port, p.endPort ?? p.port);
}

export function compilePorts(ports: readonly PortRecord[], poll?: Poll): CompiledPorts {
  if (ports.length === 0) return ALL_PORTS;
  const numeric: ConnectionSet[] = [];
  const named: NamedPortRef[] = [];
  for (const p of ports) {
    poll?.();
    const c = compilePortEntry(p);
    if ('name' in c) named.push(c);
    else numeric.push(c);
  }
  return { all: false, numeric: unionAllConnections(numeric), named };
}

function compileRule(r: RuleRecord, direction: Direction, index: number, poll: Poll): CompiledRule {
  poll();
  const peers: CompiledPeer[] = r.peers.map((peer) => {
    poll();
    return peer.kind === 'ipBlock'
      ? { kind: 'ipBlock', ips: ipBlockToSet(peer.ipBlock.cidr, peer.ipBlock.except, poll) }
      : { kind: 'selector', namespaceSelector: peer.namespaceSelector, podSelector: peer.podSelector };
  });
  return { direction, index, peers, ports: compilePorts(r.ports, poll) };
}

export interface CompileOptions {
  /** Polled per rule, peer and port entry; see interrupt.ts. */
  readonly interrupt?: Interrupt;
}

export function compilePolicy(p: PolicyRecord, options: CompileOptions = {}): CompiledPolicy {
  const poll = pollEvery(options.interrupt ?? NEVER_INTERRUPT, 'compile');
  const isolates = policyDirections(p);
  return {
    key: policyKey(p),
    namespace: p.namespace,
    name: p.name,
    record: p,
    podSelector: p.podSelector,
    isolates,
    rules: {
      ingress: isolates.ingress ? p.ingress.map((r, i) => compileRule(r, 'ingress', i, poll)) : [],
      egress: isolates.egress ? p.egress.map((r, i) => compileRule(r, 'egress', i, poll)) : [],
    },
  };
}

/** Every ipBlock address set used by the policies (to cut the address space into atoms). */
export function collectIpBlockSets(policies: readonly CompiledPolicy[]): IpSet[] {
  const sets: IpSet[] = [];
  for (const p of policies) {
    for (const d of ['ingress', 'egress'] as const) {
      for (const r of p.rules[d]) {
        for (const peer of r.peers) if (peer.kind === 'ipBlock') sets.push(peer.ips);
      }
    }
  }
  return sets;
}
