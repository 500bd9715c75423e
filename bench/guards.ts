/** Type guards for JSON received from child processes and command-line arguments. */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A record whose `type` is `type`. */
export function isMessage(value: unknown, type: string): value is JsonRecord & { type: string } {
  return isRecord(value) && value['type'] === type;
}

/** `value[key]` as a string, or throws naming the key. */
export function readString(value: JsonRecord, key: string): string {
  const v = value[key];
  if (typeof v !== 'string') throw new TypeError(`expected a string at ${key}`);
  return v;
}

/** `value[key]` as a finite number, or throws naming the key. */
export function readNumber(value: JsonRecord, key: string): number {
  const v = value[key];
  if (!isFiniteNumber(v)) throw new TypeError(`expected a number at ${key}`);
  return v;
}
