/**
 * Change impact, case by case, where the grouped computation takes a short
 * cut: destinations named by the changed egress side are evaluated once per
 * pair of egress summaries and shared by every source with those summaries,
 * except the destinations whose own ingress names the source.
 */
import t from 'tap';
import type { PolicyRecord } from '../../src/model/records.js';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import type { EndpointClass } from '../../src/semantics/classes.js';
import { formatConnections } from '../../src/semantics/connection-set.js';
import type { ImpactEntry, ImpactPeer } from '../../src/semantics/impact.js';
import { buildChangeModel, computeImpact, prepareState } from '../../src/semantics/impact.js';

const CLUSTER = `
apiVersion: v1
kind: Namespace
metadata: { name: a }
---
apiVersion: v1
kind: Namespace
metadata: { name: b }
---
apiVersion: v1
kind: Pod
metadata: { name: db-0, namespace: a, labels: { app: db, statefulset.kubernetes.io/pod-name: db-0 } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.0.1.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: db-1, namespace: a, labels: { app: db, statefulset.kubernetes.io/pod-name: db-1 } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.0.1.2 }
---
apiVersion: v1
kind: Pod
metadata: { name: api, namespace: b, labels: { app: api } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.0.2.1 }
---
apiVersion: v1
kind: Pod
metadata: { name: cache, namespace: b, labels: { app: cache } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: 10.0.2.2 }
---
# api: port 80 from anyone, and 8080 from db-0 only
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: api-ingress, namespace: b }
spec:
  podSelector: { matchLabels: { app: api } }
  ingress:
    - ports: [{ port: 80 }]
    - from:
        - namespaceSelector: {}
          podSelector: { matchLabels: { statefulset.kubernetes.io/pod-name: db-0 } }
      ports: [{ port: 8080 }]
---
# cache: port 6379 from anyone
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: cache-ingress, namespace: b }
spec:
  podSelector: { matchLabels: { app: cache } }
  ingress:
    - ports: [{ port: 6379 }]
`;

/** db's egress locked to api and cache on 8080 only. */
const LOCK_EGRESS = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: lock-egress, namespace: a }
spec:
  podSelector: { matchLabels: { app: db } }
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {}
          podSelector: { matchExpressions: [{ key: app, operator: In, values: [api, cache] }] }
      ports: [{ port: 8080 }]
`;

function impactOfCreate(policyYaml: string): readonly ImpactEntry[] {
  const state = parseManifestTexts([{ source: 'cluster.yaml', text: CLUSTER }]).snapshot;
  const created = parseManifestTexts([{ source: 'change.yaml', text: policyYaml }]).snapshot
    .policies[0] as PolicyRecord;
  const prepared = prepareState(state);
  const model = buildChangeModel(prepared, {
    namespace: created.namespace,
    name: created.name,
    before: null,
    after: created,
  });
  return computeImpact(model);
}

function name(p: ImpactPeer): string {
  if (p.kind === 'class')
    return `${p.cls.namespace}/${p.cls.labels['statefulset.kubernetes.io/pod-name'] ?? p.cls.labels['app']}`;
  return p.kind === 'group' ? p.description : 'external';
}

/** The classes of a peer: itself, a group's members, none for an External range. */
function members(p: ImpactPeer): EndpointClass[] {
  if (p.kind === 'class') return [p.cls];
  return p.kind === 'group' ? [...p.classes()] : [];
}

/**
 * `src>dst: before -> after` for every class pair of the impact, groups expanded into their
 * members (whether a pair is listed alone or inside a group is the engine's choice), sorted.
 */
function pairs(impact: readonly ImpactEntry[]): string[] {
  return impact
    .flatMap((e) =>
      members(e.src).flatMap((src) =>
        members(e.dst).map(
          (dst) =>
            `${name({ kind: 'class', cls: src })}>${name({ kind: 'class', cls: dst })}: ` +
            `${formatConnections(e.before)} -> ${formatConnections(e.after)}`,
        ),
      ),
    )
    .sort();
}

t.test('a destination naming one source of a shared egress row keeps its own answer', async (t) => {
  // db-0 and db-1 get the same egress summaries (one shared row); api names db-0 only.
  t.same(pairs(impactOfCreate(LOCK_EGRESS)), [
    'a/db-0>a/db-0: All Connections -> No Connections',
    'a/db-0>a/db-1: All Connections -> No Connections',
    'a/db-0>b/api: TCP 80,8080 -> TCP 8080',
    'a/db-0>b/cache: TCP 6379 -> No Connections',
    'a/db-1>a/db-0: All Connections -> No Connections',
    'a/db-1>a/db-1: All Connections -> No Connections',
    'a/db-1>b/api: TCP 80 -> No Connections',
    'a/db-1>b/cache: TCP 6379 -> No Connections',
  ]);
});
