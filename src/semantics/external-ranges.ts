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
import { ALL_IPS } from './ip-set.js';
import type { SideSummary } from './policy-model.js';

export interface ExternalRange {
  readonly range: IpRange;
  readonly conn: ConnectionSet;
}

const FAMILY_MAX: Record<IpFamily, bigint> = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

function wholeSpace(conn: ConnectionSet): ExternalRange[] {
  return ([4, 6] as const).map((family) => ({ range: { family, lo: 0n, hi: FAMILY_MAX[family] }, conn }));
}

/** An interval of one family carrying connections, on one side of a sweep (0, or 1 for a diff's after). */
interface Span {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly conn: ConnectionSet;
  readonly side: 0 | 1;
}

/**
 * Cuts one family's space [0, max] at every boundary of the spans and calls
 * `piece` for each piece in order, with the union of the connections of the
 * spans covering it on each side. O(n log n) plus, per piece, the spans
 * covering it (one or two when the spans of a side are disjoint).
 */
function sweepSpans(
  spans: readonly Span[],
  max: bigint,
  piece: (lo: bigint, hi: bigint, conn: readonly [ConnectionSet, ConnectionSet]) => void,
): void {
  const events: { readonly at: bigint; readonly span: number; readonly start: boolean }[] = [];
  spans.forEach((s, span) => {
    if (s.lo > s.hi) return;
    events.push({ at: s.lo, span, start: true });
    if (s.hi < max) events.push({ at: s.hi + 1n, span, start: false });
  });
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  const active = [new Set<number>(), new Set<number>()] as const;
  const unionOf = (set: ReadonlySet<number>): ConnectionSet => {
    let conn = NO_CONNECTIONS;
    for (const i of set) conn = unionConnections(conn, (spans[i] as Span).conn);
    return conn;
  };
  let e = 0;
  let lo = 0n;
  for (;;) {
    for (; e < events.length && (events[e] as (typeof events)[number]).at === lo; e++) {
      const ev = events[e] as (typeof events)[number];
      const set = active[(spans[ev.span] as Span).side];
      if (ev.start) set.add(ev.span);
      else set.delete(ev.span);
    }
    const next = e < events.length ? (events[e] as (typeof events)[number]).at : max + 1n;
    piece(lo, next - 1n, [unionOf(active[0]), unionOf(active[1])]);
    if (next > max) return;
    lo = next;
  }
}

function spansOf(family: IpFamily, ips: IpSet, conn: ConnectionSet): Span[] {
  return (family === 4 ? ips.v4 : ips.v6).map(([lo, hi]) => ({ lo, hi, conn, side: 0 }));
}

/** Cuts the space at the boundaries of weighted sets and unions the weights per piece; drops empty pieces. */
export function sweepWeightedSets(
  items: readonly { readonly ips: IpSet; readonly conn: ConnectionSet }[],
): ExternalRange[] {
  const out: ExternalRange[] = [];
  for (const family of [4, 6] as const) {
    const spans = items.flatMap((it) => spansOf(family, it.ips, it.conn));
    sweepSpans(spans, FAMILY_MAX[family], (lo, hi, [conn]) => {
      if (isEmptyConnections(conn)) return;
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
    });
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

/**
 * Compares two range lists over the address space: cuts both at every
 * boundary (shared atoms), keeps the pieces whose connections differ, and
 * merges adjacent pieces with the same before and after. Ranges of a list
 * may overlap (their connections are united).
 */
export function diffExternalRanges(
  before: readonly ExternalRange[],
  after: readonly ExternalRange[],
): RangeChange[] {
  const out: RangeChange[] = [];
  for (const family of [4, 6] as const) {
    const spans: Span[] = [];
    for (const [side, list] of [
      [0, before],
      [1, after],
    ] as const) {
      for (const { range, conn } of list) {
        if (range.family === family) spans.push({ lo: range.lo, hi: range.hi, conn, side });
      }
    }
    if (spans.length === 0) continue;
    sweepSpans(spans, FAMILY_MAX[family], (lo, hi, [b, a]) => {
      if (equalConnections(b, a)) return;
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
    });
  }
  return out;
}
