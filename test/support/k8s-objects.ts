/**
 * Realistic Kubernetes objects for list/watch tests: what an API server really returns,
 * managedFields, status conditions and unused spec included, so projection is exercised on the
 * same bulk it meets in a cluster.
 */

import type { JsonObject } from './fake-apiserver.js';

const CREATED = '2024-05-01T10:00:00Z';

function managedFields(manager: string): JsonObject[] {
  return [
    {
      manager,
      operation: 'Update',
      apiVersion: 'v1',
      time: CREATED,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {}, 'f:pod-template-hash': {} } },
        'f:spec': { 'f:containers': { 'k:{"name":"app"}': { '.': {}, 'f:image': {}, 'f:ports': {} } } },
      },
    },
  ];
}

export function makeNamespace(name: string, labels: Record<string, string> = {}): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'kubernetes.io/metadata.name': name, ...labels },
      creationTimestamp: CREATED,
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export interface PodShape {
  readonly labels?: Record<string, string>;
  readonly ip?: string;
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: string }[];
  readonly owner?: { kind: string; name: string };
  readonly phase?: string;
  readonly hostNetwork?: boolean;
}

export function makePod(namespace: string, name: string, shape: PodShape = {}): JsonObject {
  const ip = shape.ip ?? '10.0.0.1';
  const owner = shape.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      generateName: owner === undefined ? undefined : `${owner.name}-`,
      labels: shape.labels ?? { app: 'web' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': CREATED },
      creationTimestamp: CREATED,
      ownerReferences:
        owner === undefined
          ? undefined
          : [
              {
                apiVersion: 'apps/v1',
                kind: owner.kind,
                name: owner.name,
                uid: '6c1f4a6e-0000-4000-8000-000000000001',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
      managedFields: managedFields('kube-controller-manager'),
    },
    spec: {
      hostNetwork: shape.hostNetwork ?? undefined,
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/team/web:1.2.3',
          ports: shape.ports ?? [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'LOG_LEVEL', value: 'info' }],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [
            {
              name: 'kube-api-access',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
          terminationMessagePath: '/dev/termination-log',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      nodeName: 'node-1',
      volumes: [
        { name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
      ],
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    },
    status: {
      phase: shape.phase ?? 'Running',
      conditions: [
        { type: 'Ready', status: 'True', lastTransitionTime: CREATED },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: CREATED },
      ],
      hostIP: '192.168.1.10',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: CREATED,
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 0,
          image: 'registry.example.com/team/web:1.2.3',
          imageID: 'registry.example.com/team/web@sha256:0123456789abcdef',
          containerID: 'containerd://0123456789abcdef',
          state: { running: { startedAt: CREATED } },
        },
      ],
    },
  };
}

function podTemplate(labels: Record<string, string>, port: number): JsonObject {
  return {
    metadata: { labels },
    spec: {
      containers: [
        { name: 'app', image: 'registry.example.com/team/app:1', ports: [{ containerPort: port }] },
      ],
    },
  };
}

export function makeDeployment(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  replicas = 2,
): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, managedFields: managedFields('kubectl') },
    spec: { replicas, selector: { matchLabels: labels }, template: podTemplate(labels, 8080) },
    status: { replicas, readyReplicas: replicas },
  };
}

export function makeWorkload(kind: string, apiVersion: string, namespace: string, name: string): JsonObject {
  const labels = { app: name };
  const template = podTemplate(labels, 9090);
  const spec: JsonObject =
    kind === 'CronJob'
      ? { schedule: '*/5 * * * *', jobTemplate: { spec: { template } } }
      : kind === 'Job' || kind === 'DaemonSet'
        ? { selector: { matchLabels: labels }, template }
        : { replicas: 1, selector: { matchLabels: labels }, template };
  return { apiVersion, kind, metadata: { name, namespace, labels }, spec };
}

export function makeService(namespace: string, name: string, selector: Record<string, string>): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, managedFields: managedFields('kubectl') },
    spec: {
      type: 'ClusterIP',
      selector,
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  };
}

export function makePolicy(namespace: string, name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, generation: 1, managedFields: managedFields('kubectl') },
    spec,
  };
}

/** A policy allowing ingress from one CIDR to pods with `app`. */
export function makeCidrPolicy(namespace: string, name: string, cidr: string): JsonObject {
  return makePolicy(namespace, name, {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock: { cidr } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
  });
}
