/**
 * Equivalence classes of endpoints.
 *
 * Two pods behave identically under every NetworkPolicy when they share the
 * namespace (hence namespace labels), their own labels, their declared
 * container ports (named ports resolve against them), hostNetwork, and the
 * region of the address space their IPs fall in, where regions ("atoms") are
 * cut at every ipBlock boundary of every policy considered. The engine
 * evaluates classes, never individual pods: a Deployment with 300 replicas is
 * one class, so the cost of an analysis grows with the number of distinct
 * label sets, not with the number of pods.
 *
 * An endpoint is what the user sees as a peer (`ns/name[Kind]`): a group of
 * pods with one controller, a bare pod, or a workload template. It maps to
 * one class in the usual case, to several when its pods differ (e.g. by IP
 * region).
 */
import type { ContainerPort, LabelSelector, Labels, NamespaceRecord } from '../model/records.js';
import { NAMESPACE_NAME_LABEL } from '../model/records.js';
import type { IpRange, IpSet } from './ip-set.js';
import { atomizeAddressSpace, parseAddress } from './ip-set.js';
import { selectorKey, selectorMatcher } from './selectors.js';
import { ContentCache } from './bounded-map.js';
import { objectMemo } from './object-memo.js';
import type { Steps } from './steps.js';
import { drain, forEachInSteps, UNITS_PER_STEP } from './steps.js';

export interface EndpointMember {
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
}

/** A peer as reported to users, before classification. */
export interface EndpointSpec {
  /** `ns/name[Kind]`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  /** `pods`: backed by pod objects; `template`: a workload's pod template (future pods). */
  readonly origin: 'pods' | 'template';
  readonly members: readonly EndpointMember[];
}

export interface EndpointClass {
  readonly id: number;
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly labels: Labels;
  readonly ports: readonly ContainerPort[];
  /** One representative address per address-space atom the members' IPs fall in. */
  readonly addresses: readonly string[];
  /** The atoms (indexes into ClassIndex.atoms) of `addresses`, ascending. */
  readonly atomIds: readonly number[];
  readonly hostNetwork: boolean;
}

export interface Endpoint extends EndpointSpec {
  readonly classIds: readonly number[];
  /** Position in ClassIndex.endpoints. */
  readonly position: number;
}

export interface ClassIndex {
  readonly classes: readonly EndpointClass[];
  readonly endpoints: readonly Endpoint[];
  /** The External address space cut at every ipBlock boundary. */
  readonly atoms: readonly IpRange[];
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  /** Every namespace (declared, or only referenced by an endpoint) with its labels. */
  readonly namespaces: readonly { readonly name: string; readonly labels: Labels }[];
  readonly classesByNamespace: ReadonlyMap<string, readonly EndpointClass[]>;
  /** Per namespace, its classes by each of their labels (keyed by labelEntryKey). */
  readonly classesByLabel: ReadonlyMap<string, ReadonlyMap<string, readonly EndpointClass[]>>;
  readonly endpointsOfClass: ReadonlyMap<number, readonly Endpoint[]>;
  /** Class representative addresses sorted by value, per family, for ipBlock lookups. */
  readonly addressIndex: Readonly<Record<4 | 6, AddressIndex>>;
}

export interface AddressIndex {
  readonly values: readonly bigint[];
  readonly classIds: readonly number[];
}

/** Appends `value` to the list of `key`. */
function pushTo<K, V>(m: Map<K, V[]>, key: K, value: V): void {
  const list = m.get(key);
  if (list) list.push(value);
  else m.set(key, [value]);
}

/** The key of one label in ClassIndex.classesByLabel (NUL cannot occur in a key or a value). */
function labelEntryKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function sortedEntries(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k] as string}`)
    .join('\u0001');
}

function portsKey(ports: readonly ContainerPort[]): string {
  return ports
    .filter((p) => p.name !== null)
    .map((p) => `${p.name as string}/${p.protocol}/${p.port}`)
    .sort()
    .join(',');
}

type ParsedAddress = NonNullable<ReturnType<typeof parseAddress>>;

/** True when two members have the same labels, declared ports and hostNetwork (so the same class key part). */
function sameShape(a: EndpointMember, b: EndpointMember): boolean {
  if (a.hostNetwork !== b.hostNetwork || a.ports.length !== b.ports.length) return false;
  for (let i = 0; i < a.ports.length; i++) {
    const x = a.ports[i] as ContainerPort;
    const y = b.ports[i] as ContainerPort;
    if (x.name !== y.name || x.protocol !== y.protocol || x.port !== y.port) return false;
  }
  const keys = Object.keys(a.labels);
  if (keys.length !== Object.keys(b.labels).length) return false;
  for (const k of keys) if (!Object.hasOwn(b.labels, k) || b.labels[k] !== a.labels[k]) return false;
  return true;
}

/** Finds the atom containing an address (atoms are sorted and cover the whole space). */
function atomIndexOf(atoms: readonly IpRange[], a: ParsedAddress | null): number {
  if (!a) return -1;
  let lo = 0;
  let hi = atoms.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = atoms[mid] as IpRange;
    if (r.family < a.family || (r.family === a.family && r.hi < a.value)) lo = mid + 1;
    else if (r.family > a.family || r.lo > a.value) hi = mid - 1;
    else return mid;
  }
  return -1;
}

export function namespaceLabelMap(namespaces: readonly NamespaceRecord[]): Map<string, Labels> {
  return new Map(namespaces.map((n) => [n.name, n.labels]));
}

export function labelsOfNamespace(map: ReadonlyMap<string, Labels>, namespace: string): Labels {
  return map.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
}

/**
 * Classifies endpoints. `ipBlockSets` are the address sets of every ipBlock
 * the evaluation will consider (all policies before and after a change), so
 * that one index serves both sides of a diff.
 */
export function buildClassIndex(
  specs: readonly EndpointSpec[],
  namespaces: readonly NamespaceRecord[],
  ipBlockSets: readonly IpSet[],
): ClassIndex {
  return drain(buildClassIndexSteps(specs, namespaces, ipBlockSets));
}

/** buildClassIndex in slices (see steps.ts). */
export function* buildClassIndexSteps(
  specs: readonly EndpointSpec[],
  namespaces: readonly NamespaceRecord[],
  ipBlockSets: readonly IpSet[],
): Steps<ClassIndex> {
  const atoms = atomizeAddressSpace(ipBlockSets);
  const nsLabels = namespaceLabelMap(namespaces);
  const classifier = createClassifier(atoms, nsLabels);
  // The loop over members stays in a plain function (classifier.add), which V8 optimises better
  // than a generator's body; the generator only pauses between endpoints.
  let units = 0;
  for (const spec of specs) {
    classifier.add(spec);
    units += spec.members.length;
    if (units >= UNITS_PER_STEP) {
      units = 0;
      yield;
    }
  }
  const { classes, endpoints, parsed } = classifier;
  return {
    classes,
    endpoints,
    atoms,
    namespaceLabels: nsLabels,
    ...(yield* buildLookups(classes, endpoints, nsLabels, parsed)),
  };
}

/** Classes and endpoints, endpoint after endpoint. */
function createClassifier(
  atoms: readonly IpRange[],
  nsLabels: ReadonlyMap<string, Labels>,
): {
  readonly classes: readonly EndpointClass[];
  readonly endpoints: readonly Endpoint[];
  /** Each address is parsed once, here; buildLookups reads the classes' addresses from this map. */
  readonly parsed: ReadonlyMap<string, ParsedAddress | null>;
  add(spec: EndpointSpec): void;
} {
  const classes: EndpointClass[] = [];
  const byKey = new Map<string, number>();
  const endpoints: Endpoint[] = [];
  const parsed = new Map<string, ParsedAddress | null>();
  const add = (spec: EndpointSpec): void => {
    const ids = new Set<number>();
    // The members of one endpoint (the pods of a ReplicaSet) mostly look alike: the part of the
    // class key that describes them is rebuilt only when a member differs from the previous one.
    let shapeOf: EndpointMember | null = null;
    let shape = '';
    for (const m of spec.members) {
      const atomAddress = new Map<number, string>();
      for (const ip of m.ips) {
        let a = parsed.get(ip);
        if (a === undefined) parsed.set(ip, (a = parseAddress(ip)));
        const i = atomIndexOf(atoms, a);
        if (i >= 0 && !atomAddress.has(i)) atomAddress.set(i, ip);
      }
      const atomIds = [...atomAddress.keys()].sort((x, y) => x - y);
      if (shapeOf === null || !sameShape(shapeOf, m)) {
        shapeOf = m;
        shape = [spec.namespace, sortedEntries(m.labels), portsKey(m.ports), m.hostNetwork ? 'h' : ''].join(
          '\u0000',
        );
      }
      const key = `${shape}\u0000${atomIds.join(',')}`;
      let id = byKey.get(key);
      if (id === undefined) {
        id = classes.length;
        byKey.set(key, id);
        classes.push({
          id,
          namespace: spec.namespace,
          namespaceLabels: labelsOfNamespace(nsLabels, spec.namespace),
          labels: m.labels,
          ports: m.ports,
          addresses: atomIds.map((i) => atomAddress.get(i) as string),
          atomIds,
          hostNetwork: m.hostNetwork,
        });
      }
      ids.add(id);
    }
    endpoints.push({ ...spec, classIds: [...ids].sort((x, y) => x - y), position: endpoints.length });
  };
  return { classes, endpoints, parsed, add };
}

function* buildLookups(
  classes: readonly EndpointClass[],
  endpoints: readonly Endpoint[],
  nsLabels: ReadonlyMap<string, Labels>,
  parsed: ReadonlyMap<string, ParsedAddress | null>,
): Steps<
  Pick<
    ClassIndex,
    'namespaces' | 'classesByNamespace' | 'classesByLabel' | 'endpointsOfClass' | 'addressIndex'
  >
> {
  const classesByNamespace = new Map<string, EndpointClass[]>();
  const classesByLabel = new Map<string, Map<string, EndpointClass[]>>();
  yield* forEachInSteps(classes, (c) => {
    pushTo(classesByNamespace, c.namespace, c);
    let byLabel = classesByLabel.get(c.namespace);
    if (!byLabel) classesByLabel.set(c.namespace, (byLabel = new Map()));
    for (const [k, v] of Object.entries(c.labels)) pushTo(byLabel, labelEntryKey(k, v), c);
  });
  const names = new Set([...nsLabels.keys(), ...classesByNamespace.keys()]);
  const namespaces = [...names].sort().map((name) => ({ name, labels: labelsOfNamespace(nsLabels, name) }));
  const endpointsOfClass = new Map<number, Endpoint[]>();
  yield* forEachInSteps(endpoints, (e) => {
    for (const id of e.classIds) pushTo(endpointsOfClass, id, e);
  });
  const entries: Record<4 | 6, [bigint, number][]> = { 4: [], 6: [] };
  yield* forEachInSteps(classes, (c) => {
    for (const a of c.addresses) {
      const p = parsed.get(a); // every class address was parsed when classified
      if (p) entries[p.family].push([p.value, c.id]);
    }
  });
  const toIndex = (list: [bigint, number][]): AddressIndex => {
    list.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1]));
    return { values: list.map((x) => x[0]), classIds: list.map((x) => x[1]) };
  };
  return {
    namespaces,
    classesByNamespace,
    classesByLabel,
    endpointsOfClass,
    addressIndex: { 4: toIndex(entries[4]), 6: toIndex(entries[6]) },
  };
}

/** Ids of the classes with a representative address inside [lo, hi] of a family. */
export function classesInAddressRange(index: ClassIndex, family: 4 | 6, lo: bigint, hi: bigint): number[] {
  const { values, classIds } = index.addressIndex[family];
  let a = 0;
  let b = values.length;
  while (a < b) {
    const mid = (a + b) >> 1;
    if ((values[mid] as bigint) < lo) a = mid + 1;
    else b = mid;
  }
  const out: number[] = [];
  for (let i = a; i < values.length && (values[i] as bigint) <= hi; i++) out.push(classIds[i] as number);
  return out;
}

/**
 * Per index, by selector and by the selector's content (selectorKey): a changed policy's
 * selectors are parsed anew for every request. At most 1,024 contents and 250,000 names.
 */
const selectedNamespaces = new WeakMap<ClassIndex, ContentCache<LabelSelector, readonly string[]>>();

/** Names of the index's namespaces a namespaceSelector selects: computed once per (index, selector). */
export function namespacesSelected(index: ClassIndex, selector: LabelSelector): readonly string[] {
  let cache = selectedNamespaces.get(index);
  if (!cache) selectedNamespaces.set(index, (cache = new ContentCache(1024, 250_000, (n) => n.length + 1)));
  return cache.get(
    selector,
    () => selectorKey(selector),
    () => {
      // Through the label index when the selector requires one label value (a union of several
      // lists would lose the index's order).
      const { labelKeys, exact } = lookupOf(selector);
      const key = labelKeys?.length === 1 ? labelKeys[0] : undefined;
      const candidates = key === undefined ? index.namespaces : (namespacesByLabel(index).get(key) ?? []);
      const matches = selectorMatcher(selector);
      const selected = key !== undefined && exact ? candidates : candidates.filter((n) => matches(n.labels));
      return selected.map((n) => n.name);
    },
  );
}

type IndexedNamespace = ClassIndex['namespaces'][number];
const namespaceLabelIndexes = new WeakMap<ClassIndex, ReadonlyMap<string, readonly IndexedNamespace[]>>();

/** The index's namespaces by each of their labels (labelEntryKey), sorted like index.namespaces. */
function namespacesByLabel(index: ClassIndex): ReadonlyMap<string, readonly IndexedNamespace[]> {
  let byLabel = namespaceLabelIndexes.get(index);
  if (!byLabel) {
    const m = new Map<string, IndexedNamespace[]>();
    for (const n of index.namespaces) {
      for (const [k, v] of Object.entries(n.labels)) pushTo(m, labelEntryKey(k, v), n);
    }
    byLabel = m;
    namespaceLabelIndexes.set(index, byLabel);
  }
  return byLabel;
}

/**
 * How a pod selector is looked up in ClassIndex.classesByLabel: the label entries whose
 * classes include every match (their lists are disjoint: a class has one value per key), or
 * null when the selector requires no label value; `exact` when those classes are the matches.
 */
interface SelectorLookup {
  readonly labelKeys: readonly string[] | null;
  readonly exact: boolean;
}

/** How `selector` is looked up, worked out once per selector object. */
const lookupOf = objectMemo('selector lookup', (selector: LabelSelector): SelectorLookup => {
  const labels = Object.entries(selector.matchLabels);
  const first = labels[0];
  const inExpr = selector.matchExpressions.find((r) => r.operator === 'In');
  if (first) {
    const exact = labels.length === 1 && selector.matchExpressions.length === 0;
    return { labelKeys: [labelEntryKey(first[0], first[1])], exact };
  }
  if (inExpr) {
    const exact = selector.matchExpressions.length === 1;
    return { labelKeys: [...new Set(inExpr.values)].map((v) => labelEntryKey(inExpr.key, v)), exact };
  }
  return { labelKeys: null, exact: false };
});

const NO_CLASSES: readonly EndpointClass[] = Object.freeze([]);

/**
 * The classes of `namespace` a pod selector selects (null: all of them),
 * through the label index when the selector requires a label value. The
 * result may be one of the index's own lists: never modify it.
 */
export function classesMatching(
  index: ClassIndex,
  namespace: string,
  selector: LabelSelector | null,
): readonly EndpointClass[] {
  if (selector === null) return index.classesByNamespace.get(namespace) ?? NO_CLASSES;
  const { labelKeys, exact } = lookupOf(selector);
  let candidates: readonly EndpointClass[];
  if (labelKeys === null) candidates = index.classesByNamespace.get(namespace) ?? NO_CLASSES;
  else {
    const byLabel = index.classesByLabel.get(namespace);
    if (!byLabel) return NO_CLASSES;
    if (labelKeys.length === 1) candidates = byLabel.get(labelKeys[0] as string) ?? NO_CLASSES;
    else candidates = labelKeys.flatMap((k) => byLabel.get(k) ?? NO_CLASSES);
  }
  if (exact) return candidates;
  const matches = selectorMatcher(selector);
  return candidates.filter((c) => matches(c.labels));
}
