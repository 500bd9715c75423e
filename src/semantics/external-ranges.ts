/**
 * What a class's side allows to or from the External address space, as
 * merged ranges: the side's rules without peers cover the whole space, its
 * ipBlock rules their address sets; the space is cut where those sets begin
 * and end, and each piece gets the union of the rules covering it.
 */
import type { EndpointClass } from './classes.js';
import type { CompiledPorts } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  equalConnections,
  isEmptyConnections,
  unionConnections,
} from './connection-set.js';
import { resolveRulePorts } from './evaluate.js';
import type { PeerEndpoint } from './evaluate.js';
import type { IpFamily, IpRange, IpSet } from './ip-set.js';
import { ALL_IPS, ipSetContains } from './ip-set.js';
import type { SideSummary } from './policy-model.js';

export interface ExternalRange {
  readonly range: IpRange;
  readonly conn: ConnectionSet;
}

const FAMILY_MAX: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

function wholeSpace(conn: ConnectionSet): ExternalRange[] {
  return ([4, 6] as const).map((family) => ({ range: { family, lo: 0n, hi: FAMILY_MAX[family] }, conn }));
}

/** Cuts the space at the boundaries of weighted sets and unions the weights per piece; drops empty pieces. */
export function sweepWeightedSets(
  items: readonly { readonly ips: IpSet; readonly conn: ConnectionSet }[],
): ExternalRange[] {
  const out: ExternalRange[] = [];
  for (const family of [4, 6] as const) {
    const max = FAMILY_MAX[family];
    const cuts = new Set<bigint>([0n]);
    for (const { ips } of items) {
      for (const [lo, hi] of family === 4 ? ips.v4 : ips.v6) {
        cuts.add(lo);
        if (hi < max) cuts.add(hi + 1n);
      }
    }
    const starts = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (let i = 0; i < starts.length; i++) {
      const lo = starts[i] as bigint;
      const hi = i + 1 < starts.length ? (starts[i + 1] as bigint) - 1n : max;
      let conn = NO_CONNECTIONS;
      for (const it of items) if (ipSetContains(it.ips, family, lo)) conn = unionConnections(conn, it.conn);
      if (isEmptyConnections(conn)) continue;
      const last = out[out.length - 1];
      if (
        last &&
        last.range.family === family &&
        last.range.hi + 1n === lo &&
        equalConnections(last.conn, conn)
      ) {
        out[out.length - 1] = { range: { family, lo: last.range.lo, hi }, conn };
      } else {
        out.push({ range: { family, lo, hi }, conn });
      }
    }
  }
  return out;
}

/** The External ranges a side allows (egress: to them; ingress: from them). */
export function externalRangesOf(summary: SideSummary, self: EndpointClass): ExternalRange[] {
  if (!summary.isolated) return wholeSpace(ALL_CONNECTIONS);
  const external: PeerEndpoint = { kind: 'external', atom: { family: 4, lo: 0n, hi: 0n } };
  const dst: PeerEndpoint = summary.direction === 'ingress' ? { kind: 'class', cls: self } : external;
  const resolve = (ports: CompiledPorts): ConnectionSet => resolveRulePorts(ports, dst);
  const items = [
    ...summary.open.map((ports) => ({ ips: ALL_IPS, conn: resolve(ports) })),
    ...summary.external.map((e) => ({ ips: e.ips, conn: resolve(e.ports) })),
  ].filter((i) => !isEmptyConnections(i.conn));
  return sweepWeightedSets(items);
}

/** Union of several range lists (an endpoint made of several classes). */
export function unionExternalRanges(lists: readonly (readonly ExternalRange[])[]): ExternalRange[] {
  if (lists.length === 1) return [...(lists[0] as ExternalRange[])];
  const items = lists.flat().map((r) => ({
    ips:
      r.range.family === 4
        ? { v4: [[r.range.lo, r.range.hi] as const], v6: [] }
        : { v4: [], v6: [[r.range.lo, r.range.hi] as const] },
    conn: r.conn,
  }));
  return sweepWeightedSets(items);
}

export interface RangeChange {
  range: IpRange;
  readonly before: ConnectionSet;
  readonly after: ConnectionSet;
}

/** The connections of (possibly overlapping) ranges at one address: their union. */
function connectionsAt(list: readonly ExternalRange[], family: IpFamily, address: bigint): ConnectionSet {
  let out = NO_CONNECTIONS;
  for (const { range, conn } of list) {
    if (range.family === family && range.lo <= address && address <= range.hi)
      out = unionConnections(out, conn);
  }
  return out;
}

/**
 * Compares two range lists over the address space: cuts both at every
 * boundary (shared atoms), keeps the pieces whose connections differ, and
 * merges adjacent pieces with the same before and after.
 */
export function diffExternalRanges(
  before: readonly ExternalRange[],
  after: readonly ExternalRange[],
): RangeChange[] {
  const out: RangeChange[] = [];
  for (const family of [4, 6] as const) {
    const cuts = new Set<bigint>();
    for (const { range } of [...before, ...after]) {
      if (range.family !== family) continue;
      cuts.add(range.lo);
      cuts.add(range.hi + 1n);
    }
    const points = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (let i = 0; i + 1 < points.length; i++) {
      const lo = points[i] as bigint;
      const hi = (points[i + 1] as bigint) - 1n;
      const b = connectionsAt(before, family, lo);
      const a = connectionsAt(after, family, lo);
      if (equalConnections(b, a)) continue;
      const last = out[out.length - 1];
      if (
        last &&
        last.range.family === family &&
        last.range.hi + 1n === lo &&
        equalConnections(last.before, b) &&
        equalConnections(last.after, a)
      ) {
        last.range = { family, lo: last.range.lo, hi };
      } else {
        out.push({ range: { family, lo, hi }, before: b, after: a });
      }
    }
  }
  return out;
}
