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
  const policies = snapshot.policies.map((p) => compilePolicy(p));
  const index = buildClassIndex(
    listEndpoints(snapshot, options),
    snapshot.namespaces,
    collectIpBlockSets(policies),
  );
  return { index, evaluator: createPolicyModel(index, policies) };
}

/**
 * The non-empty destinations of one source class, enumerated from what the
 * policies reference: a source whose egress is open (not isolated, or a rule
 * without peers) pairs with every class whose ingress is open and with those
 * that name it; a source with only specific egress rules pairs with the
 * classes it names. The work is proportional to the output, not to classes
 * squared.
 */
function allowedFrom(
  model: PolicyModel,
  src: EndpointClass,
  visit: (dst: EndpointClass, conn: ConnectionSet) => void,
): void {
  const classes = model.index.classes;
  const tryPair = (dst: EndpointClass): void => {
    const conn = model.allowed(src, dst);
    if (!isEmptyConnections(conn)) visit(dst, conn);
  };
  const egress = model.summary(src, 'egress');
  if (!egress.isolated) {
    // Egress allows everything: towards a destination that does not name src, the answer
    // is that destination's open ingress, the same for every such source.
    const seen = new Set<number>();
    for (const d of model.openClasses('ingress')) {
      seen.add(d.id);
      if (model.summary(d, 'ingress').specific.has(src.id)) tryPair(d);
      else {
        const conn = model.openIngress(d);
        if (!isEmptyConnections(conn)) visit(d, conn);
      }
    }
    for (const id of model.namedBy('ingress', src.id))
      if (!seen.has(id)) tryPair(classes[id] as EndpointClass);
  } else if (egress.open.length > 0) {
    const seen = new Set<number>();
    for (const d of model.openClasses('ingress')) {
      seen.add(d.id);
      tryPair(d);
    }
    for (const id of model.namedBy('ingress', src.id))
      if (!seen.has(id)) tryPair(classes[id] as EndpointClass);
    for (const id of egress.specific.keys()) if (!seen.has(id)) tryPair(classes[id] as EndpointClass);
  } else {
    for (const id of egress.specific.keys()) tryPair(classes[id] as EndpointClass);
  }
}

/** A source's egress behaviour towards destinations it does not name: its open group. */
const UNRESTRICTED = -1;
const NO_OPEN_GROUP = -2;

/**
 * One row shared by many sources: the endpoints reachable from any source of an open
 * group (or any unrestricted source) through pairs where neither side names the other,
 * folded from classes into endpoints, in the order first reached.
 */
interface SharedRow {
  readonly endpoints: readonly Endpoint[];
  readonly conns: readonly ConnectionSet[];
}

function sharedRow(model: PolicyModel, representative: EndpointClass): SharedRow {
  const { index } = model;
  const acc = new Map<Endpoint, ConnectionSet>();
  for (const d of model.openClasses('ingress')) {
    const conn = model.openAllowed(representative, d);
    if (isEmptyConnections(conn)) continue;
    for (const f of index.endpointsOfClass.get(d.id) ?? []) {
      const prev = acc.get(f);
      acc.set(f, prev ? unionConnections(prev, conn) : conn);
    }
  }
  return { endpoints: [...acc.keys()], conns: [...acc.values()] };
}

/**
 * Streams every allowed connection: endpoint pairs (classes folded into
 * endpoints, self pairs dropped) and endpoint/External ranges.
 *
 * A source endpoint whose classes all share one open group (or are all
 * unrestricted) reuses that group's shared row; only the endpoints its classes
 * name, or that name them, are computed pair by pair. Other sources fold their
 * classes' destinations directly.
 */
export function forEachConnection(model: ConnectivityModel, visit: (entry: ConnectivityEntry) => void): void {
  const { index, evaluator } = model;
  const refs: PeerRef[] = index.endpoints.map((e) => ({ kind: 'endpoint', id: e.id }));
  const groupOf = new Map<number, number>();
  evaluator.openGroups('egress').forEach((members, g) => {
    for (const c of members) groupOf.set(c.id, g);
  });
  const egressGroup = (c: EndpointClass): number =>
    evaluator.summary(c, 'egress').isolated ? (groupOf.get(c.id) ?? NO_OPEN_GROUP) : UNRESTRICTED;
  const rows = new Map<number, SharedRow>();

  for (const e of index.endpoints) {
    const ref = refs[e.position] as PeerRef;
    const classesOf = e.classIds.map((i) => index.classes[i] as EndpointClass);
    const groups = new Set(classesOf.map(egressGroup));
    const group = groups.size === 1 ? (groups.values().next().value as number) : NO_OPEN_GROUP;
    if (group === NO_OPEN_GROUP) {
      // Destinations of this endpoint, folded from its classes into endpoints.
      const acc = new Map<Endpoint, ConnectionSet>();
      for (const c of classesOf) {
        allowedFrom(evaluator, c, (dst, conn) => {
          for (const f of index.endpointsOfClass.get(dst.id) ?? []) {
            if (f === e) continue;
            const prev = acc.get(f);
            acc.set(f, prev ? unionConnections(prev, conn) : conn);
          }
        });
      }
      for (const [f, conn] of acc) visit({ src: ref, dst: refs[f.position] as PeerRef, conn });
    } else {
      let row = rows.get(group);
      if (!row) {
        row = sharedRow(evaluator, classesOf[0] as EndpointClass);
        rows.set(group, row);
      }
      // Endpoints with a class that names one of e's classes or is named by one: pair by pair.
      const named = new Set<Endpoint>();
      for (const c of classesOf) {
        const ids = [
          ...evaluator.namedBy('ingress', c.id),
          ...evaluator.summary(c, 'egress').specific.keys(),
        ];
        for (const id of ids) for (const f of index.endpointsOfClass.get(id) ?? []) named.add(f);
      }
      named.delete(e);
      const { endpoints, conns } = row;
      for (let i = 0; i < endpoints.length; i++) {
        const f = endpoints[i] as Endpoint;
        if (f === e || (named.size > 0 && named.has(f))) continue;
        visit({ src: ref, dst: refs[f.position] as PeerRef, conn: conns[i] as ConnectionSet });
      }
      for (const f of named) {
        let conn = NO_CONNECTIONS;
        for (const c of classesOf) {
          for (const id of f.classIds) {
            conn = unionConnections(conn, evaluator.allowed(c, index.classes[id] as EndpointClass));
          }
        }
        if (!isEmptyConnections(conn)) visit({ src: ref, dst: refs[f.position] as PeerRef, conn });
      }
    }
    const side = (direction: Direction): ExternalRange[] =>
      unionExternalRanges(classesOf.map((c) => externalRangesOf(evaluator.summary(c, direction), c)));
    for (const { range, conn } of side('egress')) visit({ src: ref, dst: { kind: 'external', range }, conn });
    for (const { range, conn } of side('ingress'))
      visit({ src: { kind: 'external', range }, dst: ref, conn });
  }
}

export function computeConnectivity(model: ConnectivityModel): Connectivity {
  const entries: ConnectivityEntry[] = [];
  forEachConnection(model, (e) => entries.push(e));
  return { endpoints: model.index.endpoints.map((e) => e.id), entries };
}

/** Connectivity of a snapshot with netpol-analyzer's endpoint conventions. */
export function connectivityOf(snapshot: ClusterSnapshot): Connectivity {
  return computeConnectivity(buildConnectivityModel(snapshot));
}
