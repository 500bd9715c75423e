/**
 * Workload objects (Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job,
 * CronJob) -> WorkloadRecord. Labels and ports are those of the pod template; for a CronJob the
 * template is `spec.jobTemplate.spec.template`.
 */

import {
  IssueLog,
  isJsonObject,
  type JsonObject,
  readCount,
  readLabels,
  readObject,
} from './field-reader.js';
import { readObjectMeta } from './object-meta.js';
import { readPodSpec } from './pod-spec.js';
import { concludeParse, rejectNonObject, type RecordParse } from './record-parse.js';
import type { WorkloadKind, WorkloadRecord } from '../model/records.js';

const KINDS_WITH_REPLICAS: readonly WorkloadKind[] = [
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
];

/** Reads a workload of the given kind. Never throws. */
export function parseWorkload(obj: unknown, kind: WorkloadKind): RecordParse<WorkloadRecord> {
  if (!isJsonObject(obj)) return rejectNonObject(`a ${kind} object`, obj);
  const log = new IssueLog();
  const meta = readObjectMeta(obj, 'namespaced', log);
  const spec = readObject(obj, 'spec', '', log);
  const { template, path } = readPodTemplate(spec, kind, log);
  const templateMeta = readObject(template, 'metadata', path, log);
  const podSpec = readPodSpec(readObject(template, 'spec', path, log), `${path}.spec`, log);
  return concludeParse(log, {
    namespace: meta.namespace,
    name: meta.name,
    kind,
    labels: readLabels(templateMeta, 'labels', `${path}.metadata`, log),
    ports: podSpec.ports,
    hostNetwork: podSpec.hostNetwork,
    replicas: KINDS_WITH_REPLICAS.includes(kind) ? readCount(spec, 'replicas', 'spec', log) : null,
    images: podSpec.images,
    objectLabels: meta.labels,
    owner: meta.owner,
  });
}

function readPodTemplate(
  spec: JsonObject | null,
  kind: WorkloadKind,
  log: IssueLog,
): { template: JsonObject | null; path: string } {
  if (kind === 'CronJob') {
    const jobTemplate = readObject(spec, 'jobTemplate', 'spec', log);
    const jobSpec = readObject(jobTemplate, 'spec', 'spec.jobTemplate', log);
    const path = 'spec.jobTemplate.spec.template';
    const template = readObject(jobSpec, 'template', 'spec.jobTemplate.spec', log);
    if (template === null) log.add(path, 'expected a pod template, got nothing');
    return { template, path };
  }
  const template = readObject(spec, 'template', 'spec', log);
  if (template === null) log.add('spec.template', 'expected a pod template, got nothing');
  return { template, path: 'spec.template' };
}
