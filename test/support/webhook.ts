/** Shared builders for the webhook tests: fixture states, AdmissionReviews, apps. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { build, type BuildOptions, type WebhookApp } from '../../src/app.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { staticStateSource, type ClusterStateSource } from '../../src/cluster/state-source.js';
import type { PreflightConfig } from '../../src/model/config.js';
import type { ClusterSnapshot } from '../../src/model/records.js';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import type { AdmissionOperation, AdmissionResponse } from '../../src/webhook/admission-review.js';

export function fixturePath(name: string): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'webhook', name);
}

/** The snapshot of test/fixtures/webhook/<name>. */
export function loadFixtureSnapshot(name = 'cluster.yaml'): ClusterSnapshot {
  const path = fixturePath(name);
  return parseManifestTexts([{ source: path, text: readFileSync(path, 'utf8') }]).snapshot;
}

export function fixtureSource(name = 'cluster.yaml'): ClusterStateSource {
  return staticStateSource(loadFixtureSnapshot(name), 1_700_000_000_000);
}

/** A state source whose snapshot a test replaces: each replacement is a new version. */
export interface ChangingSource {
  readonly source: ClusterStateSource;
  /** Serves `next` from now on, under the next version. */
  moveTo(next: ClusterSnapshot): void;
  /** How many times snapshot() has been called. */
  reads(): number;
}

export function changingSource(initial: ClusterSnapshot): ChangingSource {
  let current = { snapshot: initial, version: 1 };
  let reads = 0;
  return {
    source: {
      ...staticStateSource(initial, 0),
      snapshot: () => {
        reads++;
        return current.snapshot;
      },
      version: () => current.version,
    },
    moveTo: (next) => {
      current = { snapshot: next, version: current.version + 1 };
    },
    reads: () => reads,
  };
}

/**
 * The fixture state with a namespace `fresh`: without pods (`empty`), and with one pod
 * (`withPod`: app-1, labels app=x, 10.9.9.9).
 */
export function freshNamespaceStates(): { empty: ClusterSnapshot; withPod: ClusterSnapshot } {
  const base = loadFixtureSnapshot();
  const ns = {
    name: 'fresh',
    labels: { 'kubernetes.io/metadata.name': 'fresh' },
    phase: 'Active' as const,
    implicit: false,
  };
  const empty = { ...base, namespaces: [...base.namespaces, ns] };
  const pod = {
    namespace: 'fresh',
    name: 'app-1',
    labels: { app: 'x' },
    ips: ['10.9.9.9'],
    ports: [],
    hostNetwork: false,
    phase: 'Running' as const,
    owner: null,
  };
  return { empty, withPod: { ...empty, pods: [...empty.pods, pod] } };
}

export interface PolicySpec {
  readonly podSelector?: unknown;
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  readonly ingress?: readonly unknown[];
  readonly egress?: readonly unknown[];
}

/** A NetworkPolicy object as the API server puts it in a review (metadata noise included). */
export function networkPolicy(
  namespace: string,
  name: string,
  spec: PolicySpec,
  metadata: { annotations?: Record<string, string>; resourceVersion?: string } = {},
): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name,
      namespace,
      uid: `uid-${namespace}-${name}`,
      generation: 1,
      resourceVersion: metadata.resourceVersion ?? '100',
      creationTimestamp: '2025-01-01T00:00:00Z',
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    spec: { podSelector: {}, ...spec },
  };
}

/** Egress-only default deny without DNS: denied by dns-egress-blocked. */
export const DENY_ALL_EGRESS: PolicySpec = { podSelector: {}, policyTypes: ['Egress'] };

/** Allows the frontend to reach the cart: harmless, no finding. */
export const FRONTEND_TO_CART: PolicySpec = {
  podSelector: { matchLabels: { app: 'frontend' } },
  policyTypes: ['Egress'],
  egress: [
    { to: [{ podSelector: { matchLabels: { app: 'cart' } } }], ports: [{ protocol: 'TCP', port: 7070 }] },
  ],
};

export interface ReviewInput {
  readonly uid?: string;
  readonly operation: AdmissionOperation;
  readonly namespace?: string;
  readonly name?: string;
  readonly object?: unknown;
  readonly oldObject?: unknown;
  readonly dryRun?: boolean;
  readonly username?: string;
  readonly groups?: readonly string[];
  readonly kind?: { group: string; version: string; kind: string };
  readonly resource?: { group: string; version: string; resource: string };
  readonly subResource?: string;
}

let counter = 0;

export function admissionReview(input: ReviewInput): Record<string, unknown> {
  counter += 1;
  const kind = input.kind ?? { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
  const resource = input.resource ?? {
    group: 'networking.k8s.io',
    version: 'v1',
    resource: 'networkpolicies',
  };
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: input.uid ?? `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      ...(input.subResource !== undefined ? { subResource: input.subResource } : {}),
      name: input.name ?? '',
      namespace: input.namespace ?? 'shop',
      operation: input.operation,
      userInfo: { username: input.username ?? 'alice', groups: input.groups ?? ['system:authenticated'] },
      object: input.object ?? null,
      oldObject: input.oldObject ?? null,
      dryRun: input.dryRun ?? false,
      options: null,
    },
  };
}

/** A review of `operation` on the policy `namespace/name`: object and/or oldObject as the operation needs. */
export function policyReview(
  operation: 'CREATE' | 'UPDATE' | 'DELETE',
  namespace: string,
  name: string,
  specs: { readonly after?: PolicySpec; readonly before?: PolicySpec },
  extra: Partial<ReviewInput> = {},
): Record<string, unknown> {
  return admissionReview({
    operation,
    namespace,
    name,
    object: specs.after ? networkPolicy(namespace, name, specs.after) : null,
    oldObject: specs.before ? networkPolicy(namespace, name, specs.before) : null,
    ...extra,
  });
}

export function configWith(overrides: Partial<PreflightConfig> = {}): PreflightConfig {
  return { ...defaultConfig(), ...overrides };
}

export function buildTestApp(overrides: Partial<BuildOptions> = {}): WebhookApp {
  return build({ source: fixtureSource(), config: configWith(), ...overrides });
}

export interface ReviewAnswer {
  readonly statusCode: number;
  readonly body: { apiVersion: string; kind: string; response: AdmissionResponse };
}

export async function postReview(app: WebhookApp, review: unknown): Promise<ReviewAnswer> {
  const res = await app.inject({
    method: 'POST',
    url: '/validate',
    payload: review as Record<string, unknown>,
  });
  return { statusCode: res.statusCode, body: res.json() };
}

/** A pino destination that keeps every JSON line. */
export function captureLogs(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The value of the sample `name{labels}` in Prometheus text, or null when absent. */
export function metricValue(text: string, sample: string): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return null;
}

export async function scrapeMetrics(app: WebhookApp): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  return res.body;
}
