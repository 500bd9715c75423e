/**
 * Values computed once per object and kept on the object itself, under a symbol of the memo's
 * own: a property nothing else sees (not enumerable, so not listed by Object.keys, not copied by
 * spreads, not written by JSON.stringify). Frozen objects, which cannot take a property, keep
 * theirs in a WeakMap. The objects must not change once a value is kept for them (the engine's
 * records never do).
 *
 * Why not a WeakMap for all: most keys live long (the selectors of every policy of the cluster),
 * and every analysed policy brings short-lived ones (each request is parsed anew). A WeakMap
 * holding both is a large table, copied whole as the short-lived entries come and go. The matcher
 * memo of the selectors was such a WeakMap: over the review stream in process (sampling heap
 * profiler, after a young collection), it was 262 of the 411–420 bytes per review that outlived
 * young collections at L (10,000 policies, two runs), what fills the old generation and brings
 * full collections; 165 bytes were left without it.
 */
export function objectMemo<K extends object, V extends NonNullable<unknown>>(
  description: string,
  compute: (key: K) => V,
): (key: K) => V {
  const symbol = Symbol(description);
  const ofFrozen = new WeakMap<K, V>();
  return (key) => {
    const kept = (key as { readonly [s: symbol]: V | undefined })[symbol];
    if (kept !== undefined) return kept;
    if (!Object.isExtensible(key)) {
      let value = ofFrozen.get(key);
      if (value === undefined) {
        value = compute(key);
        ofFrozen.set(key, value);
      }
      return value;
    }
    const value = compute(key);
    Object.defineProperty(key, symbol, { value });
    return value;
  };
}
