/**
 * The rule catalog: every check, in the order findings are reported.
 * Rule ids are stable; the README's rule catalog lists the same ids.
 */
import type { RuleId, RuleSetting } from '../model/findings.js';
import { cniNotEnforcing } from './cni-not-enforcing.js';
import { connectivityLost } from './connectivity-lost.js';
import type { Check } from './context.js';
import { dnsEgressBlocked } from './dns-egress-blocked.js';
import { dnsTcpBlocked } from './dns-tcp-blocked.js';
import { implicitIngressIsolation } from './implicit-ingress-isolation.js';
import { ipblockServiceIp } from './ipblock-service-ip.js';
import { isolatedNoAllow } from './isolated-no-allow.js';
import { namedPortUnresolved } from './named-port-unresolved.js';
import { peerAndTrap } from './peer-and-trap.js';
import { peerMatchesNothing } from './peer-matches-nothing.js';
import { selectorMatchesNothing } from './selector-matches-nothing.js';

export const CHECKS: readonly Check[] = [
  dnsEgressBlocked,
  dnsTcpBlocked,
  isolatedNoAllow,
  implicitIngressIsolation,
  selectorMatchesNothing,
  peerMatchesNothing,
  peerAndTrap,
  namedPortUnresolved,
  ipblockServiceIp,
  cniNotEnforcing,
  connectivityLost,
];

export const RULE_IDS: readonly RuleId[] = CHECKS.map((c) => c.id);

export function defaultRuleSettings(): Record<RuleId, RuleSetting> {
  return Object.fromEntries(CHECKS.map((c) => [c.id, c.defaultSeverity])) as Record<RuleId, RuleSetting>;
}
