/**
 * The reviews the load phases send, as templates (`__UID__` and `__N__` are replaced per request):
 * a mix of answers the cache holds (the same review again, as Flux and Argo CD dry runs are) and
 * reviews analysed every time (a new policy name each time). All are dry runs, the high-volume
 * traffic of GitOps controllers: an admitted change would enter the read-your-writes overlay.
 */
import { readFileSync } from 'node:fs';
import type { GeneratedCluster } from '../../bench/generator.js';
import type { ReviewTemplate } from './load-phase.js';

type Json = Record<string, unknown>;

const KIND = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
const RESOURCE = { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' };

function review(
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  namespace: string,
  name: string,
  object: unknown,
  oldObject: unknown,
): Json {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '__UID__',
      kind: KIND,
      resource: RESOURCE,
      requestKind: KIND,
      requestResource: RESOURCE,
      name,
      namespace,
      operation,
      userInfo: {
        username: 'system:serviceaccount:flux-system:kustomize-controller',
        groups: ['system:serviceaccounts'],
      },
      object,
      oldObject,
      dryRun: true,
      options: null,
    },
  };
}

/** The same review with its policy renamed `NAME-__N__`: analysed every time. */
function renamed(body: Json): Json {
  const copy = structuredClone(body) as { request: Json & { object: Json & { metadata: Json } } };
  const name = `${String(copy.request['name'])}-__N__`;
  copy.request['name'] = name;
  copy.request.object.metadata['name'] = name;
  return copy;
}

/** examples/cluster: the two example reviews, a new policy every time, a DELETE of allow-dns. */
export function exampleClusterTemplates(repo: string): ReviewTemplate[] {
  const read = (file: string): Json & { request: Json } => {
    const body = JSON.parse(readFileSync(`${repo}/examples/${file}`, 'utf8')) as Json & { request: Json };
    body.request['uid'] = '__UID__';
    body.request['dryRun'] = true;
    return body;
  };
  const warned = read('admission-review-allow-with-warnings.json');
  const denied = read('admission-review-deny-egress-no-dns.json');
  return [
    warned,
    renamed(warned),
    denied,
    renamed(denied),
    review('DELETE', 'payments', 'allow-dns', null, null),
  ].map((body) => JSON.stringify(body));
}

/** A synthetic cluster: its stream of changes, and every third CREATE again under a new name. */
export function generatedClusterTemplates(cluster: GeneratedCluster): ReviewTemplate[] {
  const templates: ReviewTemplate[] = [];
  cluster.changes.forEach((change, i) => {
    const ref = change.object ?? change.oldObject;
    if (ref === null) return;
    const body = review(
      change.operation,
      ref.metadata.namespace ?? 'default',
      ref.metadata.name,
      change.object,
      change.oldObject,
    );
    templates.push(JSON.stringify(body));
    if (change.operation === 'CREATE' && i % 3 === 0) templates.push(JSON.stringify(renamed(body)));
  });
  return templates;
}
