/**
 * The indexed evaluator: what the policies allow, organised per class and
 * direction so that work is proportional to what policies actually
 * reference, not to the number of class pairs.
 *
 * For every rule, its targets (the classes its peers select, the address
 * sets of its ipBlocks) are resolved once through the class index (classes
 * per namespace, classes by address). For every class and direction, a side
 * summary gathers the rules of the policies that select the class:
 *
 *   - `open`: rules without peers (they match every pod and address),
 *   - `specific`: other class id -> rules whose peers select that class,
 *   - `external`: ipBlock address sets with their rules.
 *
 * allowed(s -> d) = E(s, d) AND I(s, d), where E is s's egress side (ALL when
 * s is not egress-isolated, else the union of its open and d-specific rules,
 * ports resolved on d) and I is d's ingress side (likewise with s). A summary
 * depends only on the policies selecting its class, so a model derived for a
 * one-policy change reuses every summary the change cannot touch.
 *
 * The reference evaluator in evaluate.ts states the same semantics directly;
 * property tests hold the two to the same answers.
 */
import type { Direction } from '../model/records.js';
import type { ClassIndex, EndpointClass } from './classes.js';
import { classesInAddressRange, classesMatching, namespacesSelected } from './classes.js';
import type { CompiledPolicy, CompiledPorts, CompiledRule } from './compile.js';
import { mergePorts } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import {
  ALL_CONNECTIONS,
  NO_CONNECTIONS,
  intersectConnections,
  isEmptyConnections,
  unionConnections,
} from './connection-set.js';
import type { Evaluator, PeerEndpoint } from './evaluate.js';
import { policySelects, resolveNamedPorts, resolveRulePorts } from './evaluate.js';
import type { Interrupt, Poll } from './interrupt.js';
import { NEVER_INTERRUPT, pollEvery } from './interrupt.js';
import type { IpSet } from './ip-set.js';
import { ipSetContains } from './ip-set.js';
import { ContentCache } from './bounded-map.js';
import type { ClassPorts, NamedClasses } from './class-ports.js';
import { classPortsOf, NO_CLASS_PORTS } from './class-ports.js';
import { selectorKey } from './selectors.js';
import type { Steps } from './steps.js';
import { drain, forEachInSteps, UNITS_PER_STEP } from './steps.js';

export interface RuleTargets {
  /** The rule has no peers: every class and every External address. */
  readonly everything: boolean;
  readonly classIds: ReadonlySet<number>;
  /** The ipBlock peers' address sets (External matching). */
  readonly ipSets: readonly IpSet[];
}

export interface SideSummary {
  readonly direction: Direction;
  /** Policies selecting the class for this direction; empty: not isolated. */
  readonly policies: readonly CompiledPolicy[];
  readonly isolated: boolean;
  /** The ports of the rules without peers, merged (mergePorts): at most one entry. */
  readonly open: readonly CompiledPorts[];
  /** Per class id, the ports of the rules naming it, merged: one entry each. */
  readonly specific: ClassPorts;
  readonly external: readonly { readonly ips: IpSet; readonly ports: CompiledPorts }[];
}

export interface PolicyModel extends Evaluator {
  readonly index: ClassIndex;
  /** Every policy of the model. */
  allPolicies(): readonly CompiledPolicy[];
  /** The policies of one namespace. */
  policiesIn(namespace: string): readonly CompiledPolicy[];
  summary(c: EndpointClass, direction: Direction): SideSummary;
  /** True when the side allows something to every peer without naming it (not isolated, or a rule without peers). */
  hasOpenSide(c: EndpointClass, direction: Direction): boolean;
  /** Classes with an open side in the direction. */
  openClasses(direction: Direction): readonly EndpointClass[];
  /** Isolated classes whose side has a rule without peers. */
  isolatedOpenClasses(direction: Direction): readonly EndpointClass[];
  /** Classes no policy isolates in the direction. */
  unrestrictedClasses(direction: Direction): readonly EndpointClass[];
  /**
   * The isolated classes with rules without peers, grouped so that members of a
   * group allow the same to every peer they do not name specifically: same open
   * rules (by content), and for ingress with named ports the same declared ports.
   */
  openGroups(direction: Direction): readonly (readonly EndpointClass[])[];
  /**
   * For a class id x: the classes whose `direction` summary names x specifically
   * (ingress: the destinations that name x as a source; egress: the sources that name x).
   */
  namedBy(direction: Direction, classId: number): readonly number[];
  /** What `c`'s ingress allows to a source it does not name (ALL when not isolated). */
  openIngress(c: EndpointClass): ConnectionSet;
  /** What `dst`'s ingress side allows from `src` (ALL when not isolated); open part cached per class. */
  ingressAllows(dst: EndpointClass, src: EndpointClass): ConnectionSet;
  /**
   * allowed(src, dst) for a pair where neither side names the other: src's open egress
   * (ALL when not isolated) resolved on dst, intersected with dst's open ingress. Equal
   * for every source of one open group (see openGroups) and every unrestricted source.
   */
  openAllowed(src: EndpointClass, dst: EndpointClass): ConnectionSet;
  /** Computes every summary and lookup, in slices (steps.ts): for a model many analyses will share. */
  warmSteps(): Steps<void>;
}

const NOT_ISOLATED: Omit<SideSummary, 'direction'> = Object.freeze({
  policies: [],
  isolated: false,
  open: [],
  specific: NO_CLASS_PORTS,
  external: [],
});

/**
 * Rule targets are a function of the rule and the index: cached per index, by rule and by the
 * content of the rule's peers. A changed policy is compiled anew for every request, but its peers
 * are mostly peers seen before: the same policy reviewed again (a dry run, then the apply; a
 * GitOps diff), or another policy naming the same namespaces and pods. Resolving a peer that
 * spans many namespaces is most of the cost of analysing such a change (about 0.2 ms for 550
 * classes in 160 namespaces). At most 1,024 contents and 250,000 classes (about 4 MB of set
 * entries) beyond what the base rules hold anyway.
 */
const targetCaches = new WeakMap<ClassIndex, ContentCache<CompiledRule, RuleTargets>>();

/** Equal for rules whose peers select the same (in the same order), whatever their ports. */
function targetsKey(rule: CompiledRule, policyNamespace: string): string {
  let key = '';
  for (const peer of rule.peers) {
    if (peer.kind === 'ipBlock') {
      key += `b${ipSetKey(peer.ips)}\n`;
      continue;
    }
    const ns = peer.namespaceSelector === null ? `=${policyNamespace}` : selectorKey(peer.namespaceSelector);
    key += `s${ns}|${peer.podSelector === null ? '*' : selectorKey(peer.podSelector)}\n`;
  }
  return key;
}

function ipSetKey(ips: IpSet): string {
  const ranges = (list: IpSet['v4']): string =>
    list.map(([lo, hi]) => `${lo.toString(36)}-${hi.toString(36)}`).join(',');
  return `${ranges(ips.v4)}/${ranges(ips.v6)}`;
}

/** `poll` is called once per peer (see interrupt.ts). */
export function resolveRuleTargets(
  index: ClassIndex,
  rule: CompiledRule,
  policyNamespace: string,
  poll?: Poll,
): RuleTargets {
  let cache = targetCaches.get(index);
  if (!cache) {
    cache = new ContentCache(1024, 250_000, (t) => t.classIds.size + 1);
    targetCaches.set(index, cache);
  }
  // `known` first: summaries of the prepared state ask for the same rules thousands of times.
  return (
    cache.known(rule) ??
    cache.get(
      rule,
      () => targetsKey(rule, policyNamespace),
      () => computeRuleTargets(index, rule, policyNamespace, poll),
    )
  );
}

function computeRuleTargets(
  index: ClassIndex,
  rule: CompiledRule,
  policyNamespace: string,
  poll?: Poll,
): RuleTargets {
  const classIds = new Set<number>();
  const ipSets: IpSet[] = [];
  for (const peer of rule.peers) {
    poll?.();
    if (peer.kind === 'ipBlock') {
      ipSets.push(peer.ips);
      for (const family of [4, 6] as const) {
        for (const [lo, hi] of family === 4 ? peer.ips.v4 : peer.ips.v6) {
          for (const id of classesInAddressRange(index, family, lo, hi)) classIds.add(id);
        }
      }
      continue;
    }
    const namespaces =
      peer.namespaceSelector === null ? [policyNamespace] : namespacesSelected(index, peer.namespaceSelector);
    for (const ns of namespaces) {
      for (const c of classesMatching(index, ns, peer.podSelector)) classIds.add(c.id);
    }
  }
  return { everything: rule.peers.length === 0, classIds, ipSets };
}

function buildSummary(
  index: ClassIndex,
  c: EndpointClass,
  direction: Direction,
  selecting: readonly CompiledPolicy[],
  poll: Poll,
): SideSummary {
  if (selecting.length === 0) return { ...NOT_ISOLATED, direction };
  const open: CompiledPorts[] = [];
  const named: NamedClasses[] = [];
  const external: { ips: IpSet; ports: CompiledPorts }[] = [];
  for (const p of selecting) {
    for (const rule of p.rules[direction]) {
      poll();
      const t = resolveRuleTargets(index, rule, p.namespace, poll);
      if (t.everything) {
        open.push(rule.ports);
        continue;
      }
      if (t.classIds.size > 0) named.push({ ids: t.classIds, ports: rule.ports });
      for (const ips of t.ipSets) external.push({ ips, ports: rule.ports });
    }
  }
  const merged = open.length > 1 ? [mergePorts(open)] : open;
  return {
    direction,
    policies: selecting,
    isolated: true,
    open: merged,
    specific: classPortsOf(named),
    external,
  };
}

function resolveAll(list: readonly CompiledPorts[] | undefined, dst: PeerEndpoint): ConnectionSet {
  let out = NO_CONNECTIONS;
  if (!list) return out;
  for (const ports of list) {
    out = unionConnections(out, resolveRulePorts(ports, dst));
    if (out === ALL_CONNECTIONS) break;
  }
  return out;
}

/** Union of rules' ports resolved on a destination class. */
function resolveAllOnClass(list: readonly CompiledPorts[] | undefined, dst: EndpointClass): ConnectionSet {
  let out = NO_CONNECTIONS;
  if (!list) return out;
  for (const ports of list) {
    out = unionConnections(out, resolveNamedPorts(ports, dst));
    if (out === ALL_CONNECTIONS) break;
  }
  return out;
}

/** What one side allows to another class: the hot path, without allocating peer objects. */
export function sideAllowsClass(
  summary: SideSummary,
  self: EndpointClass,
  other: EndpointClass,
): ConnectionSet {
  if (!summary.isolated) return ALL_CONNECTIONS;
  const dst = summary.direction === 'ingress' ? self : other;
  const out = resolveAllOnClass(summary.open, dst);
  if (out === ALL_CONNECTIONS) return out;
  const specific = summary.specific.get(other.id);
  return specific ? unionConnections(out, resolveAllOnClass(specific, dst)) : out;
}

/** What one side allows towards `other` (the destination's ports decide named ports). */
function sideAllowsWith(summary: SideSummary, self: EndpointClass, other: PeerEndpoint): ConnectionSet {
  if (!summary.isolated) return ALL_CONNECTIONS;
  const dst: PeerEndpoint = summary.direction === 'ingress' ? { kind: 'class', cls: self } : other;
  let out = resolveAll(summary.open, dst);
  if (out === ALL_CONNECTIONS) return out;
  if (other.kind === 'class') {
    out = unionConnections(out, resolveAll(summary.specific.get(other.cls.id), dst));
  } else {
    for (const e of summary.external) {
      if (ipSetContains(e.ips, other.atom.family, other.atom.lo))
        out = unionConnections(out, resolveRulePorts(e.ports, dst));
    }
  }
  return out;
}

export interface PolicyModelOptions {
  /**
   * Polled while summaries are built, per rule and per peer (not per class); see interrupt.ts.
   * Only for a model of one analysis: a model shared by many keeps the default, NEVER_INTERRUPT.
   */
  readonly interrupt?: Interrupt;
}

/** How a model finds the policies of a namespace, and where it may reuse summaries. */
interface PolicySource {
  policiesIn(namespace: string): readonly CompiledPolicy[];
  all(): readonly CompiledPolicy[];
  /** A model whose summaries hold for every class the change does not select in a direction. */
  readonly base: PolicyModel | null;
  readonly changed: readonly CompiledPolicy[];
}

export function createPolicyModel(
  index: ClassIndex,
  policies: readonly CompiledPolicy[],
  options: PolicyModelOptions = {},
): PolicyModel {
  const byNamespace = new Map<string, CompiledPolicy[]>();
  for (const p of policies) {
    const list = byNamespace.get(p.namespace);
    if (list) list.push(p);
    else byNamespace.set(p.namespace, [p]);
  }
  return buildModel(
    index,
    { policiesIn: (ns) => byNamespace.get(ns) ?? [], all: () => policies, base: null, changed: [] },
    options.interrupt ?? NEVER_INTERRUPT,
  );
}

/**
 * The model after replacing `removed` by `added` (either may be null) in
 * `base`'s policies. Only summaries of classes the two select are rebuilt;
 * everything else, and the per-namespace policy lists of other namespaces,
 * come from `base`.
 */
export function derivePolicyModel(
  base: PolicyModel,
  removed: CompiledPolicy | null,
  added: CompiledPolicy | null,
  options: PolicyModelOptions = {},
): PolicyModel {
  const changed = [removed, added].filter((p): p is CompiledPolicy => p !== null);
  const namespaces = new Set(changed.map((p) => p.namespace));
  const keys = new Set(changed.map((p) => p.key));
  const local = new Map<string, CompiledPolicy[]>();
  const policiesIn = (ns: string): readonly CompiledPolicy[] => {
    if (!namespaces.has(ns)) return base.policiesIn(ns);
    let list = local.get(ns);
    if (!list) {
      list = base.policiesIn(ns).filter((p) => !keys.has(p.key));
      if (added && added.namespace === ns) list.push(added);
      local.set(ns, list);
    }
    return list;
  };
  let all: CompiledPolicy[] | null = null;
  return buildModel(
    base.index,
    {
      policiesIn,
      all: () => (all ??= [...base.allPolicies().filter((p) => !keys.has(p.key)), ...(added ? [added] : [])]),
      base,
      changed,
    },
    options.interrupt ?? NEVER_INTERRUPT,
  );
}

function buildModel(index: ClassIndex, source: PolicySource, interrupt: Interrupt): PolicyModel {
  const { base, changed } = source;
  const poll = pollEvery(interrupt, 'policy model');
  const changedNamespaces = new Set(changed.map((p) => p.namespace));
  const touchedByChange = (c: EndpointClass, direction: Direction): boolean =>
    changed.some((p) => p.isolates[direction] && policySelects(p, c));

  // Per class and direction: a dense table in a base model, a map of the few touched classes in a
  // derived one. A summary depends only on the policies selecting the class (named ports are
  // resolved later, on the destination), so classes selected by the same policies share one.
  const dense: Record<Direction, (SideSummary | undefined)[]> | null = base
    ? null
    : {
        ingress: new Array<SideSummary | undefined>(index.classes.length),
        egress: new Array<SideSummary | undefined>(index.classes.length),
      };
  const sparse: Record<Direction, Map<number, SideSummary>> = { ingress: new Map(), egress: new Map() };
  const bySelecting = new Map<string, SideSummary>();
  function summary(c: EndpointClass, direction: Direction): SideSummary {
    if (dense) {
      const hit = dense[direction][c.id];
      if (hit) return hit;
    } else {
      // A class outside the changed policies' namespaces keeps the base's summary.
      if (!changedNamespaces.has(c.namespace)) return (base as PolicyModel).summary(c, direction);
      const hit = sparse[direction].get(c.id);
      if (hit) return hit;
    }
    let s: SideSummary;
    if (base && !touchedByChange(c, direction)) {
      s = base.summary(c, direction);
    } else {
      const selecting = source
        .policiesIn(c.namespace)
        .filter((p) => p.isolates[direction] && policySelects(p, c));
      const key = `${direction}\u0000${selecting.map((p) => p.key).join('\u0000')}`;
      const shared = bySelecting.get(key);
      if (shared) s = shared;
      else {
        s = buildSummary(index, c, direction, selecting, poll);
        bySelecting.set(key, s);
      }
    }
    if (dense) dense[direction][c.id] = s;
    else sparse[direction].set(c.id, s);
    return s;
  }

  const hasOpenSide = (c: EndpointClass, direction: Direction): boolean => {
    const s = summary(c, direction);
    return !s.isolated || s.open.length > 0;
  };

  const openLists: Partial<Record<Direction, EndpointClass[]>> = {};
  const isolatedOpenLists: Partial<Record<Direction, EndpointClass[]>> = {};
  // Like summaries: dense in a base model, a map of the few touched classes in a derived one.
  const openIngressDense = dense ? new Array<ConnectionSet | undefined>(index.classes.length) : null;
  const openIngressCache = new Map<number, ConnectionSet>();
  const unrestrictedLists: Partial<Record<Direction, EndpointClass[]>> = {};
  const groupLists: Partial<Record<Direction, EndpointClass[][]>> = {};
  const openGroupKey = (c: EndpointClass, direction: Direction): string => {
    const open = summary(c, direction).open;
    const rules = open
      .map((p) => `${JSON.stringify(p.numeric)}|${p.named.map((r) => `${r.name}/${r.protocol}`).join(',')}`)
      .sort();
    const named = direction === 'ingress' && open.some((p) => p.named.length > 0);
    const ports = named
      ? c.ports
          .map((cp) => `${cp.name ?? ''}/${cp.protocol}/${cp.port}`)
          .sort()
          .join(',')
      : '';
    return `${rules.join(';')}#${ports}`;
  };
  const inverse: Partial<Record<Direction, Map<number, number[]>>> = {};
  function* buildInverse(direction: Direction): Steps<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    yield* forEachInSteps(index.classes, (c) => {
      for (const other of summary(c, direction).specific.keys()) {
        const list = out.get(other);
        if (list) list.push(c.id);
        else out.set(other, [c.id]);
      }
    });
    return out;
  }

  function* buildOpenGroups(direction: Direction): Steps<EndpointClass[][]> {
    const groups = new Map<string, EndpointClass[]>();
    yield* forEachInSteps(model.isolatedOpenClasses(direction), (c) => {
      const k = openGroupKey(c, direction);
      const g = groups.get(k);
      if (g) g.push(c);
      else groups.set(k, [c]);
    });
    return [...groups.values()];
  }

  const model: PolicyModel = {
    index,
    // A method, not a getter: an own accessor would give every model a hidden class of its own
    // that keeps the model alive until a full collection (test/checks/per-analysis-objects.test.ts).
    allPolicies: source.all,
    policiesIn: source.policiesIn,
    summary,
    hasOpenSide,
    openClasses(direction) {
      openLists[direction] ??= index.classes.filter((c) => hasOpenSide(c, direction));
      return openLists[direction];
    },
    isolatedOpenClasses(direction) {
      isolatedOpenLists[direction] ??= index.classes.filter((c) => {
        const s = summary(c, direction);
        return s.isolated && s.open.length > 0;
      });
      return isolatedOpenLists[direction];
    },
    openGroups(direction) {
      groupLists[direction] ??= drain(buildOpenGroups(direction));
      return groupLists[direction];
    },
    namedBy(direction, classId) {
      inverse[direction] ??= drain(buildInverse(direction));
      return inverse[direction].get(classId) ?? [];
    },
    unrestrictedClasses(direction) {
      unrestrictedLists[direction] ??= index.classes.filter((c) => !summary(c, direction).isolated);
      return unrestrictedLists[direction];
    },
    openIngress(c) {
      if (base && !changedNamespaces.has(c.namespace)) return base.openIngress(c);
      let conn = openIngressDense ? openIngressDense[c.id] : openIngressCache.get(c.id);
      if (conn === undefined) {
        const s = summary(c, 'ingress');
        if (base && s === base.summary(c, 'ingress')) return base.openIngress(c);
        conn = s.isolated ? resolveAllOnClass(s.open, c) : ALL_CONNECTIONS;
        if (openIngressDense) openIngressDense[c.id] = conn;
        else openIngressCache.set(c.id, conn);
      }
      return conn;
    },
    ingressAllows(dst, src) {
      const s = summary(dst, 'ingress');
      if (!s.isolated) return ALL_CONNECTIONS;
      const open = model.openIngress(dst);
      const specific = s.specific.get(src.id);
      return specific ? unionConnections(open, resolveAllOnClass(specific, dst)) : open;
    },
    openAllowed(src, dst) {
      const egress = summary(src, 'egress');
      const e = egress.isolated ? resolveAllOnClass(egress.open, dst) : ALL_CONNECTIONS;
      if (isEmptyConnections(e)) return NO_CONNECTIONS;
      const i = model.openIngress(dst);
      return e === ALL_CONNECTIONS ? i : intersectConnections(e, i);
    },
    *warmSteps() {
      for (const direction of ['ingress', 'egress'] as const) {
        // The summaries first, a slice at a time: every list below reads them. A summary may
        // resolve a rule naming thousands of classes, so fewer of them make a step.
        yield* forEachInSteps(index.classes, (c) => summary(c, direction), UNITS_PER_STEP / 8);
        model.openClasses(direction);
        model.isolatedOpenClasses(direction);
        model.unrestrictedClasses(direction);
        yield;
        groupLists[direction] ??= yield* buildOpenGroups(direction);
        inverse[direction] ??= yield* buildInverse(direction);
      }
    },
    selectingPolicies: (c, direction) => summary(c, direction).policies,
    isIsolated: (c, direction) => summary(c, direction).isolated,
    sideAllows: (c, direction, other) => sideAllowsWith(summary(c, direction), c, other),
    allowed(src, dst) {
      const egress = sideAllowsClass(summary(src, 'egress'), src, dst);
      if (egress === NO_CONNECTIONS) return egress;
      return intersectConnections(egress, sideAllowsClass(summary(dst, 'ingress'), dst, src));
    },
    allowedToExternal: (src, atom) => sideAllowsWith(summary(src, 'egress'), src, { kind: 'external', atom }),
    allowedFromExternal: (atom, dst) =>
      sideAllowsWith(summary(dst, 'ingress'), dst, { kind: 'external', atom }),
  };
  return model;
}
