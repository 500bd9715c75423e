/** Namespace objects -> NamespaceRecord. */

import { IssueLog, isJsonObject, readObject, readString } from './field-reader.js';
import { readObjectMeta } from './object-meta.js';
import { concludeParse, rejectNonObject, type RecordParse } from './record-parse.js';
import { NAMESPACE_NAME_LABEL, type NamespaceRecord } from '../model/records.js';

/** Reads a declared Namespace. Its labels always include `kubernetes.io/metadata.name=<name>`. */
export function parseNamespace(obj: unknown): RecordParse<NamespaceRecord> {
  if (!isJsonObject(obj)) return rejectNonObject('a Namespace object', obj);
  const log = new IssueLog();
  const meta = readObjectMeta(obj, 'cluster', log);
  const phase = readString(readObject(obj, 'status', '', log), 'phase', 'status', log);
  const terminating = phase === 'Terminating' || meta.deletion === 'deleting';
  return concludeParse(log, {
    name: meta.name,
    labels: { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name },
    phase: terminating ? 'Terminating' : 'Active',
    implicit: false,
  });
}

/** The Namespace of an object whose namespace was never declared: only the name label. */
export function createImplicitNamespace(name: string): NamespaceRecord {
  return { name, labels: { [NAMESPACE_NAME_LABEL]: name }, phase: 'Active', implicit: true };
}
