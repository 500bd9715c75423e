/**
 * A map that keeps the most recently used entries within a number of entries and a total weight
 * (each entry's weight given by the caller, e.g. the classes it lists): a cache whose keys keep
 * coming (one per new request) must not grow without end.
 */
export class BoundedMap<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly weight: number }>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  #weight = 0;

  constructor(maxEntries: number, maxWeight: number) {
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
  set(key: string, value: V, weight: number): void {
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
