/**
 * Sets of IP addresses (IPv4 and IPv6) as sorted, disjoint, non-adjacent
 * inclusive intervals of bigint addresses, one list per family. Used for
 * `ipBlock` peers and for the External address space. Immutable values.
 */
import ipaddr from 'ipaddr.js';
import type { Poll } from './interrupt.js';

export type IpFamily = 4 | 6;
export type IpInterval = readonly [bigint, bigint];

export interface IpSet {
  readonly v4: readonly IpInterval[];
  readonly v6: readonly IpInterval[];
}

export interface IpRange {
  readonly family: IpFamily;
  readonly lo: bigint;
  readonly hi: bigint;
}

const V4_MAX = (1n << 32n) - 1n;
const V6_MAX = (1n << 128n) - 1n;

export const EMPTY_IP_SET: IpSet = Object.freeze({ v4: [], v6: [] });
export const ALL_IPS: IpSet = Object.freeze({ v4: [[0n, V4_MAX] as const], v6: [[0n, V6_MAX] as const] });

function bytesToBigint(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 addresses stay IPv6. Returns null when invalid. */
export function parseAddress(text: string): { family: IpFamily; value: bigint } | null {
  // What ipaddr.parse accepts (IPv6 when there is a colon, else IPv4), parsed once: isValid and
  // parse each parse in full, so checking first, or ipaddr.parse, would parse two to four times.
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = text.includes(':') ? ipaddr.IPv6.parse(text) : ipaddr.IPv4.parse(text);
  } catch {
    return null;
  }
  return { family: addr.kind() === 'ipv4' ? 4 : 6, value: bytesToBigint(addr.toByteArray()) };
}

/** Parses `a.b.c.d/n` or `v6/n` (host bits are ignored, as Kubernetes does). Returns null when invalid. */
export function parseCidr(text: string): IpRange | null {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return null;
  }
  const [addr, prefix] = parsed;
  const family: IpFamily = addr.kind() === 'ipv4' ? 4 : 6;
  const bits = family === 4 ? 32n : 128n;
  const value = bytesToBigint(addr.toByteArray());
  const hostBits = bits - BigInt(prefix);
  const mask = (1n << hostBits) - 1n;
  const lo = value & ~mask & (family === 4 ? V4_MAX : V6_MAX);
  return { family, lo, hi: lo | mask };
}

function normalize(items: readonly IpInterval[]): IpInterval[] {
  const sorted = [...items].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    if (a > b) continue;
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) last[1] = last[1] > b ? last[1] : b;
    else out.push([a, b]);
  }
  return out;
}

/** `a` minus `b`, both sorted and disjoint: one pass over each. */
function subtractList(a: readonly IpInterval[], b: readonly IpInterval[]): IpInterval[] {
  if (b.length === 0) return [...a];
  const out: IpInterval[] = [];
  let j = 0;
  for (const [x, y] of a) {
    let lo = x;
    while (j < b.length && (b[j] as IpInterval)[1] < lo) j++;
    for (let k = j; k < b.length && lo <= y; k++) {
      const [blo, bhi] = b[k] as IpInterval;
      if (blo > y) break;
      if (blo > lo) out.push([lo, blo - 1n]);
      if (bhi + 1n > lo) lo = bhi + 1n;
    }
    if (lo <= y) out.push([lo, y]);
  }
  return out;
}

function intersectList(a: readonly IpInterval[], b: readonly IpInterval[]): IpInterval[] {
  const out: IpInterval[] = [];
  for (const [x, y] of a) {
    for (const [lo, hi] of b) {
      const l = x > lo ? x : lo;
      const h = y < hi ? y : hi;
      if (l <= h) out.push([l, h]);
    }
  }
  return normalize(out);
}

export function ipSetOfRange(r: IpRange): IpSet {
  return r.family === 4 ? { v4: [[r.lo, r.hi]], v6: [] } : { v4: [], v6: [[r.lo, r.hi]] };
}

export function unionIpSets(a: IpSet, b: IpSet): IpSet {
  return { v4: normalize([...a.v4, ...b.v4]), v6: normalize([...a.v6, ...b.v6]) };
}

export function subtractIpSets(a: IpSet, b: IpSet): IpSet {
  return { v4: subtractList(a.v4, b.v4), v6: subtractList(a.v6, b.v6) };
}

export function intersectIpSets(a: IpSet, b: IpSet): IpSet {
  return { v4: intersectList(a.v4, b.v4), v6: intersectList(a.v6, b.v6) };
}

export function isEmptyIpSet(a: IpSet): boolean {
  return a.v4.length === 0 && a.v6.length === 0;
}

export function ipSetContains(set: IpSet, family: IpFamily, value: bigint): boolean {
  const list = family === 4 ? set.v4 : set.v6;
  let lo = 0;
  let hi = list.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = list[mid] as IpInterval;
    if (value < a) hi = mid - 1;
    else if (value > b) lo = mid + 1;
    else return true;
  }
  return false;
}

/** True when `set` contains any of the given addresses. */
export function ipSetContainsAnyAddress(set: IpSet, addresses: readonly string[]): boolean {
  for (const a of addresses) {
    const p = parseAddress(a);
    if (p && ipSetContains(set, p.family, p.value)) return true;
  }
  return false;
}

/**
 * `cidr` minus every `except`: the addresses an ipBlock peer matches. The
 * excepts are sorted and merged first, then subtracted in one pass:
 * O(n log n) in the number of excepts. `poll` is called once per except.
 */
export function ipBlockToSet(cidr: string, except: readonly string[], poll?: Poll): IpSet {
  const base = parseCidr(cidr);
  if (!base) return EMPTY_IP_SET;
  const set = ipSetOfRange(base);
  if (except.length === 0) return set;
  const cut: Record<IpFamily, IpInterval[]> = { 4: [], 6: [] };
  for (const e of except) {
    poll?.();
    const r = parseCidr(e);
    if (r) cut[r.family].push([r.lo, r.hi]);
  }
  return subtractIpSets(set, { v4: normalize(cut[4]), v6: normalize(cut[6]) });
}

export function ipSetRanges(set: IpSet): IpRange[] {
  return [
    ...set.v4.map(([lo, hi]) => ({ family: 4 as const, lo, hi })),
    ...set.v6.map(([lo, hi]) => ({ family: 6 as const, lo, hi })),
  ];
}

export function formatAddress(family: IpFamily, value: bigint): string {
  const bytes: number[] = [];
  const n = family === 4 ? 4 : 16;
  for (let i = n - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
  return ipaddr.fromByteArray(bytes).toString();
}

/** `A-B` as netpol-analyzer prints ranges (single addresses too: `A-A`). */
export function formatIpRange(r: IpRange): string {
  return `${formatAddress(r.family, r.lo)}-${formatAddress(r.family, r.hi)}`;
}

export function compareIpRanges(a: IpRange, b: IpRange): number {
  if (a.family !== b.family) return a.family - b.family;
  return a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.hi < b.hi ? -1 : a.hi > b.hi ? 1 : 0;
}

/**
 * Cuts the whole address space into disjoint atoms at the boundaries of the
 * given sets: every given set is a union of atoms. Returns atoms in order,
 * IPv4 first.
 */
export function atomizeAddressSpace(sets: readonly IpSet[]): IpRange[] {
  const atoms: IpRange[] = [];
  for (const family of [4, 6] as const) {
    const max = family === 4 ? V4_MAX : V6_MAX;
    const cuts = new Set<bigint>([0n]);
    for (const s of sets) {
      for (const [lo, hi] of family === 4 ? s.v4 : s.v6) {
        cuts.add(lo);
        if (hi < max) cuts.add(hi + 1n);
      }
    }
    const starts = [...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    for (let i = 0; i < starts.length; i++) {
      const lo = starts[i] as bigint;
      const next = starts[i + 1];
      atoms.push({ family, lo, hi: next === undefined ? max : next - 1n });
    }
  }
  return atoms;
}
