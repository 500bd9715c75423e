/**
 * Bounded caches. A cache whose keys keep coming (one per new request) must not grow without
 * end.
 */

/**
 * A map that keeps the most recently used entries within a number of entries and a total weight
 * (each entry's weight given by the caller, e.g. the classes it lists; 1 by default).
 */
export class BoundedMap<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly weight: number }>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  #weight = 0;

  constructor(maxEntries: number, maxWeight = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0)
      throw new RangeError(`maxEntries must be a non-negative integer, got ${maxEntries}`);
    if (!(maxWeight >= 0)) throw new RangeError(`maxWeight must be non-negative, got ${maxWeight}`);
    this.#maxEntries = maxEntries;
    this.#maxWeight = maxWeight;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Total weight of the entries kept. */
  get weight(): number {
    return this.#weight;
  }

  /** The value, marked as most recently used. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` unless it alone weighs more than the whole budget; evicts the least recently used. */
  set(key: string, value: V, weight = 1): void {
    this.#delete(key);
    if (weight > this.#maxWeight || this.#maxEntries === 0) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#weight <= this.#maxWeight) break;
      this.#delete(oldest);
    }
  }

  #delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }
}

/**
 * Values computed once per key object, and shared by key objects of equal content. The engine
 * caches by object (a compiled rule, a selector), but a changed policy is parsed anew for every
 * request: its objects are new each time while their content mostly is not. The content layer
 * is a BoundedMap; the object layer holds what it answered for as long as the object lives.
 */
export class ContentCache<K extends object, V> {
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
