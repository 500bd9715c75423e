/**
 * Typed manifest errors. Every error has a stable `name` and `code` and carries the context a
 * reader needs to find the problem (file, document, object, field); none is ever swallowed.
 */

import { formatFieldIssue, type FieldIssue } from './issues.js';

export type ManifestErrorCode =
  'E_YAML_SYNTAX' | 'E_INVALID_OBJECT' | 'E_DUPLICATE_OBJECT' | 'E_INVALID_MANIFESTS' | 'E_MANIFEST_PATH';

/** Where an object was read from. */
export interface ObjectOrigin {
  /** The file (or other label) the text came from, as given by the caller. */
  readonly source: string;
  /** 1-based position of the YAML document in its file, empty documents included. */
  readonly documentIndex: number;
  /** 0-based position inside the `items` of a List, or null for a top-level object. */
  readonly itemIndex: number | null;
}

/** `examples/a.yaml document 2` or `examples/a.yaml document 2 items[3]`. */
export function describeOrigin(origin: ObjectOrigin): string {
  const item = origin.itemIndex === null ? '' : ` items[${origin.itemIndex}]`;
  return `${origin.source} document ${origin.documentIndex}${item}`;
}

/** `team-a/allow-dns`, `team-a` for a Namespace, `<unnamed>` when the name is missing. */
export function describeObjectName(kind: string, namespace: string | null, name: string | null): string {
  const shownName = name ?? '<unnamed>';
  if (kind === 'Namespace' || namespace === null) return shownName;
  return `${namespace}/${shownName}`;
}

/** Base class of every error raised while reading manifests. */
export abstract class ManifestError extends Error {
  abstract readonly code: ManifestErrorCode;
}

/** A file that is not valid YAML (or JSON). */
export class YamlSyntaxError extends ManifestError {
  override readonly name = 'YamlSyntaxError';
  readonly code = 'E_YAML_SYNTAX';
  readonly source: string;
  /** 1-based document position in the file. */
  readonly documentIndex: number;
  /** 1-based line and column of the error, or null when the parser did not say. */
  readonly line: number | null;
  readonly column: number | null;
  /** The parser's own description. */
  readonly detail: string;

  constructor(
    fields: {
      source: string;
      documentIndex: number;
      line: number | null;
      column: number | null;
      detail: string;
    },
    options?: { cause?: unknown },
  ) {
    const where =
      fields.line === null
        ? ''
        : fields.column === null
          ? ` line ${fields.line}`
          : ` line ${fields.line} column ${fields.column}`;
    super(`${fields.source} document ${fields.documentIndex}${where}: ${fields.detail}`, options);
    this.source = fields.source;
    this.documentIndex = fields.documentIndex;
    this.line = fields.line;
    this.column = fields.column;
    this.detail = fields.detail;
  }
}

/** An object of a supported kind whose fields are not what the API server accepts. */
export class InvalidObjectError extends ManifestError {
  override readonly name = 'InvalidObjectError';
  readonly code = 'E_INVALID_OBJECT';
  readonly source: string;
  readonly documentIndex: number;
  readonly itemIndex: number | null;
  readonly kind: string;
  /** null for cluster-scoped objects (Namespace). */
  readonly namespace: string | null;
  /** metadata.name; null when the object has no usable name. (`name` is the error class name.) */
  readonly objectName: string | null;
  readonly issues: readonly FieldIssue[];

  constructor(fields: {
    origin: ObjectOrigin;
    kind: string;
    namespace: string | null;
    name: string | null;
    issues: readonly FieldIssue[];
  }) {
    const problems = fields.issues.map(formatFieldIssue).join('; ');
    super(
      `${describeOrigin(fields.origin)}: ${fields.kind} ${describeObjectName(fields.kind, fields.namespace, fields.name)}: ${problems}`,
    );
    this.source = fields.origin.source;
    this.documentIndex = fields.origin.documentIndex;
    this.itemIndex = fields.origin.itemIndex;
    this.kind = fields.kind;
    this.namespace = fields.namespace;
    this.objectName = fields.name;
    this.issues = fields.issues;
  }
}

/** Two or more objects with the same kind, namespace and name. */
export class DuplicateObjectError extends ManifestError {
  override readonly name = 'DuplicateObjectError';
  readonly code = 'E_DUPLICATE_OBJECT';
  readonly kind: string;
  readonly namespace: string | null;
  /** metadata.name of the duplicated object. (`name` is the error class name.) */
  readonly objectName: string;
  /** Where each copy came from; null for objects built in memory. */
  readonly origins: readonly (ObjectOrigin | null)[];

  constructor(fields: {
    kind: string;
    namespace: string | null;
    name: string;
    origins: readonly (ObjectOrigin | null)[];
  }) {
    const places = fields.origins.map((o) => (o === null ? '(in memory)' : describeOrigin(o)));
    super(
      `duplicate ${fields.kind} ${describeObjectName(fields.kind, fields.namespace, fields.name)}: declared ${fields.origins.length} times (${places.join(', ')})`,
    );
    this.kind = fields.kind;
    this.namespace = fields.namespace;
    this.objectName = fields.name;
    this.origins = fields.origins;
  }
}

/** One problem found while reading a set of manifests. */
export type ManifestProblem = YamlSyntaxError | InvalidObjectError | DuplicateObjectError;

/** Every problem found in a set of manifests, reported at once; nothing was loaded. */
export class InvalidManifestsError extends ManifestError {
  override readonly name = 'InvalidManifestsError';
  readonly code = 'E_INVALID_MANIFESTS';
  readonly errors: readonly ManifestProblem[];

  constructor(errors: readonly ManifestProblem[]) {
    const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    super(`${count} in manifests:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
    this.errors = errors;
  }
}
