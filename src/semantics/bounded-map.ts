/**
 * Bounded caches. A cache whose keys keep coming (one per new request) must not grow without
 * end.
 */
import { LRUCache } from 'lru-cache';

/**
 * A map that keeps the most recently used entries within a number of entries and a total weight
 * (each entry's weight given by the caller, a positive integer, e.g. the classes it lists; 1 by
 * default).
 *
 * Built on lru-cache, whose hits move an entry in a linked list. Our own map moved a hit to the
 * end by deleting and setting it again: every few hundred hits the Map's table filled with
 * deleted slots and was copied anew, and those copies outlived the young generation. A webhook
 * answering the M benchmark's review stream at concurrency 16 (`node --trace-gc-nvp`, median of
 * its last 12 young collections, two runs each) promoted 1.4 MB and kept 1.7 MB in the young
 * generation at each young collection with our map, 0.36 and 0.74 MB with this one.
 */
export class BoundedMap<V extends NonNullable<unknown>> {
  /** null when nothing can be kept (no entry, or no weight, allowed). */
  readonly #entries: LRUCache<string, V> | null;

  constructor(maxEntries: number, maxWeight = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0)
      throw new RangeError(`maxEntries must be a non-negative integer, got ${maxEntries}`);
    if (!(maxWeight >= 0)) throw new RangeError(`maxWeight must be non-negative, got ${maxWeight}`);
    // Weights are integers: a total within maxWeight is a total within its integer part.
    const maxSize = Math.min(Math.floor(maxWeight), Number.MAX_SAFE_INTEGER);
    this.#entries = maxEntries === 0 || maxSize === 0 ? null : new LRUCache({ max: maxEntries, maxSize });
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /** Total weight of the entries kept. */
  get weight(): number {
    return this.#entries?.calculatedSize ?? 0;
  }

  /** The value, marked as most recently used. */
  get(key: string): V | undefined {
    return this.#entries?.get(key);
  }

  /** Keeps `value` unless it alone weighs more than the whole budget; evicts the least recently used. */
  set(key: string, value: V, weight = 1): void {
    if (!Number.isInteger(weight) || weight < 1)
      throw new RangeError(`weight must be a positive integer, got ${weight}`);
    // An entry over the budget is not kept, and replaces (removes) what the key held.
    this.#entries?.set(key, value, { size: weight });
  }
}

/**
 * Values computed once per key object, and shared by key objects of equal content. The engine
 * caches by object (a compiled rule, a selector), but a changed policy is parsed anew for every
 * request: its objects are new each time while their content mostly is not. The content layer
 * is a BoundedMap; the object layer holds what it answered for as long as the object lives.
 */
export class ContentCache<K extends object, V extends NonNullable<unknown>> {
  readonly #byObject = new WeakMap<K, V>();
  readonly #byContent: BoundedMap<V>;
  readonly #weightOf: (value: V) => number;

  /** Keeps at most `maxEntries` contents, of `maxWeight` in total (a value weighs `weightOf(value)`). */
  constructor(maxEntries: number, maxWeight: number, weightOf: (value: V) => number) {
    this.#byContent = new BoundedMap(maxEntries, maxWeight);
    this.#weightOf = weightOf;
  }

  /** The value already worked out for `object` itself (callers on a hot path try this first). */
  known(object: K): V | undefined {
    return this.#byObject.get(object);
  }

  /** The value for `object`, from a previous call with it or with an object of the same content. */
  get(object: K, content: () => string, compute: () => V): V {
    const known = this.#byObject.get(object);
    if (known !== undefined) return known;
    const key = content();
    let value = this.#byContent.get(key);
    if (value === undefined) {
      value = compute();
      this.#byContent.set(key, value, this.#weightOf(value));
    }
    this.#byObject.set(object, value);
    return value;
  }
}
