/**
 * The records of one resource, keyed by namespace then name (no composite key strings per
 * object). Every mutation says whether the stored data actually changed, so a pod status update
 * that leaves its record as it was does not invalidate the snapshot.
 */

import { isSameData } from './plain-data.js';
import type { ObjectIdentity } from './resources.js';

export class RecordStore<T> {
  private namespaces = new Map<string, Map<string, T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(id: ObjectIdentity): T | undefined {
    return this.namespaces.get(id.namespace)?.get(id.name);
  }

  /** Stores `record`; true when it differs from the stored one (or is new). */
  upsert(id: ObjectIdentity, record: T): boolean {
    let names = this.namespaces.get(id.namespace);
    if (names === undefined) {
      names = new Map();
      this.namespaces.set(id.namespace, names);
    }
    const previous = names.get(id.name);
    if (previous === undefined) this.count++;
    else if (isSameData(previous, record)) return false;
    names.set(id.name, record);
    return true;
  }

  /** Removes the record; true when there was one. */
  remove(id: ObjectIdentity): boolean {
    const names = this.namespaces.get(id.namespace);
    if (names === undefined || !names.delete(id.name)) return false;
    if (names.size === 0) this.namespaces.delete(id.namespace);
    this.count--;
    return true;
  }

  /** Replaces everything with the contents of `next` (a relist); true when anything differs. */
  replaceWith(next: RecordStore<T>): boolean {
    const changed = !this.hasSameRecords(next);
    this.namespaces = next.namespaces;
    this.count = next.count;
    return changed;
  }

  *values(): Generator<T> {
    for (const names of this.namespaces.values()) yield* names.values();
  }

  private hasSameRecords(other: RecordStore<T>): boolean {
    if (this.count !== other.count) return false;
    for (const [namespace, names] of this.namespaces) {
      const otherNames = other.namespaces.get(namespace);
      if (otherNames === undefined || otherNames.size !== names.size) return false;
      for (const [name, record] of names) {
        const otherRecord = otherNames.get(name);
        if (otherRecord === undefined || !isSameData(record, otherRecord)) return false;
      }
    }
    return true;
  }
}
