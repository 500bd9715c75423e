/**
 * What the checks say about a change, and the decision taken from it.
 */
import type { PolicyRecord } from './records.js';

export type Severity = 'deny' | 'warn' | 'info';
export type RuleSetting = Severity | 'off';

export type RuleId =
  | 'dns-egress-blocked'
  | 'dns-tcp-blocked'
  | 'isolated-no-allow'
  | 'implicit-ingress-isolation'
  | 'selector-matches-nothing'
  | 'peer-matches-nothing'
  | 'peer-and-trap'
  | 'named-port-unresolved'
  | 'ipblock-service-ip'
  | 'cni-not-enforcing'
  | 'connectivity-lost';

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  /** One line, at most 120 characters: it becomes a kubectl warning. */
  readonly message: string;
  /** Endpoint ids (`ns/name[Kind]`) or object references the finding is about. */
  readonly subjects: readonly string[];
  /** Full lists and explanations, for the CLI, logs and explain output. */
  readonly detail?: string;
  /** A ready-to-apply manifest (YAML) or a precise instruction, where the fix is mechanical. */
  readonly fix?: string;
}

/** A finding as a check produces it: the severity comes from configuration. */
export type CheckFinding = Omit<Finding, 'severity'>;

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** One NetworkPolicy change, as admission sees it. */
export interface PolicyChange {
  readonly operation: Operation;
  readonly namespace: string;
  readonly name: string;
  /** The policy after the change (CREATE, UPDATE). */
  readonly object: PolicyRecord | null;
  /** The policy before the change (UPDATE, DELETE). */
  readonly oldObject: PolicyRecord | null;
}

export type Enforcement = 'enforce' | 'warn' | 'off';

export interface Decision {
  readonly allowed: boolean;
  readonly findings: readonly Finding[];
  /** Warnings for the API server (the messages of non-info findings, plus override notes). */
  readonly warnings: readonly string[];
  /** Set when denied: what breaks and how to fix it. */
  readonly denyMessage: string | null;
  readonly enforcement: Enforcement;
  /** The break-glass reason when the policy carries the override annotation. */
  readonly overrideReason: string | null;
  /** Rules whose warnings were escalated to denials for this requester. */
  readonly escalated: readonly RuleId[];
}

export const ENFORCEMENT_LABEL = 'netpol-preflight.io/enforcement';
export const OVERRIDE_ANNOTATION = 'netpol-preflight.io/override-reason';
