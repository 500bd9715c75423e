/** LabelSelector records back into manifest form, for ready-to-apply fixes. */
import type { LabelSelector } from '../model/records.js';

export function selectorToManifest(s: LabelSelector): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Object.keys(s.matchLabels).length > 0) out.matchLabels = { ...s.matchLabels };
  if (s.matchExpressions.length > 0) {
    out.matchExpressions = s.matchExpressions.map((r) =>
      r.values.length > 0
        ? { key: r.key, operator: r.operator, values: [...r.values] }
        : { key: r.key, operator: r.operator },
    );
  }
  return out;
}
