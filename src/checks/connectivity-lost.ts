/**
 * connectivity-lost: a summary of what the change takes away — how many
 * workload pairs (and workload/External pairs) lose connections. Pairs are
 * counted, not materialised: only the first lines of the detail are
 * rendered, so a change that cuts off thousands of pairs stays cheap.
 */
import type { CheckFinding } from '../model/findings.js';
import type { Endpoint, EndpointClass } from '../semantics/classes.js';
import { formatConnections, isEmptyConnections } from '../semantics/connection-set.js';
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
  // A pair can come from two impact entries only through an endpoint made of several classes.
  const seen = new PairsSeen(index.endpoints.length);
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
      for (const x of mine) workloadPairs += seen.addWithGroup(x, grouped, grouped === e.dst, other.cls.id);
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
 * pods are one class each): a bit per pair, in a bitset per such endpoint (over the destinations
 * of a source made of several classes, or else over the sources of such a destination),
 * allocated when the endpoint is first met. A pair of single-class endpoints comes from one
 * impact entry only, and is counted without marking.
 *
 * Against a group, a single-class endpoint counts the group's single-class endpoints at once and
 * marks its pairs with the group's multi-class ones; a multi-class source merges the group's
 * bitsets (single- and multi-class endpoints) into its own, a word at a time; a multi-class
 * destination merges the single-class ones and marks the multi-class ones. Before, every pair
 * of a multi-class endpoint with a group was marked one by one, through every member class of
 * the group, once per impact entry (once per pod of the StatefulSet).
 */
class PairsSeen {
  readonly #bySource = new Map<number, Uint32Array>();
  readonly #byDestination = new Map<number, Uint32Array>();
  readonly #words: number;

  constructor(endpoints: number) {
    this.#words = (endpoints + 31) >>> 5;
  }

  /** Marks the pair; true when it was not marked yet. One of the two spans several classes. */
  add(s: Endpoint, d: Endpoint): boolean {
    return s.classIds.length > 1
      ? this.#mark(this.#bySource, s.position, d.position)
      : this.#mark(this.#byDestination, d.position, s.position);
  }

  /**
   * Marks the pairs of `x` (of class `xClass`) with every endpoint of the group but itself,
   * `x` as the source when `toGroup`; the number of them not marked yet.
   */
  addWithGroup(x: Endpoint, group: ClassGroup, toGroup: boolean, xClass: number): number {
    const members = group.endpoints();
    if (x.classIds.length > 1) {
      if (toGroup) {
        // Every pair of x as the source is in x's own bitset: the group's bits, merged.
        const own = this.#bitsOf(this.#bySource, x.position);
        return mergeCountingNew(own, members.singleBits()) + mergeCountingNew(own, members.multiBits());
      }
      // Single-class sources: x's bitset by destination; multi-class ones: each source's own.
      let added = mergeCountingNew(this.#bitsOf(this.#byDestination, x.position), members.singleBits());
      for (const m of members.multi())
        if (m !== x && this.#mark(this.#bySource, m.position, x.position)) added++;
      return added;
    }
    let added = members.singleCount - (group.has(xClass) ? 1 : 0);
    for (const m of members.multi()) {
      const marked = toGroup
        ? this.#mark(this.#byDestination, m.position, x.position)
        : this.#mark(this.#bySource, m.position, x.position);
      if (marked) added++;
    }
    return added;
  }

  /** The bitset of `owner`, made on first use with the owner's own bit set (never a pair). */
  #bitsOf(bitsets: Map<number, Uint32Array>, owner: number): Uint32Array {
    let bits = bitsets.get(owner);
    if (bits === undefined) {
      bits = new Uint32Array(this.#words);
      bits[owner >>> 5] = 1 << (owner & 31);
      bitsets.set(owner, bits);
    }
    return bits;
  }

  #mark(bitsets: Map<number, Uint32Array>, owner: number, other: number): boolean {
    const bits = this.#bitsOf(bitsets, owner);
    const word = other >>> 5;
    const bit = 1 << (other & 31);
    const marked = bits[word] as number;
    if ((marked & bit) !== 0) return false;
    bits[word] = marked | bit;
    return true;
  }
}

/** Sets in `into` every bit of `from`; how many were not set yet. */
function mergeCountingNew(into: Uint32Array, from: Uint32Array): number {
  let added = 0;
  for (let i = 0; i < from.length; i++) {
    const fresh = (from[i] as number) & ~(into[i] as number);
    if (fresh === 0) continue;
    added += bitCount(fresh);
    into[i] = (into[i] as number) | fresh;
  }
  return added;
}

function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export const connectivityLost: Check = {
  id: 'connectivity-lost',
  defaultSeverity: 'info',
  summary: 'summary: how many workload pairs lose connections through this change',
  run,
};
