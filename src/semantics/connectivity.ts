/**
 * Full connectivity of a snapshot: every allowed connection between
 * endpoints, and between endpoints and External address ranges.
 *
 * Work is done per class pair (cached), then folded into endpoint pairs, so a
 * cluster costs O(classes^2 + endpoints^2) evaluations of cheap unions rather
 * than O(pods^2).
 */
import type { ClusterSnapshot } from '../model/records.js';
import type { ClassIndex, Endpoint, EndpointClass } from './classes.js';
import { buildClassIndex } from './classes.js';
import type { CompiledPolicy } from './compile.js';
import { collectIpBlockSets, compilePolicy } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import { NO_CONNECTIONS, equalConnections, isEmptyConnections, unionConnections } from './connection-set.js';
import type { EndpointOptions } from './endpoints.js';
import { CONNECTIVITY_ENDPOINTS, listEndpoints } from './endpoints.js';
import type { Evaluator } from './evaluate.js';
import { createEvaluator } from './evaluate.js';
import type { IpRange } from './ip-set.js';

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

/** Union of `f` over all class pairs of two endpoints. */
function foldClasses<A, B>(
  a: readonly A[],
  b: readonly B[],
  f: (x: A, y: B) => ConnectionSet,
): ConnectionSet {
  let out = NO_CONNECTIONS;
  for (const x of a) for (const y of b) out = unionConnections(out, f(x, y));
  return out;
}

/** Merges adjacent atoms of the same family with equal connections. */
function mergeAtomRuns(
  items: readonly { atom: IpRange; conn: ConnectionSet }[],
): { range: IpRange; conn: ConnectionSet }[] {
  const out: { range: IpRange; conn: ConnectionSet }[] = [];
  for (const { atom, conn } of items) {
    const last = out[out.length - 1];
    if (
      last &&
      last.range.family === atom.family &&
      last.range.hi + 1n === atom.lo &&
      equalConnections(last.conn, conn)
    ) {
      last.range = { ...last.range, hi: atom.hi };
    } else {
      out.push({ range: atom, conn });
    }
  }
  return out;
}

export interface ConnectivityModel {
  readonly index: ClassIndex;
  readonly evaluator: Evaluator;
}

/** Classes and evaluator for one snapshot (used by connectivity, explain and diff). */
export function buildConnectivityModel(
  snapshot: ClusterSnapshot,
  options: EndpointOptions = CONNECTIVITY_ENDPOINTS,
  extraPolicies: readonly CompiledPolicy[] = [],
): ConnectivityModel {
  const policies = snapshot.policies.map(compilePolicy);
  const index = buildClassIndex(
    listEndpoints(snapshot, options),
    snapshot.namespaces,
    collectIpBlockSets([...policies, ...extraPolicies]),
  );
  return { index, evaluator: createEvaluator(policies) };
}

export function computeConnectivity(model: ConnectivityModel): Connectivity {
  const { index, evaluator } = model;
  const classes = index.classes;
  const n = classes.length;
  const pairCache = new Map<number, ConnectionSet>();
  const classAllowed = (src: EndpointClass, dst: EndpointClass): ConnectionSet => {
    const key = src.id * n + dst.id;
    let c = pairCache.get(key);
    if (c === undefined) {
      c = evaluator.allowed(src, dst);
      pairCache.set(key, c);
    }
    return c;
  };
  const classesOf = (e: Endpoint): EndpointClass[] => e.classIds.map((i) => classes[i] as EndpointClass);

  const entries: ConnectivityEntry[] = [];
  const endpoints = index.endpoints;
  for (const src of endpoints) {
    const srcClasses = classesOf(src);
    const srcRef: PeerRef = { kind: 'endpoint', id: src.id };
    for (const dst of endpoints) {
      if (dst === src) continue;
      const conn = foldClasses(srcClasses, classesOf(dst), classAllowed);
      if (!isEmptyConnections(conn))
        entries.push({ src: srcRef, dst: { kind: 'endpoint', id: dst.id }, conn });
    }
    const egress = mergeAtomRuns(
      index.atoms.map((atom) => ({
        atom,
        conn: foldClasses(srcClasses, [atom], (c, a) => evaluator.allowedToExternal(c, a)),
      })),
    );
    for (const { range, conn } of egress) {
      if (!isEmptyConnections(conn)) entries.push({ src: srcRef, dst: { kind: 'external', range }, conn });
    }
    const ingress = mergeAtomRuns(
      index.atoms.map((atom) => ({
        atom,
        conn: foldClasses([atom], srcClasses, (a, c) => evaluator.allowedFromExternal(a, c)),
      })),
    );
    for (const { range, conn } of ingress) {
      if (!isEmptyConnections(conn)) entries.push({ src: { kind: 'external', range }, dst: srcRef, conn });
    }
  }
  return { endpoints: endpoints.map((e) => e.id), entries };
}

/** Connectivity of a snapshot with netpol-analyzer's endpoint conventions. */
export function connectivityOf(snapshot: ClusterSnapshot): Connectivity {
  return computeConnectivity(buildConnectivityModel(snapshot));
}
