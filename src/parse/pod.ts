/** Pod objects -> PodRecord. */

import {
  IssueLog,
  isJsonObject,
  type JsonObject,
  readIPAddresses,
  readObject,
  readObjectList,
  readString,
} from './field-reader.js';
import { readObjectMeta } from './object-meta.js';
import { readPodSpec } from './pod-spec.js';
import { concludeParse, rejectNonObject, type RecordParse } from './record-parse.js';
import type { PodPhase, PodRecord } from '../model/records.js';

const POD_PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

/** Reads a Pod; issues for a missing name, wrong types, bad ports or IPs. Never throws. */
export function parsePod(obj: unknown): RecordParse<PodRecord> {
  if (!isJsonObject(obj)) return rejectNonObject('a Pod object', obj);
  const log = new IssueLog();
  const meta = readObjectMeta(obj, 'namespaced', log);
  const spec = readPodSpec(readObject(obj, 'spec', '', log), 'spec', log);
  const status = readObject(obj, 'status', '', log);
  return concludeParse(log, {
    namespace: meta.namespace,
    name: meta.name,
    labels: meta.labels,
    ips: readPodIPs(status, log),
    ports: spec.ports,
    hostNetwork: spec.hostNetwork,
    phase: readPodPhase(status, log),
    owner: meta.owner,
  });
}

function readPodPhase(status: JsonObject | null, log: IssueLog): PodPhase | null {
  const phase = readString(status, 'phase', 'status', log);
  if (phase === null || phase === '') return null;
  const known = POD_PHASES.find((p) => p === phase);
  if (known === undefined) log.addExpectation('status.phase', `one of ${POD_PHASES.join(', ')}`, phase);
  return known ?? null;
}

/** `status.podIPs[].ip`, or `status.podIP` when podIPs is empty; canonical form, no repeats. */
function readPodIPs(status: JsonObject | null, log: IssueLog): string[] {
  const texts: { text: string; path: string }[] = [];
  for (const { item, path } of readObjectList(status, 'podIPs', 'status', log)) {
    const ip = readString(item, 'ip', path, log);
    if (ip !== null && ip !== '') texts.push({ text: ip, path: `${path}.ip` });
  }
  if (texts.length === 0) {
    const ip = readString(status, 'podIP', 'status', log);
    if (ip !== null && ip !== '') texts.push({ text: ip, path: 'status.podIP' });
  }
  return readIPAddresses(texts, log);
}
