/**
 * Sets of small non-negative integers (positions in ClassIndex.endpoints) as bits in a
 * Uint32Array: bit `p & 31` of word `p >>> 5`.
 */

/** A bitset able to hold positions 0 to `size` - 1, empty. */
export function emptyBitset(size: number): Uint32Array {
  return new Uint32Array((size + 31) >>> 5);
}

export function setBit(bits: Uint32Array, position: number): void {
  bits[position >>> 5] = (bits[position >>> 5] as number) | (1 << (position & 31));
}

export function clearBit(bits: Uint32Array, position: number): void {
  bits[position >>> 5] = (bits[position >>> 5] as number) & ~(1 << (position & 31));
}

export function hasBit(bits: Uint32Array, position: number): boolean {
  return ((bits[position >>> 5] as number) & (1 << (position & 31))) !== 0;
}

/**
 * Sets in `into` every bit of `from` that is not in `except` (when given), a word at a time;
 * returns how many of them `into` did not have yet.
 */
export function addCountingNew(into: Uint32Array, from: Uint32Array, except: Uint32Array | null): number {
  let added = 0;
  for (let i = 0; i < from.length; i++) {
    let fresh = (from[i] as number) & ~(into[i] as number);
    if (except !== null) fresh &= ~(except[i] as number);
    if (fresh === 0) continue;
    added += bitCount(fresh);
    into[i] = (into[i] as number) | fresh;
  }
  return added;
}

function bitCount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
