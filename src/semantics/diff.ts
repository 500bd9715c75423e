/**
 * The semantic connectivity diff of two snapshots: the pointwise comparison
 * of their connectivity. External ranges of both sides are cut at the
 * boundaries of both (shared atoms), compared piece by piece, and adjacent
 * pieces with the same before/after connections are merged again.
 */
import type { Connectivity, PeerRef } from './connectivity.js';
import type { ConnectionSet } from './connection-set.js';
import { NO_CONNECTIONS, equalConnections, isEmptyConnections, unionConnections } from './connection-set.js';
import type { IpRange } from './ip-set.js';
import { diffExternalRanges } from './external-ranges.js';

export type DiffType = 'added' | 'removed' | 'changed';

export interface DiffEntry {
  readonly type: DiffType;
  readonly src: PeerRef;
  readonly dst: PeerRef;
  readonly before: ConnectionSet;
  readonly after: ConnectionSet;
  /** Endpoints of this entry that exist on one side only (never External peers). */
  readonly workloads: readonly string[];
}

export interface ConnectivityDiff {
  readonly entries: readonly DiffEntry[];
  readonly addedEndpoints: readonly string[];
  readonly removedEndpoints: readonly string[];
}

interface Side {
  readonly pairs: Map<string, ConnectionSet>;
  /** key `endpointId\u0000direction` -> external pieces */
  readonly external: Map<string, { range: IpRange; conn: ConnectionSet }[]>;
}

const PAIR_SEP = '\u0000';

function indexSide(c: Connectivity): Side {
  const pairs = new Map<string, ConnectionSet>();
  const external = new Map<string, { range: IpRange; conn: ConnectionSet }[]>();
  for (const e of c.entries) {
    if (e.src.kind === 'endpoint' && e.dst.kind === 'endpoint') {
      const k = e.src.id + PAIR_SEP + e.dst.id;
      pairs.set(k, unionConnections(pairs.get(k) ?? NO_CONNECTIONS, e.conn));
    } else if (e.src.kind === 'endpoint' && e.dst.kind === 'external') {
      pushExternal(external, `${e.src.id}${PAIR_SEP}egress`, e.dst.range, e.conn);
    } else if (e.src.kind === 'external' && e.dst.kind === 'endpoint') {
      pushExternal(external, `${e.dst.id}${PAIR_SEP}ingress`, e.src.range, e.conn);
    }
  }
  return { pairs, external };
}

function pushExternal(
  m: Map<string, { range: IpRange; conn: ConnectionSet }[]>,
  key: string,
  range: IpRange,
  conn: ConnectionSet,
): void {
  const list = m.get(key);
  if (list) list.push({ range, conn });
  else m.set(key, [{ range, conn }]);
}

function classify(before: ConnectionSet, after: ConnectionSet): DiffType | null {
  const b = isEmptyConnections(before);
  const a = isEmptyConnections(after);
  if (b && a) return null;
  if (b) return 'added';
  if (a) return 'removed';
  return equalConnections(before, after) ? null : 'changed';
}

export function diffConnectivity(before: Connectivity, after: Connectivity): ConnectivityDiff {
  const b = indexSide(before);
  const a = indexSide(after);
  const beforeEndpoints = new Set(before.endpoints);
  const afterEndpoints = new Set(after.endpoints);
  const entries: DiffEntry[] = [];

  const onlyOneSide = (ids: readonly string[], type: DiffType): string[] => {
    if (type === 'changed') return [];
    const other = type === 'added' ? beforeEndpoints : afterEndpoints;
    return ids.filter((id) => !other.has(id));
  };

  for (const key of new Set([...b.pairs.keys(), ...a.pairs.keys()])) {
    const bc = b.pairs.get(key) ?? NO_CONNECTIONS;
    const ac = a.pairs.get(key) ?? NO_CONNECTIONS;
    const type = classify(bc, ac);
    if (type === null) continue;
    const [srcId, dstId] = key.split(PAIR_SEP) as [string, string];
    entries.push({
      type,
      src: { kind: 'endpoint', id: srcId },
      dst: { kind: 'endpoint', id: dstId },
      before: bc,
      after: ac,
      workloads: onlyOneSide([srcId, dstId], type),
    });
  }

  for (const key of new Set([...b.external.keys(), ...a.external.keys()])) {
    const [id, direction] = key.split(PAIR_SEP) as [string, 'ingress' | 'egress'];
    for (const piece of diffExternalRanges(b.external.get(key) ?? [], a.external.get(key) ?? [])) {
      const type = classify(piece.before, piece.after) as DiffType;
      const endpoint: PeerRef = { kind: 'endpoint', id };
      const ext: PeerRef = { kind: 'external', range: piece.range };
      entries.push({
        type,
        src: direction === 'egress' ? endpoint : ext,
        dst: direction === 'egress' ? ext : endpoint,
        before: piece.before,
        after: piece.after,
        workloads: onlyOneSide([id], type),
      });
    }
  }

  return {
    entries,
    addedEndpoints: after.endpoints.filter((e) => !beforeEndpoints.has(e)),
    removedEndpoints: before.endpoints.filter((e) => !afterEndpoints.has(e)),
  };
}
