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
import type { ContainerPort, Labels, NamespaceRecord } from '../model/records.js';
import { NAMESPACE_NAME_LABEL } from '../model/records.js';
import type { IpRange, IpSet } from './ip-set.js';
import { atomizeAddressSpace, parseAddress } from './ip-set.js';

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
  readonly hostNetwork: boolean;
}

export interface Endpoint extends EndpointSpec {
  readonly classIds: readonly number[];
}

export interface ClassIndex {
  readonly classes: readonly EndpointClass[];
  readonly endpoints: readonly Endpoint[];
  /** The External address space cut at every ipBlock boundary. */
  readonly atoms: readonly IpRange[];
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
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

/** Finds the atom containing an address (atoms are sorted and cover the whole space). */
function atomIndexOf(atoms: readonly IpRange[], address: string): number {
  const a = parseAddress(address);
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
  const atoms = atomizeAddressSpace(ipBlockSets);
  const nsLabels = namespaceLabelMap(namespaces);
  const classes: EndpointClass[] = [];
  const byKey = new Map<string, number>();
  const endpoints: Endpoint[] = [];
  for (const spec of specs) {
    const ids = new Set<number>();
    for (const m of spec.members) {
      const atomAddress = new Map<number, string>();
      for (const ip of m.ips) {
        const i = atomIndexOf(atoms, ip);
        if (i >= 0 && !atomAddress.has(i)) atomAddress.set(i, ip);
      }
      const atomIds = [...atomAddress.keys()].sort((x, y) => x - y);
      const key = [
        spec.namespace,
        sortedEntries(m.labels),
        portsKey(m.ports),
        m.hostNetwork ? 'h' : '',
        atomIds.join(','),
      ].join('\u0000');
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
          hostNetwork: m.hostNetwork,
        });
      }
      ids.add(id);
    }
    endpoints.push({ ...spec, classIds: [...ids].sort((x, y) => x - y) });
  }
  return { classes, endpoints, atoms, namespaceLabels: nsLabels };
}
