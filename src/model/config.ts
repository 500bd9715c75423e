/**
 * The validated configuration (see parse/config.ts for the file format).
 */
import type { LabelSelector, Protocol } from './records.js';
import type { RuleId, RuleSetting } from './findings.js';

/** Where cluster DNS answers: pods selected by labels, or fixed IP addresses. */
export type DnsEndpoint =
  | {
      readonly kind: 'pods';
      readonly namespace: string;
      readonly podSelector: LabelSelector;
      /** Ports on the pods; empty: derive from the Service / default 53. */
      readonly ports: readonly { readonly protocol: Protocol; readonly port: number }[];
    }
  | {
      readonly kind: 'address';
      readonly address: string;
      readonly ports: readonly { readonly protocol: Protocol; readonly port: number }[];
    };

export interface DnsConfig {
  /**
   * Derive the endpoint from the cluster (the kube-system/kube-dns Service, else
   * k8s-app=kube-dns pods in kube-system on 53). True unless the file lists `endpoints`.
   */
  readonly deriveFromCluster: boolean;
  /** Configured endpoints, presets included. */
  readonly endpoints: readonly DnsEndpoint[];
}

export type DnsPreset = 'openshift' | 'nodelocal-dnscache' | 'gke-cloud-dns';

export interface EscalationRule {
  readonly users: readonly string[];
  readonly groups: readonly string[];
  readonly rules: readonly RuleId[];
}

export type FailureMode = 'allow-with-warning' | 'deny';

export interface PreflightConfig {
  readonly rules: Readonly<Record<RuleId, RuleSetting>>;
  readonly dns: DnsConfig;
  readonly escalate: readonly EscalationRule[];
  /** Analysis deadline per review, in milliseconds (below the webhook timeout). */
  readonly deadlineMs: number;
  readonly failureMode: FailureMode;
}
