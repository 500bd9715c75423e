/**
 * The AdmissionReviews the admission benchmark sends: the generator's change stream, shaped the
 * way the API server sends reviews (metadata noise such as uid, resourceVersion, managedFields;
 * the options object; a GitOps controller as the requester).
 *
 * Workload `cycle-change-stream` (what real traffic does to the review cache):
 * - request i carries change i mod N of the stream (N = 200: CREATE, UPDATE, DELETE as the
 *   generator draws them) and a uid of its own;
 * - on pass p = floor(i / N) >= 1 a CREATE is of a new policy (its name gets `-p<p>`): teams keep
 *   adding policies, so every CREATE is analysed (a cache miss);
 * - UPDATEs and DELETEs are of the cluster's existing policies, so on later passes they are the
 *   same change against the same state, answered from the review cache (hits), as the repeated
 *   diffs of Argo CD and Flux are;
 * - every review is a dry run (`dryRun: true`: server-side dry runs and GitOps diffs, the bulk
 *   of webhook traffic): nothing enters the read-your-writes overlay, so the state stays the one
 *   the sync loaded (a stream of real writes would change the state, hence the cache key and the
 *   prepared analysis state, with every admitted request).
 */
import type { ChangeSpec, RawObject } from './generator.js';

export const WORKLOAD_MODE = 'cycle-change-stream';

const PASS = '@@PASS@@';
const UID = '@@UID@@';

const REQUESTER = {
  username: 'system:serviceaccount:argocd:argocd-application-controller',
  uid: '5b3f4a64-6d0f-4e1c-9f8e-0c1d2e3f4a5b',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
};
const GVK = { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' };
const GVR = { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' };
const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

export interface RequestMix {
  readonly CREATE: number;
  readonly UPDATE: number;
  readonly DELETE: number;
}

/** The API server's view of a stored policy: metadata the webhook must read past. */
function asStored(object: RawObject, generation: number, renamed: boolean): RawObject {
  const spec = object['spec'];
  const specFields = typeof spec === 'object' && spec !== null ? Object.keys(spec) : [];
  const { namespace = 'default', name } = object.metadata;
  return {
    ...object,
    metadata: {
      ...object.metadata,
      name: renamed ? `${name}${PASS}` : name,
      namespace,
      uid: `uid-${namespace}-${name}${renamed ? PASS : ''}`,
      resourceVersion: String(1000 + generation),
      generation,
      creationTimestamp: '2025-06-01T10:00:00Z',
      managedFields: [
        {
          manager: 'argocd-controller',
          operation: 'Apply',
          apiVersion: 'networking.k8s.io/v1',
          time: '2025-06-01T10:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': Object.fromEntries(specFields.map((f) => [`f:${f}`, {}])) },
        },
      ],
    },
  };
}

/** One review as JSON text with the uid (and, for a CREATE, the pass suffix of the name) left as tokens. */
function reviewTemplate(change: ChangeSpec): string {
  const renamed = change.operation === 'CREATE';
  const ref = (change.object ?? change.oldObject) as RawObject;
  const object = change.object === null ? null : asStored(change.object, change.oldObject ? 2 : 1, renamed);
  const oldObject = change.oldObject === null ? null : asStored(change.oldObject, 1, false);
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: GVK,
      resource: GVR,
      requestKind: GVK,
      requestResource: GVR,
      name: renamed ? `${ref.metadata.name}${PASS}` : ref.metadata.name,
      namespace: ref.metadata.namespace ?? 'default',
      operation: change.operation,
      userInfo: REQUESTER,
      object,
      oldObject,
      dryRun: true,
      options: {
        kind: OPTIONS_KIND[change.operation],
        apiVersion: 'meta.k8s.io/v1',
        dryRun: ['All'],
        ...(change.operation === 'DELETE' ? { propagationPolicy: 'Background' } : { fieldManager: 'argocd' }),
      },
    },
  });
}

/** The request bodies of one server, in order; each call of `next` is the next request. */
export class ReviewStream {
  readonly #templates: readonly string[];
  readonly #operations: readonly ChangeSpec['operation'][];
  readonly #uidPrefix: string;
  #sent = 0;

  /** `uidPrefix`: 8 hex digits telling the streams of different servers apart. */
  constructor(changes: readonly ChangeSpec[], uidPrefix: string) {
    if (changes.length === 0) throw new RangeError('the change stream is empty');
    this.#templates = changes.map(reviewTemplate);
    this.#operations = changes.map((c) => c.operation);
    this.#uidPrefix = uidPrefix;
  }

  /** Distinct changes in one pass of the stream. */
  get streamLength(): number {
    return this.#templates.length;
  }

  next(): string {
    const i = this.#sent++;
    const n = this.#templates.length;
    const pass = Math.floor(i / n);
    const uid = `${this.#uidPrefix}-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return (this.#templates[i % n] as string)
      .replaceAll(UID, uid)
      .replaceAll(PASS, pass === 0 ? '' : `-p${pass}`);
  }

  /** Operations of the requests of one pass. */
  mix(): RequestMix {
    const count = (op: ChangeSpec['operation']): number => this.#operations.filter((o) => o === op).length;
    return { CREATE: count('CREATE'), UPDATE: count('UPDATE'), DELETE: count('DELETE') };
  }
}
