/**
 * Connection sets: for each protocol (TCP, UDP, SCTP), the set of allowed
 * destination ports as an interval set over 1..65535. Immutable values;
 * `ALL_CONNECTIONS` and `NO_CONNECTIONS` are shared sentinels.
 */
import type { Protocol } from '../model/records.js';
import { PROTOCOLS } from '../model/records.js';
import type { Interval, IntervalSet } from './intervals.js';
import {
  EMPTY_INTERVALS,
  equalIntervals,
  intersectIntervals,
  normalizeIntervals,
  subtractIntervals,
  unionIntervals,
} from './intervals.js';

export const MIN_PORT = 1;
export const MAX_PORT = 65535;
const FULL_RANGE: IntervalSet = Object.freeze([Object.freeze([MIN_PORT, MAX_PORT] as const)]);

export type ConnectionSet = Readonly<Record<Protocol, IntervalSet>>;

export const NO_CONNECTIONS: ConnectionSet = Object.freeze({
  TCP: EMPTY_INTERVALS,
  UDP: EMPTY_INTERVALS,
  SCTP: EMPTY_INTERVALS,
});

export const ALL_CONNECTIONS: ConnectionSet = Object.freeze({
  TCP: FULL_RANGE,
  UDP: FULL_RANGE,
  SCTP: FULL_RANGE,
});

/** The ports `lo..hi` (inclusive; a single port when `hi` is omitted) of one protocol. */
export function connectionsOf(protocol: Protocol, lo: number, hi: number = lo): ConnectionSet {
  const ranges = normalizeIntervals([[Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)]]);
  return { ...NO_CONNECTIONS, [protocol]: ranges };
}

/** Every port of one protocol. */
export function allPortsOf(protocol: Protocol): ConnectionSet {
  return { ...NO_CONNECTIONS, [protocol]: FULL_RANGE };
}

function combine(
  a: ConnectionSet,
  b: ConnectionSet,
  op: (x: IntervalSet, y: IntervalSet) => IntervalSet,
): ConnectionSet {
  return { TCP: op(a.TCP, b.TCP), UDP: op(a.UDP, b.UDP), SCTP: op(a.SCTP, b.SCTP) };
}

export function unionConnections(a: ConnectionSet, b: ConnectionSet): ConnectionSet {
  if (a === ALL_CONNECTIONS || b === NO_CONNECTIONS) return a;
  if (b === ALL_CONNECTIONS || a === NO_CONNECTIONS) return b;
  return canonical(combine(a, b, unionIntervals));
}

/**
 * The union of many sets at once: one sort per protocol, O(n log n) in the
 * number of intervals (a fold of unionConnections is quadratic).
 */
export function unionAllConnections(sets: readonly ConnectionSet[]): ConnectionSet {
  const parts: Record<Protocol, Interval[]> = { TCP: [], UDP: [], SCTP: [] };
  for (const c of sets) {
    if (c === ALL_CONNECTIONS) return ALL_CONNECTIONS;
    for (const p of PROTOCOLS) for (const r of c[p]) parts[p].push(r);
  }
  return canonical({
    TCP: normalizeIntervals(parts.TCP),
    UDP: normalizeIntervals(parts.UDP),
    SCTP: normalizeIntervals(parts.SCTP),
  });
}

export function intersectConnections(a: ConnectionSet, b: ConnectionSet): ConnectionSet {
  if (a === ALL_CONNECTIONS || b === NO_CONNECTIONS) return b;
  if (b === ALL_CONNECTIONS || a === NO_CONNECTIONS) return a;
  return canonical(combine(a, b, intersectIntervals));
}

export function subtractConnections(a: ConnectionSet, b: ConnectionSet): ConnectionSet {
  if (b === NO_CONNECTIONS || a === NO_CONNECTIONS) return a;
  if (b === ALL_CONNECTIONS) return NO_CONNECTIONS;
  return canonical(combine(a, b, subtractIntervals));
}

export function isEmptyConnections(c: ConnectionSet): boolean {
  return c === NO_CONNECTIONS || (c.TCP.length === 0 && c.UDP.length === 0 && c.SCTP.length === 0);
}

export function isAllConnections(c: ConnectionSet): boolean {
  return c === ALL_CONNECTIONS || PROTOCOLS.every((p) => equalIntervals(c[p], FULL_RANGE));
}

export function equalConnections(a: ConnectionSet, b: ConnectionSet): boolean {
  return a === b || PROTOCOLS.every((p) => equalIntervals(a[p], b[p]));
}

/** True when `c` allows `port` of `protocol`. */
export function allowsPort(c: ConnectionSet, protocol: Protocol, port: number): boolean {
  return c[protocol].some(([lo, hi]) => port >= lo && port <= hi);
}

/** Maps sets equal to the sentinels onto the sentinels, so identity checks stay fast. */
function canonical(c: ConnectionSet): ConnectionSet {
  if (isEmptyConnections(c)) return NO_CONNECTIONS;
  if (isAllConnections(c)) return ALL_CONNECTIONS;
  return c;
}

/**
 * The canonical text form shared with netpol-analyzer: `All Connections`,
 * `No Connections`, or protocol groups sorted by name, e.g.
 * `SCTP 1-9002,9004-65535,TCP 80,UDP 53`.
 */
export function formatConnections(c: ConnectionSet): string {
  if (isEmptyConnections(c)) return 'No Connections';
  if (isAllConnections(c)) return 'All Connections';
  const groups: string[] = [];
  for (const p of PROTOCOLS) {
    const ranges = c[p];
    if (ranges.length === 0) continue;
    groups.push(`${p} ${ranges.map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`)).join(',')}`);
  }
  return groups.join(',');
}
