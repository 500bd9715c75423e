/** Service objects -> ServiceRecord. */

import { indexFieldPath, joinFieldPath } from './issues.js';
import {
  IssueLog,
  isJsonObject,
  type JsonObject,
  readLabels,
  readList,
  readObject,
  readObjectList,
  readIPAddresses,
  readPortNumber,
  readString,
} from './field-reader.js';
import { findPortNameProblems, isPortNumber } from './k8s-syntax.js';
import { readObjectMeta } from './object-meta.js';
import { readProtocol } from './pod-spec.js';
import { concludeParse, rejectNonObject, type RecordParse } from './record-parse.js';
import type { ServicePort, ServiceRecord } from '../model/records.js';

const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;

/** Reads a Service. Never throws. */
export function parseService(obj: unknown): RecordParse<ServiceRecord> {
  if (!isJsonObject(obj)) return rejectNonObject('a Service object', obj);
  const log = new IssueLog();
  const meta = readObjectMeta(obj, 'namespaced', log);
  const spec = readObject(obj, 'spec', '', log);
  const selector = readLabels(spec, 'selector', 'spec', log);
  const ports: ServicePort[] = [];
  for (const { item, path } of readObjectList(spec, 'ports', 'spec', log)) {
    const port = readServicePort(item, path, log);
    if (port !== null) ports.push(port);
  }
  return concludeParse(log, {
    namespace: meta.namespace,
    name: meta.name,
    type: readServiceType(spec, log),
    selector: Object.keys(selector).length === 0 ? null : selector,
    clusterIPs: readClusterIPs(spec, log),
    ports,
  });
}

function readServiceType(spec: JsonObject | null, log: IssueLog): string {
  const type = readString(spec, 'type', 'spec', log);
  if (type === null || type === '') return 'ClusterIP';
  if (!SERVICE_TYPES.some((t) => t === type))
    log.addExpectation('spec.type', `one of ${SERVICE_TYPES.join(', ')}`, type);
  return type;
}

/** `spec.clusterIPs`, else `spec.clusterIP`, without "None" (headless) and "". */
function readClusterIPs(spec: JsonObject | null, log: IssueLog): string[] {
  const texts: { text: string; path: string }[] = [];
  readList(spec, 'clusterIPs', 'spec', log).forEach((value, index) => {
    const path = indexFieldPath('spec.clusterIPs', index);
    if (typeof value !== 'string') log.addExpectation(path, 'an IP address or None', value);
    else if (value !== '' && value !== 'None') texts.push({ text: value, path });
  });
  if (texts.length === 0) {
    const clusterIP = readString(spec, 'clusterIP', 'spec', log);
    if (clusterIP !== null && clusterIP !== '' && clusterIP !== 'None') {
      texts.push({ text: clusterIP, path: 'spec.clusterIP' });
    }
  }
  return readIPAddresses(texts, log);
}

function readServicePort(port: JsonObject, path: string, log: IssueLog): ServicePort | null {
  const number = readPortNumber(port, 'port', path, log);
  const name = readString(port, 'name', path, log);
  const protocol = readProtocol(port, path, log);
  const targetPort = readTargetPort(port, path, log);
  if (number === null) return null;
  return {
    name: name === null || name === '' ? null : name,
    port: number,
    targetPort: targetPort ?? number,
    protocol,
  };
}

/** A port number or a container port name; null (defaults to `port`) when absent, 0 or "". */
function readTargetPort(port: JsonObject, path: string, log: IssueLog): number | string | null {
  const value = port['targetPort'];
  const at = joinFieldPath(path, 'targetPort');
  if (value === undefined || value === null || value === 0 || value === '') return null;
  if (isPortNumber(value)) return value;
  if (typeof value === 'string') {
    const problems = findPortNameProblems(value);
    if (problems.length === 0) return value;
    log.addExpectation(at, 'an integer 1-65535 or a port name (IANA_SVC_NAME)', value, problems);
    return null;
  }
  log.addExpectation(at, 'an integer 1-65535 or a port name (IANA_SVC_NAME)', value);
  return null;
}
