/**
 * Full connectivity of a snapshot: every allowed connection between
 * endpoints, and between endpoints and External address ranges.
 *
 * Work is done per class (equivalence classes of pods), enumerating only the
 * pairs the policies can allow, then folded into endpoint pairs.
 */
import type { ClusterSnapshot, Direction } from '../model/records.js';
import type { ClassIndex, Endpoint, EndpointClass } from './classes.js';
import { buildClassIndex } from './classes.js';
import { collectIpBlockSets, compilePolicy } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import { NO_CONNECTIONS, isEmptyConnections, unionConnections } from './connection-set.js';
import type { EndpointOptions } from './endpoints.js';
import { CONNECTIVITY_ENDPOINTS, listEndpoints } from './endpoints.js';
import type { ExternalRange } from './external-ranges.js';
import { externalRangesOf, unionExternalRanges } from './external-ranges.js';
import type { IpRange } from './ip-set.js';
import type { PolicyModel } from './policy-model.js';
import { createPolicyModel } from './policy-model.js';

export type PeerRef =
  { readonly kind: 'endpoint'; readonly id: string } | { readonly kind: 'external'; readonly range: IpRange };

export interface ConnectivityEntry {
  readonly src: PeerRef;
  readonly dst: PeerRef;
  readonly conn: ConnectionSet;
}

export interface Connectivity {
  /** Endpoint ids present in the snapshot (sorted). */
  readonly endpoints: readonly string[];
  /** Non-empty allowed sets only; External ranges merged where adjacent and equal. */
  readonly entries: readonly ConnectivityEntry[];
}

export interface ConnectivityModel {
  readonly index: ClassIndex;
  readonly evaluator: PolicyModel;
}

/** Classes and the indexed policy model for one snapshot (used by connectivity, explain and diff). */
export function buildConnectivityModel(
  snapshot: ClusterSnapshot,
  options: EndpointOptions = CONNECTIVITY_ENDPOINTS,
): ConnectivityModel {
  const policies = snapshot.policies.map(compilePolicy);
  const index = buildClassIndex(
    listEndpoints(snapshot, options),
    snapshot.namespaces,
    collectIpBlockSets(policies),
  );
  return { index, evaluator: createPolicyModel(index, policies) };
}

/**
 * Non-empty class pairs, enumerated from what the policies reference: a
 * source whose egress is open (not isolated, or a rule without peers) pairs
 * with every destination whose ingress is open and with those that name it;
 * a source with only specific egress rules pairs with the classes it names.
 * The work is proportional to the output, not to classes squared.
 */
function forEachAllowedClassPair(
  model: PolicyModel,
  visit: (src: EndpointClass, dst: EndpointClass, conn: ConnectionSet) => void,
): void {
  const classes = model.index.classes;
  const openIngress = model.openClasses('ingress');
  for (const src of classes) {
    const candidates = new Set<EndpointClass>();
    if (model.hasOpenSide(src, 'egress')) {
      for (const d of openIngress) candidates.add(d);
      for (const id of model.namedBy('ingress', src.id)) candidates.add(classes[id] as EndpointClass);
    } else {
      for (const id of model.summary(src, 'egress').specific.keys())
        candidates.add(classes[id] as EndpointClass);
    }
    for (const dst of candidates) {
      const conn = model.allowed(src, dst);
      if (!isEmptyConnections(conn)) visit(src, dst, conn);
    }
  }
}

export function computeConnectivity(model: ConnectivityModel): Connectivity {
  const { index, evaluator } = model;
  const endpoints = index.endpoints;
  const position = new Map(endpoints.map((e, i) => [e, i]));
  const n = endpoints.length;
  const pairs = new Map<number, ConnectionSet>();
  forEachAllowedClassPair(evaluator, (src, dst, conn) => {
    for (const e of index.endpointsOfClass.get(src.id) ?? []) {
      for (const f of index.endpointsOfClass.get(dst.id) ?? []) {
        if (e === f) continue;
        const key = (position.get(e) as number) * n + (position.get(f) as number);
        pairs.set(key, unionConnections(pairs.get(key) ?? NO_CONNECTIONS, conn));
      }
    }
  });
  const entries: ConnectivityEntry[] = [];
  for (const [key, conn] of pairs) {
    const src = endpoints[Math.floor(key / n)] as Endpoint;
    const dst = endpoints[key % n] as Endpoint;
    entries.push({ src: { kind: 'endpoint', id: src.id }, dst: { kind: 'endpoint', id: dst.id }, conn });
  }
  for (const e of endpoints) {
    const ref: PeerRef = { kind: 'endpoint', id: e.id };
    const classesOf = e.classIds.map((i) => index.classes[i] as EndpointClass);
    const side = (direction: Direction): ExternalRange[] =>
      unionExternalRanges(classesOf.map((c) => externalRangesOf(evaluator.summary(c, direction), c)));
    for (const { range, conn } of side('egress'))
      entries.push({ src: ref, dst: { kind: 'external', range }, conn });
    for (const { range, conn } of side('ingress'))
      entries.push({ src: { kind: 'external', range }, dst: ref, conn });
  }
  return { endpoints: endpoints.map((e) => e.id), entries };
}

/** Connectivity of a snapshot with netpol-analyzer's endpoint conventions. */
export function connectivityOf(snapshot: ClusterSnapshot): Connectivity {
  return computeConnectivity(buildConnectivityModel(snapshot));
}
