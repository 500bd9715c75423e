/**
 * Shares equal sub-records between records: the replicas of a workload carry the same labels,
 * ports and owner, so after sharing each pod costs little more than its name and IPs. Entries
 * are held weakly: a value no record uses any more is collected and its entry removed, so the
 * pool never outgrows the live records (label sets of old rollouts do not accumulate).
 */

import type { ParsedObject } from '../../parse/objects.js';

/** What a pooled value is: values of different categories are never shared, even with equal JSON. */
export type PooledCategory = 'labels' | 'ports' | 'owner' | 'images';

export class ValuePool {
  private readonly entries = new Map<string, WeakRef<object>>();
  private readonly registry = new FinalizationRegistry<string>((key) => {
    if (this.entries.get(key)?.deref() === undefined) this.entries.delete(key);
  });

  /** Distinct values currently pooled. */
  get size(): number {
    return this.entries.size;
  }

  /** Returns a pooled value equal to `value` (same category and JSON), pooling `value` itself when there is none. */
  share<T extends object>(category: PooledCategory, value: T): T {
    const key = `${category}:${JSON.stringify(value)}`;
    const pooled = this.entries.get(key)?.deref();
    if (pooled !== undefined) return pooled as T; // same category and JSON: the same readonly type
    this.entries.set(key, new WeakRef(value));
    this.registry.register(value, key);
    return value;
  }
}

/** The same object with its shareable parts (labels, ports, owner, images) taken from the pool. */
export function shareRecordParts(object: ParsedObject, pool: ValuePool): ParsedObject {
  switch (object.type) {
    case 'pod': {
      const { labels, ports, owner } = object.record;
      return {
        ...object,
        record: {
          ...object.record,
          labels: pool.share('labels', labels),
          ports: pool.share('ports', ports),
          owner: owner === null ? null : pool.share('owner', owner),
        },
      };
    }
    case 'workload': {
      const { labels, ports, owner, images, objectLabels } = object.record;
      return {
        ...object,
        record: {
          ...object.record,
          labels: pool.share('labels', labels),
          objectLabels: pool.share('labels', objectLabels),
          ports: pool.share('ports', ports),
          images: pool.share('images', images),
          owner: owner === null ? null : pool.share('owner', owner),
        },
      };
    }
    default:
      return object;
  }
}
