/**
 * A PodSpec (of a Pod or of a workload's pod template): declared container ports, hostNetwork and
 * images. Ports come from `spec.containers` only: init containers serve no traffic.
 */

import { joinFieldPath } from './issues.js';
import {
  type IssueLog,
  type JsonObject,
  readFlag,
  readObjectList,
  readPortNumber,
  readString,
} from './field-reader.js';
import { findPortNameProblems } from './k8s-syntax.js';
import { PROTOCOLS, type ContainerPort, type Protocol } from '../model/records.js';

export interface PodSpecFields {
  readonly ports: ContainerPort[];
  readonly hostNetwork: boolean;
  /** Images of containers, then of init containers, without repeats. */
  readonly images: string[];
}

/** Reads a PodSpec found at `path` (null when absent: no ports, no images). */
export function readPodSpec(spec: JsonObject | null, path: string, log: IssueLog): PodSpecFields {
  const ports: ContainerPort[] = [];
  const images: string[] = [];
  for (const { item: container, path: containerPath } of readObjectList(spec, 'containers', path, log)) {
    const image = readString(container, 'image', containerPath, log);
    if (image !== null && image !== '' && !images.includes(image)) images.push(image);
    for (const { item: port, path: portPath } of readObjectList(container, 'ports', containerPath, log)) {
      const parsed = readContainerPort(port, portPath, log);
      if (parsed !== null) ports.push(parsed);
    }
  }
  for (const { item: container, path: containerPath } of readObjectList(spec, 'initContainers', path, log)) {
    const image = readString(container, 'image', containerPath, log);
    if (image !== null && image !== '' && !images.includes(image)) images.push(image);
  }
  return { ports, hostNetwork: readFlag(spec, 'hostNetwork', path, log), images };
}

/**
 * A container port. One without `containerPort` is ignored with a warning: the API server would
 * reject it, but tools such as netpol-analyzer read such manifests (often a mistyped field name,
 * e.g. `containerport`), so it is not worth refusing the whole input.
 */
function readContainerPort(port: JsonObject, path: string, log: IssueLog): ContainerPort | null {
  if (port['containerPort'] === undefined || port['containerPort'] === null) {
    log.warn(joinFieldPath(path, 'containerPort'), 'expected an integer 1-65535, got nothing: port ignored');
    return null;
  }
  const number = readPortNumber(port, 'containerPort', path, log);
  const name = readString(port, 'name', path, log);
  if (name !== null && name !== '') {
    const problems = findPortNameProblems(name);
    if (problems.length > 0)
      log.addExpectation(joinFieldPath(path, 'name'), 'a port name (IANA_SVC_NAME)', name, problems);
  }
  const protocol = readProtocol(port, path, log);
  if (number === null) return null;
  return { name: name === null || name === '' ? null : name, port: number, protocol };
}

/** `protocol`, TCP when absent. */
export function readProtocol(parent: JsonObject, path: string, log: IssueLog): Protocol {
  const protocol = readString(parent, 'protocol', path, log);
  if (protocol === null) return 'TCP';
  const known = PROTOCOLS.find((p) => p === protocol);
  if (known !== undefined) return known;
  log.addExpectation(joinFieldPath(path, 'protocol'), 'one of TCP, UDP, SCTP', protocol);
  return 'TCP';
}
