/**
 * Shared by the DNS rules: which classes to examine, and the ready-to-apply
 * NetworkPolicy that restores DNS.
 */
import { NAMESPACE_NAME_LABEL } from '../model/records.js';
import type { EndpointClass } from '../semantics/classes.js';
import type { CheckContext } from './context.js';
import { isDnsClass } from './dns.js';
import { selectorToManifest } from './selector-yaml.js';

/**
 * The classes whose DNS can change: every class when the policy selects DNS pods themselves
 * (their ingress decides for the whole cluster); else the ones the policy selects, when the old
 * or the new policy isolates egress; else none (a class reaches DNS through its own egress and
 * the DNS pods' ingress, and the change alters neither). DNS pods and hostNetwork pods are left
 * out.
 */
export function dnsAffectedClasses(ctx: CheckContext): EndpointClass[] {
  const { model } = ctx;
  const touchesDns = model.affected.some((c) => isDnsClass(ctx.dns, c));
  if (!touchesDns && !model.beforePolicy?.isolates.egress && !model.afterPolicy?.isolates.egress) return [];
  const candidates = touchesDns ? model.index.classes : model.affected;
  return candidates.filter((c) => !c.hostNetwork && !isDnsClass(ctx.dns, c));
}

function dnsPorts(ctx: CheckContext): { protocol: string; port: number }[] {
  const seen = new Map<string, { protocol: string; port: number }>();
  for (const t of ctx.dns) {
    for (const p of t.ports) seen.set(`${p.protocol}/${p.port}`, { protocol: p.protocol, port: p.port });
    // UDP and TCP always go together for DNS.
    for (const p of t.ports) {
      const other = p.protocol === 'UDP' ? 'TCP' : 'UDP';
      seen.set(`${other}/${p.port}`, { protocol: other, port: p.port });
    }
  }
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

function dnsPeers(ctx: CheckContext): Record<string, unknown>[] {
  return ctx.dns.map((t) =>
    t.pods
      ? {
          namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: t.pods.namespace } },
          podSelector: selectorToManifest(t.pods.podSelector),
        }
      : { ipBlock: { cidr: `${t.address as string}/${(t.address as string).includes(':') ? 128 : 32}` } },
  );
}

/** A name for the fix policy that does not collide with the changed one. */
function fixName(policyName: string): string {
  return (policyName.includes('dns') ? `${policyName}-restore` : `${policyName}-allow-dns`).slice(0, 253);
}

/** An egress allow-DNS policy for the pods the changed policy selects (a manifest). */
export function allowDnsEgressFix(ctx: CheckContext): object | null {
  const policy = ctx.change.object ?? ctx.change.oldObject;
  if (!policy) return null;
  const manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: fixName(policy.name), namespace: policy.namespace },
    spec: {
      podSelector: selectorToManifest(policy.podSelector),
      policyTypes: ['Egress'],
      egress: [{ to: dnsPeers(ctx), ports: dnsPorts(ctx) }],
    },
  };
  return manifest;
}

/** An ingress policy letting every namespace reach the DNS pods the changed policy isolates (a manifest). */
export function allowDnsIngressFix(ctx: CheckContext): object | null {
  const policy = ctx.change.object;
  if (!policy) return null;
  const ports = dnsPorts(ctx);
  const manifest = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-ingress', namespace: policy.namespace },
    spec: {
      podSelector: selectorToManifest(
        ctx.dns.find((t) => t.pods)?.pods?.podSelector ?? { matchLabels: {}, matchExpressions: [] },
      ),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }], ports }],
    },
  };
  return manifest;
}
