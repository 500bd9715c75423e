/**
 * manifests/base as `kubectl kustomize` renders it: RBAC is read-only on exactly the
 * resources the cluster cache watches, the webhook registration matches the server
 * (operations, timeout vs deadline, failure policy, namespace exclusions, match
 * conditions), the Deployment is hardened and probed, and the ConfigMap holds a
 * configuration the server accepts.
 */
import t from 'tap';
import { ENFORCEMENT_LABEL } from '../../src/model/findings.js';
import type { LabelSelector, SelectorRequirement } from '../../src/model/records.js';
import { parseConfigText } from '../../src/parse/config.js';
import { matchSelector } from '../../src/semantics/selectors.js';
import { RESOURCE_DEFINITIONS } from '../../src/cluster/live/resources.js';
import {
  kubectlUnavailable,
  NAMESPACE,
  ofKind,
  only,
  render,
  repoPath,
  type K8sObject,
} from '../support/manifests.js';

const skip = kubectlUnavailable();
if (skip !== null) console.log(`# skipping the manifests/base tests: ${skip}`);

interface RawSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: SelectorRequirement['operator']; values?: string[] }[];
}
const toSelector = (s: RawSelector | undefined): LabelSelector => ({
  matchLabels: s?.matchLabels ?? {},
  matchExpressions: (s?.matchExpressions ?? []).map((e) => ({ ...e, values: e.values ?? [] })),
});

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
type ClusterRole = K8sObject & { rules: PolicyRule[] };
type ClusterRoleBinding = K8sObject & {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: { kind: string; name: string; namespace?: string }[];
};

interface Probe {
  httpGet?: { path: string; port: string | number; scheme?: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type: string };
  };
  volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[];
}
interface PodSpec {
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    seccompProfile?: { type: string };
  };
  affinity?: {
    podAntiAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { topologyKey: string; labelSelector?: RawSelector }[];
      preferredDuringSchedulingIgnoredDuringExecution?: {
        weight: number;
        podAffinityTerm: { topologyKey: string; labelSelector?: RawSelector };
      }[];
    };
  };
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string }; configMap?: { name: string } }[];
}
type Deployment = K8sObject & {
  spec: {
    replicas: number;
    selector: RawSelector;
    strategy?: {
      type?: string;
      rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string };
    };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
};
type Service = K8sObject & {
  spec: {
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort: string | number }[];
  };
};
type ConfigMap = K8sObject & { data: Record<string, string> };
type PodDisruptionBudget = K8sObject & {
  spec: { minAvailable?: number | string; maxUnavailable?: number | string; selector: RawSelector };
};
interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: {
    service?: { name: string; namespace: string; path?: string; port?: number };
    caBundle?: string;
  };
  rules: {
    apiGroups: string[];
    apiVersions: string[];
    operations: string[];
    resources: string[];
    scope?: string;
  }[];
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  namespaceSelector?: RawSelector;
  objectSelector?: RawSelector;
  matchConditions?: { name: string; expression: string }[];
}
type WebhookConfiguration = K8sObject & { webhooks: Webhook[] };

t.test('manifests/base', { skip: skip ?? false }, async (t) => {
  const objects = render(repoPath('manifests', 'base'));
  const deployment = only<Deployment>(objects, 'Deployment');
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0] as Container;
  const configMap = only<ConfigMap>(objects, 'ConfigMap');
  const webhookConfiguration = only<WebhookConfiguration>(objects, 'ValidatingWebhookConfiguration');
  const webhook = webhookConfiguration.webhooks[0] as Webhook;
  const service = only<Service>(objects, 'Service');
  const config = parseConfigText(configMap.data['config.yaml'] ?? '', 'ConfigMap netpol-preflight-config');

  t.test('every namespaced object is in the netpol-preflight namespace', async (t) => {
    only(objects, 'Namespace', NAMESPACE);
    const clusterScoped = new Set([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'ValidatingWebhookConfiguration',
    ]);
    for (const o of objects) {
      if (clusterScoped.has(o.kind)) t.equal(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
      else t.equal(o.metadata.namespace, NAMESPACE, `${o.kind} ${o.metadata.name}`);
    }
    const ns = only(objects, 'Namespace');
    t.equal(
      ns.metadata.labels?.['pod-security.kubernetes.io/enforce'],
      'restricted',
      'restricted Pod Security',
    );
  });

  t.test('RBAC: get/list/watch on exactly the resources the cache watches', async (t) => {
    t.equal(ofKind(objects, 'Role').length + ofKind(objects, 'RoleBinding').length, 0, 'no namespaced RBAC');
    const role = only<ClusterRole>(objects, 'ClusterRole');
    const granted = new Set<string>();
    for (const rule of role.rules) {
      t.same([...rule.verbs].sort(), ['get', 'list', 'watch'], `verbs of ${rule.resources?.join(',')}`);
      t.equal(rule.resourceNames, undefined, 'not narrowed to names (the cache lists everything)');
      t.equal(rule.nonResourceURLs, undefined, 'no non-resource URLs');
      for (const group of rule.apiGroups ?? []) {
        for (const resource of rule.resources ?? []) granted.add(`${group}/${resource}`);
      }
    }
    // The group of each watched resource, from the path the cache lists it at.
    const needed = RESOURCE_DEFINITIONS.map((d) => {
      const core = /^\/api\/v1\/([a-z]+)$/.exec(d.path);
      if (core) return `/${core[1]}`;
      const named = /^\/apis\/([^/]+)\/v1\/([a-z]+)$/.exec(d.path);
      if (!named) throw new Error(`unexpected path ${d.path}`);
      return `${named[1]}/${named[2]}`;
    });
    t.same([...granted].sort(), [...needed].sort(), 'the ClusterRole grants exactly the cache resources');
    t.notOk(
      [...granted].some((g) => g.includes('*') || g.endsWith('/secrets') || g.endsWith('/configmaps')),
      'no wildcard, no Secrets, no ConfigMaps',
    );
    const binding = only<ClusterRoleBinding>(objects, 'ClusterRoleBinding');
    t.same(binding.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role.metadata.name,
    });
    t.same(binding.subjects, [
      { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: NAMESPACE },
    ]);
    only(objects, 'ServiceAccount', pod.serviceAccountName);
  });

  t.test('webhook registration', async (t) => {
    t.equal(webhookConfiguration.webhooks.length, 1);
    t.match(webhook.name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, 'a fully qualified webhook name');
    t.same(webhook.rules, [
      {
        apiGroups: ['networking.k8s.io'],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE', 'DELETE'],
        resources: ['networkpolicies'],
        scope: 'Namespaced',
      },
    ]);
    t.equal(webhook.sideEffects, 'None', 'dry-run requests are sent too');
    t.same(webhook.admissionReviewVersions, ['v1']);
    t.equal(webhook.failurePolicy, 'Fail');
    t.ok(
      webhook.timeoutSeconds * 1000 > config.deadlineMs,
      `timeoutSeconds ${webhook.timeoutSeconds} s > the configured deadline ${config.deadlineMs} ms`,
    );
    t.ok(webhook.timeoutSeconds * 1000 - config.deadlineMs >= 1000, 'at least 1 s left for network and TLS');
    t.ok(webhook.timeoutSeconds <= 30, 'within the API server maximum');
    t.same(
      webhook.clientConfig.service,
      { name: service.metadata.name, namespace: NAMESPACE, path: '/validate', port: 443 },
      'calls POST /validate on the Service',
    );
    t.equal(webhook.clientConfig.caBundle, undefined, 'the caBundle comes from an overlay');
    t.equal(webhook.objectSelector, undefined);
  });

  t.test('namespaceSelector: own namespace and enforcement=off are excluded', async (t) => {
    const selector = toSelector(webhook.namespaceSelector);
    // The API server matches the namespace's labels, which always include kubernetes.io/metadata.name.
    const ns = (name: string, labels: Record<string, string> = {}): Record<string, string> => ({
      'kubernetes.io/metadata.name': name,
      ...labels,
    });
    t.notOk(matchSelector(selector, ns(NAMESPACE)), 'the webhook namespace is not sent');
    t.notOk(
      matchSelector(selector, ns('team-a', { [ENFORCEMENT_LABEL]: 'off' })),
      'enforcement=off is not sent',
    );
    t.ok(matchSelector(selector, ns('team-a')), 'an ordinary namespace is sent');
    t.ok(
      matchSelector(selector, ns('team-a', { [ENFORCEMENT_LABEL]: 'warn' })),
      'warn mode is sent (decided by the webhook)',
    );
    t.ok(matchSelector(selector, ns('team-a', { [ENFORCEMENT_LABEL]: 'enforce' })), 'enforce mode is sent');
    t.ok(matchSelector(selector, ns('kube-system')), 'kube-system is checked (CoreDNS isolation)');
  });

  t.test('matchConditions skip what the webhook would allow without analysis', async (t) => {
    const conditions = webhook.matchConditions ?? [];
    t.ok(conditions.length > 0, 'present');
    t.ok(conditions.length <= 64, 'within the API limit');
    t.equal(new Set(conditions.map((c) => c.name)).size, conditions.length, 'unique names');
    const specChanged = conditions.find((c) => c.name === 'spec-changed');
    t.equal(
      specChanged?.expression,
      "request.operation != 'UPDATE' || object.spec != oldObject.spec",
      'UPDATEs that leave spec unchanged are not sent',
    );
    for (const c of conditions) {
      t.match(c.expression, /\b(request|object|oldObject)\b/, `${c.name} uses the admission CEL variables`);
      t.notMatch(c.expression, /\bnamespaceObject\b|\bparams\b/, `${c.name}: variables webhooks do not have`);
    }
  });

  t.test('Deployment: replicas, spreading, upgrades', async (t) => {
    t.equal(deployment.spec.replicas, 2);
    const podLabels = deployment.spec.template.metadata.labels;
    t.ok(matchSelector(toSelector(deployment.spec.selector), podLabels), 'the selector selects the template');
    const anti = pod.affinity?.podAntiAffinity;
    const terms = [
      ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
      ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm),
    ];
    const acrossNodes = terms.filter((term) => term.topologyKey === 'kubernetes.io/hostname');
    t.equal(acrossNodes.length, 1, 'anti-affinity across nodes');
    t.ok(matchSelector(toSelector(acrossNodes[0]?.labelSelector), podLabels), 'against its own replicas');
    t.equal(
      deployment.spec.strategy?.rollingUpdate?.maxUnavailable,
      0,
      'upgrades never drop a ready replica',
    );
    t.equal(pod.hostNetwork ?? false, false);
    t.equal(pod.hostPID ?? false, false);
    t.equal(pod.hostIPC ?? false, false);
  });

  t.test('Deployment: restricted security context, pod and container', async (t) => {
    const podSc = pod.securityContext;
    t.equal(podSc?.runAsNonRoot, true, 'pod runAsNonRoot');
    t.ok((podSc?.runAsUser ?? 0) > 0, 'pod runs as a non-zero UID');
    t.equal(podSc?.seccompProfile?.type, 'RuntimeDefault', 'pod seccomp RuntimeDefault');
    t.equal(pod.containers.length, 1);
    const sc = container.securityContext;
    t.equal(sc?.runAsNonRoot, true, 'container runAsNonRoot');
    t.equal(sc?.allowPrivilegeEscalation, false, 'no privilege escalation');
    t.equal(sc?.readOnlyRootFilesystem, true, 'read-only root filesystem');
    t.not(sc?.privileged, true, 'not privileged');
    t.same(sc?.capabilities?.drop, ['ALL'], 'all capabilities dropped');
    t.equal(sc?.capabilities?.add, undefined, 'none added');
    t.equal(sc?.seccompProfile?.type ?? podSc?.seccompProfile?.type, 'RuntimeDefault');
  });

  t.test('Deployment: probes, resources, ports', async (t) => {
    const https = container.ports?.find((p) => p.name === 'https');
    t.equal(https?.containerPort, 8443);
    const portOf = (p: string | number | undefined): number | undefined =>
      typeof p === 'number' ? p : container.ports?.find((cp) => cp.name === p)?.containerPort;
    t.same(
      container.livenessProbe?.httpGet && {
        ...container.livenessProbe.httpGet,
        port: portOf(container.livenessProbe.httpGet.port),
      },
      {
        path: '/healthz',
        port: 8443,
        scheme: 'HTTPS',
      },
    );
    t.same(
      container.readinessProbe?.httpGet && {
        ...container.readinessProbe.httpGet,
        port: portOf(container.readinessProbe.httpGet.port),
      },
      {
        path: '/readyz',
        port: 8443,
        scheme: 'HTTPS',
      },
    );
    const liveness = container.livenessProbe as Probe;
    const tolerated = (liveness.periodSeconds ?? 10) * (liveness.failureThreshold ?? 3);
    t.ok(tolerated * 1000 > 2 * config.deadlineMs, 'an analysis at the deadline does not get the pod killed');
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) {
        t.ok(container.resources?.[kind]?.[resource], `${kind}.${resource} is set`);
      }
    }
    const svcPort = service.spec.ports[0];
    t.equal(svcPort?.port, 443);
    t.equal(portOf(svcPort?.targetPort), 8443, 'Service 443 -> container 8443');
    t.ok(
      matchSelector(
        toSelector({ matchLabels: service.spec.selector }),
        deployment.spec.template.metadata.labels,
      ),
    );
  });

  t.test('Deployment: TLS Secret and configuration mounted where the args point', async (t) => {
    const args = container.args ?? [];
    t.equal(args[0], 'serve');
    const flag = (name: string): string | undefined =>
      args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const mountOf = (volume: string) => container.volumeMounts?.find((m) => m.name === volume);
    const tlsVolume = pod.volumes?.find((v) => v.secret?.secretName === 'netpol-preflight-tls');
    t.ok(tlsVolume, 'the Secret netpol-preflight-tls is a volume');
    const tlsMount = mountOf(tlsVolume?.name ?? '');
    t.equal(tlsMount?.subPath, undefined, 'mounted as a directory (subPath mounts never see renewals)');
    t.equal(flag('tls-cert'), `${tlsMount?.mountPath}/tls.crt`);
    t.equal(flag('tls-key'), `${tlsMount?.mountPath}/tls.key`);
    const configVolume = pod.volumes?.find((v) => v.configMap?.name === configMap.metadata.name);
    t.ok(configVolume, 'the ConfigMap is a volume');
    t.equal(flag('config'), `${mountOf(configVolume?.name ?? '')?.mountPath}/config.yaml`);
    t.equal(flag('port'), '8443');
    t.notOk(
      args.some((a) => a.startsWith('--state')),
      'in the cluster the state is the live cache',
    );
    for (const m of container.volumeMounts ?? []) {
      if (m.name !== 'tmp') t.equal(m.readOnly, true, `${m.name} mounted read-only`);
    }
  });

  t.test('PodDisruptionBudget keeps one replica through voluntary disruptions', async (t) => {
    const pdb = only<PodDisruptionBudget>(objects, 'PodDisruptionBudget');
    t.equal(pdb.spec.minAvailable, 1);
    t.ok(deployment.spec.replicas > 1, 'and one may be evicted at a time');
    t.ok(matchSelector(toSelector(pdb.spec.selector), deployment.spec.template.metadata.labels));
  });

  t.test('ConfigMap: a configuration the server accepts', async (t) => {
    t.same(Object.keys(configMap.data), ['config.yaml']);
    t.equal(config.failureMode, 'allow-with-warning', 'analysis failures answer with a warning');
    t.ok(config.deadlineMs > 0);
  });

  t.test('Argo CD sync waves: prerequisites, then the Deployment, then the webhook', async (t) => {
    const wave = (o: K8sObject): number => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    for (const o of objects) t.ok(Number.isInteger(wave(o)), `${o.kind} ${o.metadata.name} has a wave`);
    const prerequisites = objects.filter((o) =>
      ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'ConfigMap'].includes(o.kind),
    );
    for (const o of prerequisites) t.ok(wave(o) < wave(deployment), `${o.kind} before the Deployment`);
    t.ok(
      wave(deployment) < wave(webhookConfiguration),
      'the webhook is registered after the Deployment is healthy',
    );
  });
});
