/**
 * Label selector matching, exactly as Kubernetes defines it
 * (k8s.io/apimachinery/pkg/labels): matchLabels and matchExpressions are
 * ANDed; `NotIn` and `DoesNotExist` match when the key is absent; an empty
 * selector matches everything.
 */
import type { LabelSelector, Labels, SelectorRequirement } from '../model/records.js';

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

/**
 * Selectors are matched millions of times: each is compiled once into a closure, kept on the
 * selector object itself under this symbol (a property nothing else sees: not enumerable, not
 * copied by spreads, not written by JSON.stringify).
 *
 * Not in a WeakMap: every analysed policy brings new selector objects (each request is parsed
 * anew), and a WeakMap holding the selectors of every policy of a cluster is a large table, copied
 * whole as those short-lived entries come and go. At L (10,000 policies), that was 262 of the
 * 411 bytes per review that outlived young collections over the review stream (a scratch harness:
 * the review handler in process, sampling heap profiler): what fills the old generation and
 * brings full collections.
 */
const MATCHER = Symbol('compiled selector');
type WithMatcher = LabelSelector & { readonly [MATCHER]?: Matcher };

/** Matchers of frozen selectors (SELECT_ALL), which cannot take a property. */
const frozenMatchers = new WeakMap<LabelSelector, Matcher>();

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

/** The selector compiled into a predicate on labels (once per selector object). */
export function selectorMatcher(s: LabelSelector): (labels: Labels) => boolean {
  const kept = (s as WithMatcher)[MATCHER];
  if (kept !== undefined) return kept;
  if (!Object.isExtensible(s)) {
    let m = frozenMatchers.get(s);
    if (m === undefined) {
      m = compileSelector(s);
      frozenMatchers.set(s, m);
    }
    return m;
  }
  const m = compileSelector(s);
  Object.defineProperty(s, MATCHER, { value: m });
  return m;
}

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
 * (a cache key; not for messages).
 */
export function selectorKey(s: LabelSelector): string {
  const labels = Object.keys(s.matchLabels)
    .sort()
    .map((k) => [k, s.matchLabels[k]]);
  return JSON.stringify([labels, s.matchExpressions.map((r) => [r.key, r.operator, r.values])]);
}
