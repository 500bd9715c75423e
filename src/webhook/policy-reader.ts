/**
 * Reads the NetworkPolicy objects of admission requests (parseNetworkPolicy: validated as the API
 * server validates them), remembering the latest reads by the object's JSON text. The same
 * object comes back again and again: the stored object is the oldObject of every UPDATE and
 * DELETE of that policy, and a GitOps controller diffs the same desired object at every sync. A
 * remembered read hands out the same record, so the review cache key does not write it again
 * either (review-cache.ts).
 *
 * Content-addressed: equal text and default namespace give an equal read, so no request can make
 * another read anything but its own object (a memo keyed by what a request says of itself, such
 * as uid and resourceVersion, could be filled with a wrong record by any caller of the webhook).
 */
import type { NetworkPolicyParse } from '../parse/network-policy.js';
import { parseNetworkPolicy } from '../parse/network-policy.js';
import { BoundedMap } from '../semantics/bounded-map.js';

/** Objects whose text is longer are read afresh each time (the memory stays within capacity × 32 KiB). */
export const MAX_REMEMBERED_OBJECT_CHARS = 16_384;

/** A remembered read, with the default namespace it was read with. */
interface RememberedRead {
  readonly defaultNamespace: string;
  readonly read: NetworkPolicyParse;
}

export class PolicyReader {
  readonly #reads: BoundedMap<RememberedRead>;

  /** Remembers the latest `capacity` reads (0: none). */
  constructor(capacity: number) {
    this.#reads = new BoundedMap(capacity);
  }

  /**
   * parseNetworkPolicy of `object` as an object from the API server (unknown fields ignored).
   * With `remember` false the read is neither looked up nor kept: for objects that seldom come
   * again (see readPolicyChange).
   */
  read(object: unknown, defaultNamespace: string, remember = true): NetworkPolicyParse {
    if (!remember) return parse(object, defaultNamespace);
    const text = jsonTextOf(object);
    if (text === null || text.length > MAX_REMEMBERED_OBJECT_CHARS) return parse(object, defaultNamespace);
    // Keyed by the text alone, as JSON.stringify wrote it: a key made of the namespace and the
    // text was a second string, copied whole when the map hashed it (allocation over the
    // benchmark's review stream: 44.9 -> 43.3 KB per review). The same text with another default
    // namespace is read afresh and replaces it.
    const known = this.#reads.get(text);
    if (known !== undefined && known.defaultNamespace === defaultNamespace) return known.read;
    const read = parse(object, defaultNamespace);
    this.#reads.set(text, { defaultNamespace, read });
    return read;
  }
}

function parse(object: unknown, defaultNamespace: string): NetworkPolicyParse {
  return parseNetworkPolicy(object, { defaultNamespace, unknownFields: 'ignore' });
}

/**
 * The object's JSON text; null when it has none (undefined) or JSON.stringify cannot write it: an
 * object nested deeper than the stack allows (RangeError) is then read without the memory, and
 * the parser reports what is wrong with it.
 */
function jsonTextOf(object: unknown): string | null {
  try {
    const text: unknown = JSON.stringify(object);
    return typeof text === 'string' ? text : null;
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}
