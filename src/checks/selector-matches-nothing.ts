/**
 * selector-matches-nothing: the policy's podSelector selects no pod and no
 * workload template in its namespace — usually a typo in a label, or the
 * policy applied to the wrong namespace.
 */
import type { CheckFinding } from '../model/findings.js';
import { formatSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';
import { classesSelected, typoHint } from './selection.js';

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const index = ctx.model.index;
  const own = index.classesByNamespace.get(p.namespace) ?? [];
  if (classesSelected(own, p.podSelector).length > 0) return [];
  const elsewhere = classesSelected(index.classes, p.podSelector);
  const otherNamespaces = [...new Set(elsewhere.map((c) => c.namespace))].sort();
  const sameNamespace = own.map((c) => c.labels);
  let cause: string;
  if (otherNamespaces.length > 0) {
    cause = `matching pods are in namespace ${otherNamespaces.slice(0, 2).join(', ')}${otherNamespaces.length > 2 ? ', …' : ''}: wrong namespace?`;
  } else {
    cause = typoHint(p.podSelector, sameNamespace) ?? 'no pod in the namespace has these labels';
  }
  const sel = formatSelector(p.podSelector);
  return [
    {
      rule: 'selector-matches-nothing',
      message: clip(`${ctx.policyRef} podSelector ${sel} selects no pod; ${cause}`),
      subjects: [ctx.policyRef],
      detail:
        `The podSelector ${sel} selects no pod and no workload template in namespace ${p.namespace}, ` +
        `so the policy has no effect. ${cause}`,
    },
  ];
}

export const selectorMatchesNothing: Check = {
  id: 'selector-matches-nothing',
  defaultSeverity: 'warn',
  summary: "the policy's podSelector selects no pod or workload template in its namespace",
  reportsLossesOnly: false,
  run,
};
