/** The public surface of parse/: manifests, AdmissionReview objects and watch objects -> records. */

export type { FieldIssue } from './issues.js';
export { formatFieldIssue } from './issues.js';
export {
  DuplicateObjectError,
  InvalidManifestsError,
  InvalidObjectError,
  ManifestError,
  YamlSyntaxError,
  describeOrigin,
  type ManifestErrorCode,
  type ManifestProblem,
  type ObjectOrigin,
} from './errors.js';
export { parseYamlDocuments, type ParsedDocument } from './yaml-documents.js';
export {
  parseNetworkPolicy,
  type NetworkPolicyParse,
  type NetworkPolicyParseOptions,
} from './network-policy.js';
export { parsePod } from './pod.js';
export { parseWorkload } from './workload.js';
export { parseService } from './service.js';
export { parseNamespace, createImplicitNamespace } from './namespace.js';
export type { RecordParse } from './record-parse.js';
export {
  parseDocuments,
  type DocumentsParse,
  type ObjectWarning,
  type ParsedObject,
  type SkippedObject,
  type SkipReason,
} from './objects.js';
export { buildSnapshot, findDuplicateObjects, wrapRecords, type SnapshotParts } from './snapshot.js';
export { parseManifestTexts, type ManifestText, type ManifestsParse } from './manifest-texts.js';
