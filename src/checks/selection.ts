/**
 * What a policy's selectors select among the endpoints of the state, and the
 * likely cause when they select nothing (wrong namespace, a label typo).
 */
import type { LabelSelector, Labels, NamespaceRecord } from '../model/records.js';
import type { EndpointClass } from '../semantics/classes.js';
import { matchSelector } from '../semantics/selectors.js';
import { closestWord } from './similar.js';

/** The classes among `classes` selected by `sel`. */
export function classesSelected(classes: readonly EndpointClass[], sel: LabelSelector): EndpointClass[] {
  return classes.filter((c) => matchSelector(sel, c.labels));
}

/** The values seen per label key among some label sets (what typo hints compare against). */
export type LabelValues = ReadonlyMap<string, ReadonlySet<string>>;

export function labelValuesOf(labelSets: Iterable<Labels>): LabelValues {
  const valuesByKey = new Map<string, Set<string>>();
  for (const labels of labelSets) {
    for (const [k, v] of Object.entries(labels)) {
      const set = valuesByKey.get(k);
      if (set) set.add(v);
      else valuesByKey.set(k, new Set([v]));
    }
  }
  return valuesByKey;
}

/**
 * A short hint for a selector that selects nothing among `labelSets`:
 * `did you mean app=web?` for a value or key one or two edits away.
 */
export function typoHint(sel: LabelSelector, labelSets: readonly Labels[]): string | null {
  return typoHintAmong(sel, labelValuesOf(labelSets));
}

/** typoHint against label values gathered once (labelValuesOf), for many selectors. */
export function typoHintAmong(sel: LabelSelector, valuesByKey: LabelValues): string | null {
  const wanted: [string, string | null][] = [
    ...Object.entries(sel.matchLabels),
    ...sel.matchExpressions.flatMap((r): [string, string | null][] =>
      r.operator === 'In' ? r.values.map((v) => [r.key, v]) : r.operator === 'Exists' ? [[r.key, null]] : [],
    ),
  ];
  for (const [key, value] of wanted) {
    const values = valuesByKey.get(key);
    if (!values) {
      const k = closestWord(key, valuesByKey.keys());
      if (k) return value === null ? `did you mean ${k}?` : `did you mean ${k}=${value}?`;
      continue;
    }
    if (value !== null && !values.has(value)) {
      const v = closestWord(value, values);
      if (v !== null) return `did you mean ${key}=${v}?`;
    }
  }
  return null;
}

/** A hint for a namespaceSelector that selects no namespace. */
export function namespaceTypoHint(sel: LabelSelector, namespaces: readonly NamespaceRecord[]): string | null {
  return typoHint(
    sel,
    namespaces.map((n) => n.labels),
  );
}
