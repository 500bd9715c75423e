/**
 * connectivity-lost: a summary of what the change takes away — how many
 * workload pairs (and workload/External pairs) lose connections. Pairs are
 * counted, not materialised: only the first lines of the detail are
 * rendered, so a change that cuts off thousands of pairs stays cheap.
 */
import type { CheckFinding } from '../model/findings.js';
import type { Endpoint, EndpointClass } from '../semantics/classes.js';
import { formatConnections, isEmptyConnections } from '../semantics/connection-set.js';
import { addCountingNew, emptyBitset, hasBit, setBit } from '../semantics/bitset.js';
import { pollEvery } from '../semantics/interrupt.js';
import type { ClassGroup, ImpactPeer } from '../semantics/impact.js';
import { formatIpRange } from '../semantics/ip-set.js';
import type { CheckContext, Check } from './context.js';
import { bulletList, clip, plural } from './messages.js';

/** How many lost connections the detail lists before summarising the rest. */
export const DETAIL_LIMIT = 50;

type Side =
  | { readonly kind: 'classes'; readonly list: readonly EndpointClass[] }
  | { readonly kind: 'external'; readonly label: string };

function sideOf(p: ImpactPeer): Side {
  switch (p.kind) {
    case 'class':
      return { kind: 'classes', list: [p.cls] };
    case 'group':
      return { kind: 'classes', list: p.classes() };
    case 'external':
      return { kind: 'external', label: `${formatIpRange(p.range)}[External]` };
  }
}

function run(ctx: CheckContext): CheckFinding[] {
  const index = ctx.model.index;
  const endpointsOf = (c: EndpointClass): readonly Endpoint[] => index.endpointsOfClass.get(c.id) ?? [];
  // A pair can come from two impact entries only through an endpoint made of several classes;
  // such pairs are kept by the change's own endpoints (see PairsSeen).
  const affected = new Set<Endpoint>();
  for (const c of ctx.model.affected) for (const e of endpointsOf(c)) affected.add(e);
  const seen = new PairsSeen(index.endpoints.length, [...affected]);
  const seenExternal = new Set<string>();
  let workloadPairs = 0;
  const lines: string[] = [];
  const firstPairs: string[] = [];
  const poll = pollEvery(ctx.interrupt, 'connectivity-lost');
  // Whether every endpoint of a class lies in that class alone: then its pairs are counted by
  // multiplication (no other impact entry can list them), not one by one.
  const singleClass = new Map<number, boolean>();
  const single = (c: EndpointClass): boolean => {
    let known = singleClass.get(c.id);
    if (known === undefined) {
      known = endpointsOf(c).every((x) => x.classIds.length === 1);
      singleClass.set(c.id, known);
    }
    return known;
  };
  // Through an endpoint made of several classes, two entries can sample the same pair: known by
  // position, before any text is built for it.
  const sampled = new Set<number>();
  const sample = (s: Endpoint, d: Endpoint, lost: string): void => {
    const key = s.position * index.endpoints.length + d.position;
    if (sampled.has(key)) return;
    sampled.add(key);
    const pair = `${s.id} => ${d.id}`;
    firstPairs.push(pair);
    lines.push(`${pair} : loses ${lost}`);
  };
  // An endpoint is never paired with itself (as in connectivity): its pods' connections to
  // themselves are always allowed, and those between replicas of one workload are not listed.
  for (const e of ctx.impact) {
    poll();
    if (isEmptyConnections(e.lost)) continue;
    const lost = formatConnections(e.lost);
    // A class against a group: counted by the group's endpoints, and sampled for the detail.
    const grouped = e.src.kind === 'group' ? e.src : e.dst.kind === 'group' ? e.dst : null;
    const other = grouped === e.src ? e.dst : e.src;
    if (grouped && other.kind === 'class') {
      const mine = endpointsOf(other.cls);
      for (const x of mine) workloadPairs += seen.addWithGroup(x, grouped, grouped === e.dst);
      sampling: for (const c of grouped.sample(DETAIL_LIMIT)) {
        for (const x of endpointsOf(c)) {
          for (const y of mine) {
            if (firstPairs.length >= DETAIL_LIMIT) break sampling;
            if (x === y) continue;
            if (grouped === e.src) sample(x, y, lost);
            else sample(y, x, lost);
          }
        }
      }
      continue;
    }
    const src = sideOf(e.src);
    const dst = sideOf(e.dst);
    if (src.kind === 'classes' && dst.kind === 'classes') {
      for (const sc of src.list) {
        const sources = endpointsOf(sc);
        const singleSource = single(sc);
        for (const dc of dst.list) {
          const destinations = endpointsOf(dc);
          if (singleSource && single(dc)) {
            poll();
            workloadPairs +=
              sources.length * (sc.id === dc.id ? destinations.length - 1 : destinations.length);
            sampling: for (const s of sources) {
              for (const d of destinations) {
                if (firstPairs.length >= DETAIL_LIMIT) break sampling;
                if (s !== d) sample(s, d, lost);
              }
            }
            continue;
          }
          for (const s of sources) {
            for (const d of destinations) {
              poll();
              if (s === d) continue;
              if ((s.classIds.length > 1 || d.classIds.length > 1) && !seen.add(s, d)) continue;
              workloadPairs++;
              if (firstPairs.length < DETAIL_LIMIT) sample(s, d, lost);
            }
          }
        }
      }
      continue;
    }
    const names = (x: Side): string[] =>
      x.kind === 'external' ? [x.label] : x.list.flatMap((c) => endpointsOf(c).map((y) => y.id));
    for (const s of names(src)) {
      for (const d of names(dst)) {
        const key = `${s} => ${d}`;
        if (seenExternal.has(key)) continue;
        seenExternal.add(key);
        if (lines.length < 2 * DETAIL_LIMIT) lines.push(`${key} : loses ${lost}`);
      }
    }
  }
  const total = workloadPairs + seenExternal.size;
  if (total === 0) return [];
  const parts = [
    workloadPairs > 0 ? plural(workloadPairs, 'workload pair') : null,
    seenExternal.size > 0 ? plural(seenExternal.size, 'workload/External pair') : null,
  ].filter((x): x is string => x !== null);
  const first = firstPairs[0] ?? lines[0]?.split(' : ')[0] ?? '';
  const listed = lines.sort().slice(0, DETAIL_LIMIT);
  const more = total > listed.length ? `\n  … and ${total - listed.length} more` : '';
  return [
    {
      rule: 'connectivity-lost',
      message: clip(`${ctx.policyRef} removes connections for ${parts.join(' and ')} (e.g. ${first})`),
      subjects: firstPairs.sort(),
      detail: `Connections lost through this ${ctx.change.operation}:\n${bulletList(listed)}${more}`,
    },
  ];
}

/**
 * The pairs already counted among those with an endpoint made of several classes (a StatefulSet's
 * pods are one class each): such a pair can come from several impact entries. A pair of
 * single-class endpoints comes from one entry only, and is counted without being kept.
 *
 * Every entry has a class the change selects (an affected class) on one side, so every pair has
 * an affected endpoint. A pair is kept by its source when the source is affected, else by its
 * destination: only affected endpoints keep pairs, each in a bitset over every endpoint, one as
 * a source and one as a destination. Against a group, an affected endpoint then merges the
 * group's bitsets into its own, a word at a time, whatever the group holds; only the group's
 * affected endpoints, which keep their pairs as sources, are marked one by one.
 *
 * Before, a pair of a single-class endpoint with a StatefulSet was kept by the StatefulSet: a
 * namespace's ingress locked down in an L cluster without policies marked each of its workloads
 * in a bitset per StatefulSet of the cluster (9,143), one pair at a time: 113–134 ms per analysis.
 */
class PairsSeen {
  readonly #asSource = new Map<number, Uint32Array>();
  readonly #asDestination = new Map<number, Uint32Array>();
  readonly #endpoints: number;
  readonly #affectedBits: Uint32Array;
  readonly #affected: readonly Endpoint[];

  /** Over `endpoints` endpoints, of which `affected` are those of the classes the change selects. */
  constructor(endpoints: number, affected: readonly Endpoint[]) {
    this.#endpoints = endpoints;
    this.#affectedBits = emptyBitset(endpoints);
    for (const e of affected) setBit(this.#affectedBits, e.position);
    this.#affected = affected;
  }

  /** Marks the pair; true when it was not marked yet. One of the two spans several classes. */
  add(s: Endpoint, d: Endpoint): boolean {
    return hasBit(this.#affectedBits, s.position)
      ? this.#mark(this.#asSource, s.position, d.position)
      : this.#mark(this.#asDestination, d.position, s.position);
  }

  /**
   * Marks the pairs of the affected endpoint `x` with every endpoint of the group but itself,
   * `x` as the source when `toGroup`; the number of them not marked yet.
   */
  addWithGroup(x: Endpoint, group: ClassGroup, toGroup: boolean): number {
    const members = group.endpoints();
    const multi = x.classIds.length > 1;
    // Pairs of two single-class endpoints: counted, not kept.
    let added = multi ? 0 : members.singleCount - (group.has(x.classIds[0] as number) ? 1 : 0);
    if (toGroup) {
      // x is an affected source: it keeps every pair with a multi-class endpoint itself.
      const own = this.#bitsOf(this.#asSource, x.position);
      if (multi) added += addCountingNew(own, members.singleBits(), null);
      return added + addCountingNew(own, members.multiBits(), null);
    }
    // x is the destination: a source keeps the pair when it is affected, x otherwise.
    const own = this.#bitsOf(this.#asDestination, x.position);
    if (multi) added += addCountingNew(own, members.singleBits(), this.#affectedBits);
    added += addCountingNew(own, members.multiBits(), this.#affectedBits);
    for (const y of this.#affected) {
      if (y === x || (!multi && y.classIds.length === 1) || !y.classIds.some((id) => group.has(id))) continue;
      if (this.#mark(this.#asSource, y.position, x.position)) added++;
    }
    return added;
  }

  /** The bitset of `owner`, made on first use with the owner's own bit set (never a pair). */
  #bitsOf(bitsets: Map<number, Uint32Array>, owner: number): Uint32Array {
    let bits = bitsets.get(owner);
    if (bits === undefined) {
      bits = emptyBitset(this.#endpoints);
      setBit(bits, owner);
      bitsets.set(owner, bits);
    }
    return bits;
  }

  #mark(bitsets: Map<number, Uint32Array>, owner: number, other: number): boolean {
    const bits = this.#bitsOf(bitsets, owner);
    if (hasBit(bits, other)) return false;
    setBit(bits, other);
    return true;
  }
}

export const connectivityLost: Check = {
  id: 'connectivity-lost',
  defaultSeverity: 'info',
  summary: 'summary: how many workload pairs lose connections through this change',
  reportsLossesOnly: true,
  run,
};
