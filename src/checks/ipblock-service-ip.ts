/**
 * ipblock-service-ip: an ipBlock contains a Service ClusterIP. Policies are
 * applied after Service DNAT (traffic is seen with the backend pod's IP), so
 * the rule does not match traffic sent to that Service. Catch-all blocks
 * (prefix 0) and blocks that also contain the Service's backend pod IPs are
 * not reported: they match the real destination anyway.
 */
import type { CheckFinding } from '../model/findings.js';
import type { PolicyRecord, ServiceRecord } from '../model/records.js';
import { pollEvery } from '../semantics/interrupt.js';
import type { IpSet } from '../semantics/ip-set.js';
import { ipBlockToSet, ipSetContains, parseAddress } from '../semantics/ip-set.js';
import { matchSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';

function backendIps(ctx: CheckContext, svc: ServiceRecord): string[] {
  if (!svc.selector) return [];
  // one selector object per Service: matchSelector compiles it once
  const sel = { matchLabels: svc.selector, matchExpressions: [] };
  return ctx.snapshot.pods
    .filter((p) => p.namespace === svc.namespace && matchSelector(sel, p.labels))
    .flatMap((p) => p.ips);
}

type Address = NonNullable<ReturnType<typeof parseAddress>>;

function parseAddresses(ips: readonly string[]): Address[] {
  return ips.map(parseAddress).filter((a): a is Address => a !== null);
}

function containsAny(set: IpSet, addresses: readonly Address[]): boolean {
  return addresses.some((a) => ipSetContains(set, a.family, a.value));
}

const clusterAddressCache = new WeakMap<readonly ServiceRecord[], ReadonlyMap<ServiceRecord, Address[]>>();

/** The parsed cluster IPs of every Service, once per Service list (shared by every change analysed). */
function clusterAddresses(services: readonly ServiceRecord[]): ReadonlyMap<ServiceRecord, Address[]> {
  let map = clusterAddressCache.get(services);
  if (!map) {
    map = new Map(services.map((s) => [s, parseAddresses(s.clusterIPs)]));
    clusterAddressCache.set(services, map);
  }
  return map;
}

function ipBlocks(p: PolicyRecord): { path: string; cidr: string; except: readonly string[] }[] {
  const out: { path: string; cidr: string; except: readonly string[] }[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const field = direction === 'ingress' ? 'from' : 'to';
    p[direction].forEach((rule, i) =>
      rule.peers.forEach((peer, j) => {
        if (peer.kind === 'ipBlock')
          out.push({ path: `${direction}[${i}].${field}[${j}].ipBlock`, ...peer.ipBlock });
      }),
    );
  }
  return out;
}

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const blocks = ipBlocks(p);
  if (blocks.length === 0) return [];
  const out: CheckFinding[] = [];
  // a Service's addresses are parsed once per Service list, its backends looked up once per change
  const clusterIps = clusterAddresses(ctx.snapshot.services);
  const backends = new Map<ServiceRecord, Address[]>();
  const backendsOf = (s: ServiceRecord): Address[] => {
    let ips = backends.get(s);
    if (!ips) {
      ips = parseAddresses(backendIps(ctx, s));
      backends.set(s, ips);
    }
    return ips;
  };
  const poll = pollEvery(ctx.interrupt, 'ipblock-service-ip');
  for (const block of blocks) {
    poll();
    if (block.cidr.endsWith('/0')) continue;
    const set = ipBlockToSet(block.cidr, block.except, poll);
    const hits = ctx.snapshot.services.filter(
      (s) => containsAny(set, clusterIps.get(s) ?? []) && !containsAny(set, backendsOf(s)),
    );
    if (hits.length === 0) continue;
    const names = hits.map((s) => `${s.namespace}/${s.name}`);
    const first = hits[0] as ServiceRecord;
    out.push({
      rule: 'ipblock-service-ip',
      message: clip(
        `${ctx.policyRef} ${block.path} ${block.cidr} contains the ClusterIP of Service ${names[0]}` +
          `${names.length > 1 ? ` (+${names.length - 1})` : ''}: it never matches, select the Service's pods`,
      ),
      subjects: [ctx.policyRef, ...names],
      detail:
        `spec.${block.path} (${block.cidr}) contains the ClusterIP ${first.clusterIPs.join(', ')} of Service ` +
        `${names[0]}${names.length > 1 ? ` and ${names.length - 1} more (${names.slice(1).join(', ')})` : ''}. ` +
        'NetworkPolicies are enforced after the Service address is translated to a pod IP, so traffic to the ' +
        "Service is not matched by this ipBlock. Use a podSelector (and namespaceSelector) for the Service's pods.",
    });
  }
  return out;
}

export const ipblockServiceIp: Check = {
  id: 'ipblock-service-ip',
  defaultSeverity: 'warn',
  summary: 'an ipBlock contains a Service ClusterIP (policies apply after Service DNAT: it never matches)',
  reportsLossesOnly: false,
  run,
};
