/**
 * Label selector matching, exactly as Kubernetes defines it
 * (k8s.io/apimachinery/pkg/labels): matchLabels and matchExpressions are
 * ANDed; `NotIn` and `DoesNotExist` match when the key is absent; an empty
 * selector matches everything.
 */
import type { LabelSelector, Labels, SelectorRequirement } from '../model/records.js';
import { objectMemo } from './object-memo.js';

export const SELECT_ALL: LabelSelector = Object.freeze({ matchLabels: {}, matchExpressions: [] });

export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels).length === 0 && s.matchExpressions.length === 0;
}

export function matchRequirement(r: SelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'In':
      return has && r.values.includes(labels[r.key] as string);
    case 'NotIn':
      return !has || !r.values.includes(labels[r.key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

type Matcher = (labels: Labels) => boolean;

function compileSelector(s: LabelSelector): Matcher {
  const keys = Object.keys(s.matchLabels);
  const values = keys.map((k) => s.matchLabels[k] as string);
  const expressions = s.matchExpressions;
  if (keys.length === 0 && expressions.length === 0) return () => true;
  return (labels) => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (labels[k] !== values[i] || !Object.hasOwn(labels, k)) return false;
    }
    for (const r of expressions) if (!matchRequirement(r, labels)) return false;
    return true;
  };
}

/**
 * The selector compiled into a predicate on labels, once per selector object: selectors are
 * matched millions of times.
 */
export const selectorMatcher: (s: LabelSelector) => Matcher = objectMemo(
  'compiled selector',
  compileSelector,
);

export function matchSelector(s: LabelSelector, labels: Labels): boolean {
  return selectorMatcher(s)(labels);
}

/** `k=v,k2 in (a,b),!k3` — the kubectl form, for messages. */
export function formatSelector(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`);
  for (const r of s.matchExpressions) {
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${r.values.join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${r.values.join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.length === 0 ? '{}' : parts.join(',');
}

/**
 * A text equal for selectors that select the same way whatever the order of `matchLabels`
 * (a cache key; not for messages). Written once per selector object: the caches of an analysis
 * ask for it again for every rule that names the selector.
 */
export const selectorKey: (s: LabelSelector) => string = objectMemo('selector key', (s: LabelSelector) => {
  const labels = Object.keys(s.matchLabels)
    .sort()
    .map((k) => [k, s.matchLabels[k]]);
  return JSON.stringify([labels, s.matchExpressions.map((r) => [r.key, r.operator, r.values])]);
});
