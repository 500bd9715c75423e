/**
 * Expands `List` and typed lists (`PodList`, `NetworkPolicyList`, ...) into their items. Items of a
 * typed list may omit `kind` (the list kind minus `List`) and `apiVersion` (the list's).
 */

import type { ObjectOrigin } from './errors.js';
import { isJsonObject } from './field-reader.js';
import type { ParsedDocument } from './yaml-documents.js';

export interface LocatedValue {
  readonly value: unknown;
  readonly origin: ObjectOrigin;
}

/** Lists nested deeper than this are not expanded further (their items are reported as skipped). */
const MAX_LIST_DEPTH = 8;

/** The objects of one document: the document itself, or the items of the list it holds. */
export function expandDocument(document: ParsedDocument): LocatedValue[] {
  const origin: ObjectOrigin = { source: document.source, documentIndex: document.index, itemIndex: null };
  return expandValue(document.value, origin, 0);
}

function expandValue(value: unknown, origin: ObjectOrigin, depth: number): LocatedValue[] {
  if (!isListObject(value) || depth >= MAX_LIST_DEPTH) return [{ value, origin }];
  const listKind = String(value['kind']);
  const itemKind = listKind === 'List' ? null : listKind.slice(0, -'List'.length);
  const items = Array.isArray(value['items']) ? value['items'] : [];
  return items.flatMap((item: unknown, index) => {
    const itemOrigin = origin.itemIndex === null ? { ...origin, itemIndex: index } : origin;
    return expandValue(inheritTypeFields(item, itemKind, value['apiVersion']), itemOrigin, depth + 1);
  });
}

/** A `List` or `*List` object whose `items` is a list (or absent). */
function isListObject(value: unknown): value is Readonly<Record<string, unknown>> {
  if (!isJsonObject(value)) return false;
  const kind = value['kind'];
  if (typeof kind !== 'string' || !kind.endsWith('List')) return false;
  const items = value['items'];
  return items === undefined || items === null || Array.isArray(items);
}

function inheritTypeFields(item: unknown, itemKind: string | null, listApiVersion: unknown): unknown {
  if (!isJsonObject(item) || itemKind === null) return item;
  const kind = item['kind'];
  const apiVersion = item['apiVersion'];
  if (kind !== undefined && kind !== null && kind !== '') return item;
  const withKind: Record<string, unknown> = { ...item, kind: itemKind };
  if (
    (apiVersion === undefined || apiVersion === null || apiVersion === '') &&
    typeof listApiVersion === 'string'
  ) {
    withKind['apiVersion'] = listApiVersion;
  }
  return withKind;
}
