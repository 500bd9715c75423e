/**
 * Impact of one NetworkPolicy change.
 *
 * A change to policy P (CREATE, UPDATE or DELETE) can only alter traffic
 * whose source is selected by the old or new P (egress side) or whose
 * destination is (ingress side): every other class keeps exactly the same
 * selecting policies and side summaries. So the analysis reuses the prepared
 * state of the cluster (class index, compiled policies, policy model with its
 * caches), derives the after-model by swapping one policy, and re-evaluates
 * only the rows and columns of the classes the old or new P selects.
 *
 * Rows and columns are not walked pair by pair over the whole cluster: peers
 * that P's side treats alike (every unrestricted class of the other side,
 * when no named port is involved) form one group, evaluated once.
 */
import type { ClusterSnapshot, Direction, PolicyRecord } from '../model/records.js';
import type { ClassIndex, Endpoint, EndpointClass, EndpointSpec } from './classes.js';
import { buildClassIndexSteps } from './classes.js';
import { clearBit, emptyBitset, setBit } from './bitset.js';
import type { CompiledPolicy, CompiledPorts } from './compile.js';
import { collectIpBlockSets, compilePolicy } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  equalConnections,
  intersectConnections,
  isEmptyConnections,
  subtractConnections,
  unionConnections,
} from './connection-set.js';
import type { EndpointOptions } from './endpoints.js';
import { ANALYSIS_ENDPOINTS, listEndpointsSteps } from './endpoints.js';
import { policySelects } from './evaluate.js';
import type { RangeChange } from './external-ranges.js';
import { diffExternalRanges, externalRangesOf } from './external-ranges.js';
import type { Interrupt } from './interrupt.js';
import { NEVER_INTERRUPT, checkInterrupt } from './interrupt.js';
import type { IpRange, IpSet } from './ip-set.js';
import type { PolicyModel, SideSummary } from './policy-model.js';
import type { Steps } from './steps.js';
import { drain, forEachInSteps } from './steps.js';
import { createPolicyModel, derivePolicyModel, sideAllowsClass } from './policy-model.js';

export interface PolicySwap {
  readonly namespace: string;
  readonly name: string;
  /** The policy before the change; null for a CREATE. */
  readonly before: PolicyRecord | null;
  /** The policy after the change; null for a DELETE. */
  readonly after: PolicyRecord | null;
}

/** What is derived once from a snapshot and reused by every change analysed against it. */
export interface PreparedState {
  readonly snapshot: ClusterSnapshot;
  readonly index: ClassIndex;
  readonly compiled: ReadonlyMap<string, CompiledPolicy>;
  /** The model of the snapshot's policies; its caches fill as analyses use them. */
  readonly model: PolicyModel;
  readonly endpointOptions: EndpointOptions;
  readonly extraEndpoints: readonly EndpointSpec[];
}

export interface PrepareOptions {
  /** Which pods and workloads count (default: running pods, templates for future pods). */
  readonly endpoints?: EndpointOptions;
  /** Endpoints that are not in the snapshot but must be evaluated (e.g. assumed DNS pods). */
  readonly extraEndpoints?: readonly EndpointSpec[];
  /** Address sets that must cut the classes in addition to the snapshot's ipBlocks. */
  readonly extraIpSets?: readonly IpSet[];
}

export function prepareState(snapshot: ClusterSnapshot, options: PrepareOptions = {}): PreparedState {
  return drain(prepareStateSteps(snapshot, options));
}

/** prepareState in slices (see steps.ts). */
export function* prepareStateSteps(
  snapshot: ClusterSnapshot,
  options: PrepareOptions = {},
): Steps<PreparedState> {
  const { endpoints = ANALYSIS_ENDPOINTS, extraEndpoints = [], extraIpSets = [] } = options;
  const compiledList: CompiledPolicy[] = [];
  yield* forEachInSteps(snapshot.policies, (p) => compiledList.push(compilePolicy(p)));
  const specs = yield* listEndpointsSteps(snapshot, endpoints);
  const index = yield* buildClassIndexSteps([...specs, ...extraEndpoints], snapshot.namespaces, [
    ...collectIpBlockSets(compiledList),
    ...extraIpSets,
  ]);
  return {
    snapshot,
    index,
    compiled: new Map(compiledList.map((p) => [p.key, p])),
    model: createPolicyModel(index, compiledList),
    endpointOptions: endpoints,
    extraEndpoints,
  };
}

/**
 * The prepared state after one policy change, derived without re-deriving
 * the cluster: the class index is kept (unless the change brings an ipBlock
 * boundary among pod addresses, then it is prepared afresh), the compiled
 * policies are swapped, and the model is derived (summaries of classes the
 * change does not select are shared).
 */
export function derivePreparedState(prepared: PreparedState, swap: PolicySwap): PreparedState {
  const key = `${swap.namespace}/${swap.name}`;
  const policies = prepared.snapshot.policies.filter((p) => `${p.namespace}/${p.name}` !== key);
  if (swap.after) policies.push(swap.after);
  const snapshot: ClusterSnapshot = { ...prepared.snapshot, policies };
  const after = swap.after ? compilePolicy(swap.after) : null;
  if (after && !indexSurvives(prepared.index, collectIpBlockSets([after]))) {
    return prepareState(snapshot, {
      endpoints: prepared.endpointOptions,
      extraEndpoints: prepared.extraEndpoints,
    });
  }
  const current = prepared.compiled.get(key) ?? null;
  const compiled = new Map(prepared.compiled);
  compiled.delete(key);
  if (after) compiled.set(key, after);
  return { ...prepared, snapshot, compiled, model: derivePolicyModel(prepared.model, current, after) };
}

export interface ChangeModel {
  readonly index: ClassIndex;
  readonly before: PolicyModel;
  readonly after: PolicyModel;
  readonly beforePolicy: CompiledPolicy | null;
  readonly afterPolicy: CompiledPolicy | null;
  /** Classes selected by the old or the new policy: the only ones whose sides can change. */
  readonly affected: readonly EndpointClass[];
  /**
   * True when no connection can lose anything: the change adds a policy (none is removed or
   * replaced) and every class it selects was already isolated in each direction it isolates.
   * Policies are additive (a side allows the union of what the policies selecting it allow), so
   * every side then keeps what it allowed and at most gains. Checks that report only losses have
   * nothing to find. False whenever that is not shown this way, even if nothing is lost.
   */
  readonly takesNothingAway: boolean;
  /** Throws AnalysisInterruptedError when the caller's interrupt fires. */
  checkpoint(stage: string): void;
}

function specKey(p: PolicyRecord): string {
  return JSON.stringify([p.podSelector, p.policyTypes, p.ingress, p.egress]);
}

/** The atoms some class address lies in: once per index. */
const addressedAtomsCache = new WeakMap<ClassIndex, ReadonlySet<number>>();
function addressedAtomsOf(index: ClassIndex): ReadonlySet<number> {
  let set = addressedAtomsCache.get(index);
  if (!set) {
    const s = new Set<number>();
    for (const c of index.classes) for (const a of c.atomIds) s.add(a);
    set = s;
    addressedAtomsCache.set(index, set);
  }
  return set;
}

/** True when every boundary of `sets` already cuts the index's atoms or no class address lies in a cut atom. */
function indexSurvives(index: ClassIndex, sets: readonly IpSet[]): boolean {
  const addressedAtoms = addressedAtomsOf(index);
  if (addressedAtoms.size === 0) return true;
  const atoms = index.atoms;
  const cutsInside = (family: 4 | 6, boundary: bigint): boolean => {
    let lo = 0;
    let hi = atoms.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = atoms[mid] as IpRange;
      if (r.family < family || (r.family === family && r.hi < boundary)) lo = mid + 1;
      else if (r.family > family || r.lo > boundary) hi = mid - 1;
      else return r.lo !== boundary && addressedAtoms.has(mid);
    }
    return false;
  };
  for (const s of sets) {
    for (const family of [4, 6] as const) {
      for (const [lo, hi] of family === 4 ? s.v4 : s.v6) {
        if (cutsInside(family, lo) || cutsInside(family, hi + 1n)) return false;
      }
    }
  }
  return true;
}

export interface ChangeModelOptions {
  /** Polled between units of work; see interrupt.ts. */
  readonly interrupt?: Interrupt;
}

/**
 * The before and after models of a change over one shared class index. The
 * prepared index is reused unless the change brings an ipBlock boundary that
 * falls among pod addresses of one class (then that class may split, and the
 * index is rebuilt with the new boundary: correct, and rare).
 */
export function buildChangeModel(
  prepared: PreparedState,
  swap: PolicySwap,
  options: ChangeModelOptions = {},
): ChangeModel {
  const interrupt = options.interrupt ?? NEVER_INTERRUPT;
  const key = `${swap.namespace}/${swap.name}`;
  const current = prepared.compiled.get(key) ?? null;
  const beforePolicy =
    swap.before === null
      ? null
      : current && specKey(current.record) === specKey(swap.before)
        ? current
        : compilePolicy(swap.before, { interrupt });
  const afterPolicy = swap.after ? compilePolicy(swap.after, { interrupt }) : null;
  const newSets = collectIpBlockSets(
    [beforePolicy, afterPolicy].filter((p): p is CompiledPolicy => p !== null),
  );
  let state = prepared;
  if (newSets.length > 0 && !indexSurvives(prepared.index, newSets)) {
    state = prepareState(prepared.snapshot, {
      endpoints: prepared.endpointOptions,
      extraEndpoints: prepared.extraEndpoints,
      extraIpSets: newSets,
    });
  }
  const index = state.index;
  const baseCurrent = state.compiled.get(key) ?? null;
  // The before side is the state, except when the request's old object differs from the cached one.
  const before =
    baseCurrent === beforePolicy
      ? state.model
      : derivePolicyModel(state.model, baseCurrent, beforePolicy, { interrupt });
  const after = derivePolicyModel(before, beforePolicy, afterPolicy, { interrupt });
  const affected = (index.classesByNamespace.get(swap.namespace) ?? []).filter(
    (c) =>
      (beforePolicy !== null && policySelects(beforePolicy, c)) ||
      (afterPolicy !== null && policySelects(afterPolicy, c)),
  );
  return {
    index,
    before,
    after,
    beforePolicy,
    afterPolicy,
    affected,
    takesNothingAway: onlyAdds(before, beforePolicy, afterPolicy, affected),
    checkpoint: (stage) => checkInterrupt(interrupt, stage),
  };
}

/** See ChangeModel.takesNothingAway; `affected` are the classes `added` selects. */
function onlyAdds(
  before: PolicyModel,
  removed: CompiledPolicy | null,
  added: CompiledPolicy | null,
  affected: readonly EndpointClass[],
): boolean {
  if (removed !== null || added === null) return false;
  return affected.every(
    (c) =>
      (!added.isolates.ingress || before.summary(c, 'ingress').isolated) &&
      (!added.isolates.egress || before.summary(c, 'egress').isolated),
  );
}

/** Class ids to look up and list (a Set, or a union of Sets and Map keys). */
interface IdLookup extends Iterable<number> {
  has(id: number): boolean;
  /** How many ids, or more: a union counts an id found in two of its parts twice. */
  readonly size: number;
}

/** An id set that a union is made of (a Set, a Map's keys, ClassPorts). */
interface IdPart {
  has(id: number): boolean;
  keys(): Iterable<number>;
  readonly size: number;
}

/**
 * The union of several id sets (Sets, or the keys of Maps) without copying them to look ids up;
 * listed once, on the first walk (walked by a generator every time, it took 138 of the 160 µs
 * that counting a group's endpoints cost per analysis of lock-egress-billing-4 in the M stream,
 * sampling profiler on).
 */
class IdUnion implements IdLookup {
  readonly #parts: readonly IdPart[];
  #ids: readonly number[] | null = null;
  readonly size: number;
  constructor(parts: readonly IdPart[]) {
    this.#parts = parts.filter((p, i) => parts.indexOf(p) === i);
    this.size = this.#parts.reduce((sum, p) => sum + p.size, 0);
  }
  has(id: number): boolean {
    // An index loop: for-of allocated an iterator result per part wherever this ran unoptimised.
    const parts = this.#parts;
    for (let i = 0; i < parts.length; i++) if ((parts[i] as (typeof parts)[number]).has(id)) return true;
    return false;
  }
  [Symbol.iterator](): Iterator<number> {
    return this.#list()[Symbol.iterator]();
  }
  #list(): readonly number[] {
    if (this.#ids === null) {
      const parts = this.#parts;
      const ids: number[] = [];
      for (let i = 0; i < parts.length; i++) {
        for (const id of (parts[i] as (typeof parts)[number]).keys()) {
          let earlier = false;
          for (let j = 0; j < i && !earlier; j++) earlier = (parts[j] as (typeof parts)[number]).has(id);
          if (!earlier) ids.push(id);
        }
      }
      this.#ids = ids;
    }
    return this.#ids;
  }
}

/** A set of classes treated alike by the changed side: evaluated once, listed on demand. */
export interface ClassGroup {
  readonly kind: 'group';
  /** e.g. `every pod without egress policies`. */
  readonly description: string;
  /** Every member (walks the whole group). */
  classes(): readonly EndpointClass[];
  /** The first `k` members, without walking the whole group. */
  sample(k: number): readonly EndpointClass[];
  /** The endpoints the members make up, worked out without walking the group. */
  endpoints(): GroupEndpoints;
  /** Whether the class `id` is a member, without walking the group. */
  has(id: number): boolean;
}

/**
 * The endpoints of a group's members, as bitsets over positions in ClassIndex.endpoints
 * (bitset.ts): those made of one class alone (also counted), and those made of several
 * classes of which one at least is a member. A consumer that must not count an endpoint pair
 * twice across impact entries only has to track the second kind (an entry lists a class pair
 * at most once).
 */
export interface GroupEndpoints {
  readonly singleCount: number;
  /** The single-class endpoints' bits. Read only: may be shared with other groups. */
  singleBits(): Uint32Array;
  /** The multi-class endpoints' bits. Read only: may be shared with other groups. */
  multiBits(): Uint32Array;
}

/** The endpoints of a base class list (before exclusions): once per list. */
interface BaseEndpoints {
  readonly singleCount: number;
  readonly singleBits: Uint32Array;
  readonly multiBits: Uint32Array;
  /** Every class of the list, with how many single-class endpoints it has. */
  readonly singlesOfClass: ReadonlyMap<number, number>;
  /** The classes of the list that are part of a multi-class endpoint, with those endpoints. */
  readonly multiOfClass: ReadonlyMap<number, readonly Endpoint[]>;
}
const baseEndpointsByList = new WeakMap<readonly EndpointClass[], BaseEndpoints>();

function baseEndpointsOf(index: ClassIndex, list: readonly EndpointClass[]): BaseEndpoints {
  let hit = baseEndpointsByList.get(list);
  if (!hit) {
    const singleBits = emptyBitset(index.endpoints.length);
    const multiBits = emptyBitset(index.endpoints.length);
    let singleCount = 0;
    const singlesOfClass = new Map<number, number>();
    const multiOfClass = new Map<number, Endpoint[]>();
    for (const c of list) {
      let singles = 0;
      for (const e of index.endpointsOfClass.get(c.id) ?? []) {
        if (e.classIds.length === 1) {
          setBit(singleBits, e.position);
          singles++;
          continue;
        }
        const mine = multiOfClass.get(c.id);
        if (mine) mine.push(e);
        else multiOfClass.set(c.id, [e]);
        setBit(multiBits, e.position);
      }
      singlesOfClass.set(c.id, singles);
      singleCount += singles;
    }
    hit = { singleCount, singleBits, multiBits, singlesOfClass, multiOfClass };
    baseEndpointsByList.set(list, hit);
  }
  return hit;
}

/** The members of a base list minus a (small) exclusion set, as a group. */
function makeGroup(
  index: ClassIndex,
  base: readonly EndpointClass[],
  exclude: IdLookup,
  description: string,
): ClassGroup {
  const has = (id: number): boolean =>
    !exclude.has(id) && baseEndpointsOf(index, base).singlesOfClass.has(id);
  let endpoints: GroupEndpoints | null = null;
  return {
    kind: 'group',
    description,
    classes: () => base.filter((c) => !exclude.has(c.id)),
    sample(k) {
      const out: EndpointClass[] = [];
      for (const c of base) {
        if (out.length >= k) break;
        if (!exclude.has(c.id)) out.push(c);
      }
      return out;
    },
    endpoints() {
      endpoints ??= groupEndpoints(index, base, exclude, has);
      return endpoints;
    },
    has,
  };
}

/**
 * A base list's endpoints minus those of excluded classes: a single-class endpoint lies in its
 * class alone, so an excluded member takes its own away; a multi-class endpoint leaves only when
 * none of its classes is still a member. Worked out from the excluded members of the base, found
 * by walking the shorter of the base and the exclusion. A rule naming 4,157 classes (L stream,
 * lock-egress-profile-187) excludes them all from a group of 3 and one of 2,000: listing that
 * union and walking it for each group were 34 % of the samples of that analysis.
 */
function groupEndpoints(
  index: ClassIndex,
  base: readonly EndpointClass[],
  exclude: IdLookup,
  member: (id: number) => boolean,
): GroupEndpoints {
  const all = baseEndpointsOf(index, base);
  let excludedSingles = 0;
  const excludedClasses: number[] = [];
  const gone = new Set<Endpoint>();
  const excludeMember = (id: number, singles: number): void => {
    excludedSingles += singles;
    excludedClasses.push(id);
    for (const e of all.multiOfClass.get(id) ?? []) if (!e.classIds.some(member)) gone.add(e);
  };
  if (base.length <= exclude.size) {
    for (const c of base) {
      if (exclude.has(c.id)) excludeMember(c.id, all.singlesOfClass.get(c.id) as number);
    }
  } else {
    for (const id of exclude) {
      const singles = all.singlesOfClass.get(id);
      if (singles !== undefined) excludeMember(id, singles);
    }
  }
  let singleBits: Uint32Array | null = null;
  let multiBits: Uint32Array | null = null;
  return {
    singleCount: all.singleCount - excludedSingles,
    singleBits() {
      if (singleBits === null) {
        const bits = all.singleBits.slice();
        for (const id of excludedClasses) {
          for (const e of index.endpointsOfClass.get(id) ?? []) {
            if (e.classIds.length === 1) clearBit(bits, e.position);
          }
        }
        singleBits = bits;
      }
      return singleBits;
    },
    multiBits() {
      if (multiBits === null) {
        const bits = gone.size === 0 ? all.multiBits : all.multiBits.slice();
        for (const e of gone) clearBit(bits, e.position);
        multiBits = bits;
      }
      return multiBits;
    },
  };
}

export type ImpactPeer =
  | { readonly kind: 'class'; readonly cls: EndpointClass }
  | { readonly kind: 'external'; readonly range: IpRange }
  | ClassGroup;

/** One side of every entry is a class the change selects (one of ChangeModel.affected). */
export interface ImpactEntry {
  readonly src: ImpactPeer;
  readonly dst: ImpactPeer;
  readonly before: ConnectionSet;
  readonly after: ConnectionSet;
  /** Connections allowed before and not after. */
  readonly lost: ConnectionSet;
  /** Connections allowed after and not before. */
  readonly gained: ConnectionSet;
}

function hasNamedPorts(list: readonly CompiledPorts[]): boolean {
  return list.some((p) => p.named.length > 0);
}

/** True when a rule of the side without peers or with ipBlocks uses a named port. */
function summaryNamesPorts(summary: SideSummary): boolean {
  return hasNamedPorts(summary.open) || summary.external.some((e) => e.ports.named.length > 0);
}

/** Union of the numeric part of rules (valid when none of them uses a named port). */
function numericUnion(list: readonly CompiledPorts[]): ConnectionSet {
  let conn = NO_CONNECTIONS;
  for (const p of list) conn = unionConnections(conn, p.numeric);
  return conn;
}

type Side = 'before' | 'after';
const SIDES: readonly Side[] = ['before', 'after'];

/** Per-change lookups shared by every affected class: computed once, from the base model's caches. */
interface ChangeLookups {
  readonly affected: ReadonlySet<number>;
  /**
   * The affected classes whose side in a direction differs before and after. Only they are
   * evaluated pair by pair as peers of other affected classes: an affected class whose side in
   * that direction did not change is a peer like any other (named, or in a group).
   */
  readonly changed: Readonly<Record<Direction, ReadonlySet<number>>>;
  /** Classes naming x in their `direction` summary, on one side. */
  namedBy(side: Side, direction: Direction, x: EndpointClass): Set<number>;
}

function changeLookups(model: ChangeModel): ChangeLookups {
  const affected = new Set(model.affected.map((c) => c.id));
  const changedIn = (direction: Direction): Set<number> =>
    new Set(
      model.affected
        .filter((c) => model.before.summary(c, direction) !== model.after.summary(c, direction))
        .map((c) => c.id),
    );
  return {
    affected,
    changed: { ingress: changedIn('ingress'), egress: changedIn('egress') },
    namedBy(side, direction, x) {
      const out = new Set<number>();
      for (const id of model.before.namedBy(direction, x.id)) if (!affected.has(id)) out.add(id);
      for (const c of model.affected) if (model[side].summary(c, direction).specific.has(x.id)) out.add(c.id);
      return out;
    },
  };
}

/** A value per pair of side summaries (before, after), computed on the first call for the pair. */
function memoPerSides<V>(): (sides: readonly [SideSummary, SideSummary], compute: () => V) => V {
  const byBefore = new Map<SideSummary, Map<SideSummary, V>>();
  return (sides, compute) => {
    let perBefore = byBefore.get(sides[0]);
    if (!perBefore) byBefore.set(sides[0], (perBefore = new Map()));
    let value = perBefore.get(sides[1]);
    if (value === undefined) {
      value = compute();
      perBefore.set(sides[1], value);
    }
    return value;
  };
}

/** The unrestricted classes (no policy) of a direction, except some: a group's members. */
function unrestrictedExcept(model: ChangeModel, direction: Direction, exclude: IdLookup): EndpointClass[] {
  return model.before.unrestrictedClasses(direction).filter((c) => !exclude.has(c.id));
}

export interface ImpactOptions {
  /**
   * Only the connections that lose something (what the checks read). A change that opens a class
   * to thousands of others gains a connection with each: listing them costs as much as the rest
   * of the analysis, and nothing reads them.
   */
  readonly lossesOnly?: boolean;
}

/**
 * Every connection whose allowed set differs before and after the change (or, with
 * `lossesOnly`, loses something): class pairs, class/External ranges, and groups of classes
 * treated alike.
 */
export function computeImpact(model: ChangeModel, options: ImpactOptions = {}): ImpactEntry[] {
  const lossesOnly = options.lossesOnly === true;
  const out: ImpactEntry[] = [];
  const classes = model.index.classes;
  const look = changeLookups(model);
  const record = (src: ImpactPeer, dst: ImpactPeer, before: ConnectionSet, after: ConnectionSet): void => {
    if (equalConnections(before, after)) return;
    const lost = subtractConnections(before, after);
    if (lossesOnly && isEmptyConnections(lost)) return;
    out.push({ src, dst, before, after, lost, gained: subtractConnections(after, before) });
  };
  // The interrupt is polled per affected class and every 256 pairs evaluated.
  let evaluated = 0;
  const pairCheckpoint = (): void => {
    if (++evaluated % 256 === 0) model.checkpoint('impact');
  };
  const seenPairs = new Map<number, Set<number>>();
  const visit = (src: EndpointClass, dst: EndpointClass): void => {
    pairCheckpoint();
    let seen = seenPairs.get(src.id);
    if (!seen) seenPairs.set(src.id, (seen = new Set()));
    if (seen.has(dst.id)) return;
    seen.add(dst.id);
    // allowed = egress(src -> dst) AND ingress(dst <- src), each side from its summary; a side
    // whose summary the change did not touch is evaluated once for both models.
    const egressBefore = model.before.summary(src, 'egress');
    const egressAfter = model.after.summary(src, 'egress');
    const ingressBefore = model.before.summary(dst, 'ingress');
    const ingressAfter = model.after.summary(dst, 'ingress');
    const egressSame = egressBefore === egressAfter;
    const ingressSame = ingressBefore === ingressAfter;
    if (egressSame && ingressSame) return;
    const iBefore = model.before.ingressAllows(dst, src);
    // Nothing allowed before: nothing to lose.
    if ((ingressSame || lossesOnly) && isEmptyConnections(iBefore)) return;
    const iAfter = ingressSame ? iBefore : model.after.ingressAllows(dst, src);
    const eBefore = sideAllowsClass(egressBefore, src, dst);
    if (lossesOnly && isEmptyConnections(eBefore)) return;
    const eAfter = egressSame ? eBefore : sideAllowsClass(egressAfter, src, dst);
    if (ingressSame && equalConnections(eBefore, eAfter)) return;
    if (egressSame && (isEmptyConnections(eBefore) || equalConnections(iBefore, iAfter))) return;
    record(
      { kind: 'class', cls: src },
      { kind: 'class', cls: dst },
      intersectConnections(eBefore, iBefore),
      intersectConnections(eAfter, iAfter),
    );
  };

  // Per pair of egress summaries (before, after): the classes they name, except those whose
  // ingress changed too (visited pair by pair), with what a source they do not name may send
  // them before and after (when it differs).
  const egressRows = memoPerSides<readonly [EndpointClass, ConnectionSet, ConnectionSet][]>();
  const namedByEgress = (
    egress: readonly [SideSummary, SideSummary],
  ): readonly [EndpointClass, ConnectionSet, ConnectionSet][] =>
    egressRows(egress, () => {
      const row: [EndpointClass, ConnectionSet, ConnectionSet][] = [];
      // A class only the after side names was allowed nothing before when the before side allows
      // nothing to a class it does not name: it can only gain.
      const beforeNamedOnly = egress[0].isolated && egress[0].open.length === 0;
      const named =
        lossesOnly && beforeNamedOnly
          ? egress[0].specific.keys()
          : new IdUnion([egress[0].specific, egress[1].specific]);
      for (const id of named) {
        if (look.changed.ingress.has(id)) continue;
        pairCheckpoint();
        const d = classes[id] as EndpointClass;
        // d's ingress is the same on both sides; towards a source it does not name it allows its
        // open part. (The source is not read by an egress side: any class will do.)
        const open = model.before.openIngress(d);
        if (isEmptyConnections(open)) continue;
        const eBefore = sideAllowsClass(egress[0], d, d);
        const eAfter = sideAllowsClass(egress[1], d, d);
        if (equalConnections(eBefore, eAfter)) continue;
        const before = intersectConnections(eBefore, open);
        const after = intersectConnections(eAfter, open);
        if (!equalConnections(before, after)) row.push([d, before, after]);
      }
      return row;
    });

  // Per pair of summaries (before, after): the External ranges whose connections differ. Shared
  // by every affected class with those summaries unless a rule's named port resolves on the class
  // itself (ingress), the one way the class enters externalRangesOf.
  const externalDiffs = memoPerSides<readonly RangeChange[]>();
  const externalDiff = (
    sides: readonly [SideSummary, SideSummary],
    a: EndpointClass,
  ): readonly RangeChange[] => {
    const diff = (): readonly RangeChange[] =>
      diffExternalRanges(externalRangesOf(sides[0], a), externalRangesOf(sides[1], a));
    const perClass = sides.some((x) => x.direction === 'ingress' && summaryNamesPorts(x));
    return perClass ? diff() : externalDiffs(sides, diff);
  };

  /**
   * With `lossesOnly`: a side that was isolated and keeps every policy it had (a policy was
   * added) can only allow more, so nothing is lost through it. A pair whose other side changed
   * too is visited from that side (it lists the classes whose side changed).
   */
  const onlyGrows = (sides: readonly [SideSummary, SideSummary]): boolean =>
    lossesOnly && sides[0].isolated && sides[0].policies.every((p) => sides[1].policies.includes(p));

  /** Members of base groups minus the explicitly handled classes, as one lazily listed group. */
  const groupOf = (
    members: readonly EndpointClass[],
    exclude: IdLookup,
    description: string,
  ): ClassGroup | null => {
    const representative = members.find((c) => !exclude.has(c.id));
    if (!representative) return null;
    return makeGroup(model.index, members, exclude, description);
  };

  for (const a of model.affected) {
    model.checkpoint('impact');
    const self: ImpactPeer = { kind: 'class', cls: a };

    // Row: a as the source; only when a's egress side changed. Its egress reaches the
    // classes it names and those naming a in their ingress (explicit pairs); when its egress
    // is open, also every class whose ingress is open: unrestricted classes as one group,
    // isolated classes with rules without peers by group (same open rules, same answer).
    const egress = SIDES.map((side) => model[side].summary(a, 'egress')) as [SideSummary, SideSummary];
    if (egress[0] !== egress[1] && !onlyGrows(egress)) {
      // Pairs with a class naming a, or whose ingress changed too: evaluated pair by pair.
      const namingA = new Set<number>(look.changed.ingress);
      for (const side of SIDES) for (const id of look.namedBy(side, 'ingress', a)) namingA.add(id);
      for (const id of namingA) visit(a, classes[id] as EndpointClass);
      const explicitDst = new IdUnion([namingA, egress[0].specific, egress[1].specific]);
      const egressOpen = egress.some((x) => !x.isolated || x.open.length > 0);
      const namedOpen = egress.some((x) => hasNamedPorts(x.open));
      if (egressOpen && namedOpen) {
        // Named ports resolve per destination: no grouping.
        const rest = new Set<number>();
        for (const d of unrestrictedExcept(model, 'ingress', explicitDst)) rest.add(d.id);
        for (const d of model.before.isolatedOpenClasses('ingress')) rest.add(d.id);
        for (const id of new IdUnion([egress[0].specific, egress[1].specific])) rest.add(id);
        for (const id of rest) visit(a, classes[id] as EndpointClass);
      } else {
        // The classes a's egress names and that do not name a: the same answer for every
        // source with these egress summaries (classes selected by the same policies).
        for (const [d, before, after] of namedByEgress(egress)) {
          if (!namingA.has(d.id)) record(self, { kind: 'class', cls: d }, before, after);
        }
      }
      if (egressOpen && !namedOpen) {
        const openConn = (x: SideSummary): ConnectionSet =>
          x.isolated ? numericUnion(x.open) : ALL_CONNECTIONS;
        record(
          self,
          makeGroup(
            model.index,
            model.before.unrestrictedClasses('ingress'),
            explicitDst,
            'every pod without ingress policies',
          ),
          openConn(egress[0]),
          openConn(egress[1]),
        );
        for (const members of model.before.openGroups('ingress')) {
          const g = groupOf(members, explicitDst, 'pods whose ingress allows every source');
          if (!g) continue;
          const r = members.find((c) => !explicitDst.has(c.id)) as EndpointClass;
          record(self, g, model.before.allowed(a, r), model.after.allowed(a, r));
        }
      }
    }

    // Column: a as the destination; only when a's ingress side changed. Sources reaching a:
    // the classes its ingress names and those naming a in their egress (explicit pairs), every
    // unrestricted class as one group, isolated classes with open egress rules by group.
    const ingress = SIDES.map((side) => model[side].summary(a, 'ingress')) as [SideSummary, SideSummary];
    if (ingress[0] !== ingress[1] && !onlyGrows(ingress)) {
      const explicitSrc = new Set<number>(look.changed.egress);
      for (const summary of ingress) for (const id of summary.specific.keys()) explicitSrc.add(id);
      for (const side of SIDES) for (const id of look.namedBy(side, 'egress', a)) explicitSrc.add(id);
      for (const id of explicitSrc) visit(classes[id] as EndpointClass, a);
      record(
        makeGroup(
          model.index,
          model.before.unrestrictedClasses('egress'),
          explicitSrc,
          'every pod without egress policies',
        ),
        self,
        model.before.openIngress(a),
        model.after.openIngress(a),
      );
      for (const members of model.before.openGroups('egress')) {
        const g = groupOf(members, explicitSrc, 'pods whose egress allows every destination');
        if (!g) continue;
        const r = members.find((c) => !explicitSrc.has(c.id)) as EndpointClass;
        record(g, self, model.before.allowed(r, a), model.after.allowed(r, a));
      }
    }

    // External ranges, in each direction whose side changed.
    for (const direction of ['egress', 'ingress'] as const) {
      const sides = direction === 'egress' ? egress : ingress;
      if (sides[0] === sides[1] || onlyGrows(sides)) continue;
      const diffs = externalDiff(sides, a);
      for (const d of diffs) {
        const ext: ImpactPeer = { kind: 'external', range: d.range };
        if (direction === 'egress') record(self, ext, d.before, d.after);
        else record(ext, self, d.before, d.after);
      }
    }
  }
  return out;
}

/** True when a side allows anything at all to any peer (class or External). */
export function sideAllowsAnything(m: PolicyModel, c: EndpointClass, direction: Direction): boolean {
  const s = m.summary(c, direction);
  if (!s.isolated) return true;
  const classes = m.index.classes;
  const resolveOn = (ports: CompiledPorts, other: EndpointClass | null): boolean => {
    if (ports.all || !isEmptyConnections(ports.numeric)) return true;
    const dst = direction === 'ingress' ? c : other;
    return (
      dst !== null &&
      dst.ports.some((cp) => ports.named.some((r) => r.name === cp.name && r.protocol === cp.protocol))
    );
  };
  for (const ports of s.open) {
    if (direction === 'ingress' ? resolveOn(ports, null) : classes.some((d) => resolveOn(ports, d)))
      return true;
  }
  for (const [id, list] of s.specific.entries()) {
    if (list.some((ports) => resolveOn(ports, classes[id] as EndpointClass))) return true;
  }
  for (const e of s.external) if (resolveOn(e.ports, null)) return true;
  return false;
}
