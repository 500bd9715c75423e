/**
 * peer-and-trap: one peer has both namespaceSelector and podSelector (AND),
 * the AND selects nothing, but each selector alone selects pods. The author
 * probably meant two peers (OR): one missing `-` changes the meaning.
 */
import type { CheckFinding } from '../model/findings.js';
import { withFix } from './lazy-fix.js';
import { pollEvery } from '../semantics/interrupt.js';
import { formatSelector } from '../semantics/selectors.js';
import type { CheckContext, Check } from './context.js';
import { clip } from './messages.js';
import { isAndTrap, peerKey, selectorPeers } from './peers.js';
import { selectorToManifest } from './selector-yaml.js';

function run(ctx: CheckContext): CheckFinding[] {
  const p = ctx.change.object;
  if (!p) return [];
  const out: CheckFinding[] = [];
  const traps = new Map<string, boolean>();
  const poll = pollEvery(ctx.interrupt, 'peer-and-trap');
  for (const peer of selectorPeers(p)) {
    poll();
    const key = peerKey(peer);
    let trap = traps.get(key);
    if (trap === undefined) {
      trap = isAndTrap(peer, p.namespace, ctx.model.index);
      traps.set(key, trap);
    }
    if (!trap) continue;
    const ns = formatSelector(peer.namespaceSelector!);
    const pod = formatSelector(peer.podSelector!);
    const field = peer.direction === 'ingress' ? 'from' : 'to';
    out.push(
      withFix(
        {
          rule: 'peer-and-trap',
          message: clip(
            `${ctx.policyRef} ${peer.path} ANDs namespaceSelector and podSelector and selects nothing; ` +
              'meant two peers (add a -)?',
          ),
          subjects: [ctx.policyRef],
          detail:
            `spec.${peer.path} has namespaceSelector ${ns} and podSelector ${pod} in one peer, which means pods ` +
            `labelled ${pod} inside namespaces labelled ${ns}. No pod is both, but each selector alone selects pods. ` +
            `If you meant either, write two peers in ${field}: one "- namespaceSelector: ..." and one "- podSelector: ...".`,
        },
        {
          [field]: [
            { namespaceSelector: selectorToManifest(peer.namespaceSelector!) },
            { podSelector: selectorToManifest(peer.podSelector!) },
          ],
        },
      ),
    );
  }
  return out;
}

export const peerAndTrap: Check = {
  id: 'peer-and-trap',
  defaultSeverity: 'warn',
  summary: 'one peer ANDs namespaceSelector and podSelector, selects nothing, but each alone selects pods',
  reportsLossesOnly: false,
  run,
};
