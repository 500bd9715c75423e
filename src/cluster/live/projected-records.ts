/**
 * The records of one resource, fed with raw API objects: each object is projected through the
 * parse layer on arrival and only the record is kept. An object that cannot be projected is left
 * out (its previous record removed) and logged once per distinct problem with kind, namespace,
 * name and the failing fields, never the object itself.
 */

import type { Logger } from 'pino';
import { describeError } from './errors.js';
import { RecordStore } from './record-store.js';
import {
  identifyObject,
  readResourceVersion,
  type ObjectIdentity,
  type Projection,
  type ResourceDefinition,
} from './resources.js';
import { shareRecordParts, type ValuePool } from './value-pool.js';
import { formatFieldIssue } from '../../parse/issues.js';
import type { ParsedObject } from '../../parse/objects.js';

/** A relist being collected page by page; nothing is visible until it is committed. */
export class RelistBatch {
  readonly store = new RecordStore<ParsedObject>();
  readonly skipped = new Map<string, string>();
  private readonly owner: ProjectedRecords;

  constructor(owner: ProjectedRecords) {
    this.owner = owner;
  }

  add(raw: unknown): void {
    this.owner.projectInto(this.store, this.skipped, raw);
  }

  get size(): number {
    return this.store.size;
  }
}

export class ProjectedRecords {
  private readonly store = new RecordStore<ParsedObject>();
  /** `ns/name` -> formatted issues of the objects left out. */
  private skipped = new Map<string, string>();
  private readonly definition: ResourceDefinition;
  private readonly pool: ValuePool;
  private readonly log: Logger;

  constructor(definition: ResourceDefinition, pool: ValuePool, log: Logger) {
    this.definition = definition;
    this.pool = pool;
    this.log = log;
  }

  get size(): number {
    return this.store.size;
  }

  /** Objects left out because they could not be projected. */
  get skippedCount(): number {
    return this.skipped.size;
  }

  values(): Generator<ParsedObject> {
    return this.store.values();
  }

  /** ADDED or MODIFIED; true when the records changed. */
  upsert(raw: unknown): boolean {
    return this.projectInto(this.store, this.skipped, raw);
  }

  /** DELETED; true when a record was removed. */
  remove(raw: unknown): boolean {
    const id = identifyObject(raw, this.definition.scope);
    if (id === null) {
      this.log.warn({ kind: this.definition.kind }, 'DELETED event for an object without metadata.name');
      return false;
    }
    this.skipped.delete(keyOf(id));
    return this.store.remove(id);
  }

  startRelist(): RelistBatch {
    return new RelistBatch(this);
  }

  /** Replaces everything with the relisted records; true when anything differs. */
  commitRelist(batch: RelistBatch): boolean {
    this.skipped = batch.skipped;
    return this.store.replaceWith(batch.store);
  }

  /** Projects `raw` into `store` (this one, or a relist's); true when that store changed. */
  projectInto(store: RecordStore<ParsedObject>, skipped: Map<string, string>, raw: unknown): boolean {
    const id = identifyObject(raw, this.definition.scope);
    if (id === null) {
      this.log.warn({ kind: this.definition.kind }, 'skipping an object without metadata.name');
      return false;
    }
    const key = keyOf(id);
    const projection = this.project(raw, id);
    if (projection.ok) {
      skipped.delete(key);
      if (projection.warnings.length > 0) {
        this.log.debug(
          {
            kind: this.definition.kind,
            namespace: id.namespace || undefined,
            name: id.name,
            warnings: projection.warnings,
          },
          'object accepted with warnings',
        );
      }
      return store.upsert(id, shareRecordParts(projection.object, this.pool));
    }
    const summary = projection.issues.map(formatFieldIssue).join('; ');
    // Compared with what is logged already (this.skipped), so a relist does not repeat warnings.
    if (this.skipped.get(key) !== summary) {
      this.log.warn(
        {
          kind: this.definition.kind,
          namespace: id.namespace || undefined,
          name: id.name,
          resourceVersion: readResourceVersion(raw),
          issues: projection.issues,
        },
        `skipping ${this.definition.kind} ${describeId(id)}: ${summary}`,
      );
    }
    skipped.set(key, summary);
    return store.remove(id);
  }

  /** The parse layer never throws by contract; a throw is a bug, reported as an issue of this object. */
  private project(raw: unknown, id: ObjectIdentity): Projection {
    try {
      return this.definition.project(raw);
    } catch (error) {
      this.log.error(
        { err: error, kind: this.definition.kind, namespace: id.namespace, name: id.name },
        'projection threw',
      );
      return { ok: false, issues: [{ path: '', message: `projection failed: ${describeError(error)}` }] };
    }
  }
}

function keyOf(id: ObjectIdentity): string {
  return `${id.namespace}/${id.name}`;
}

function describeId(id: ObjectIdentity): string {
  return id.namespace === '' ? id.name : `${id.namespace}/${id.name}`;
}
