/**
 * The configuration file (YAML or JSON), validated with ajv. Unknown keys
 * and bad values are errors that name the field and what was expected.
 *
 *   rules: { <rule-id>: deny|warn|info|off }
 *   dns:
 *     endpoints: [ { namespace, podSelector, ports? } | { address, ports? } ]   # replaces the derived one
 *     presets: [ openshift | nodelocal-dnscache | gke-cloud-dns ]               # added to the endpoints
 *   escalate: [ { users?: [..], groups?: [..], rules: [rule-id..] } ]
 *   deadlineSeconds: 8
 *   failureMode: allow-with-warning | deny
 */
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import type { DnsEndpoint, DnsPreset, PreflightConfig } from '../model/config.js';
import type { RuleId, RuleSetting } from '../model/findings.js';
import type { LabelSelector, Protocol } from '../model/records.js';
import { defaultConfig } from '../checks/defaults.js';
import { RULE_IDS } from '../checks/registry.js';
import { parseAddress } from '../semantics/ip-set.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ERR_CONFIG';
  constructor(
    readonly source: string,
    readonly issues: readonly { path: string; message: string }[],
  ) {
    super(
      `${source}: invalid configuration:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
}

const selectorSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1 },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const portsSchema = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['port'],
    properties: {
      protocol: { enum: ['UDP', 'TCP'] },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
    },
  },
} as const;

const PRESETS: readonly DnsPreset[] = ['openshift', 'nodelocal-dnscache', 'gke-cloud-dns'];

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rules: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(RULE_IDS.map((id) => [id, { enum: ['deny', 'warn', 'info', 'off'] }])),
    },
    dns: {
      type: 'object',
      additionalProperties: false,
      properties: {
        endpoints: {
          type: 'array',
          items: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['namespace', 'podSelector'],
                properties: {
                  namespace: { type: 'string', minLength: 1 },
                  podSelector: selectorSchema,
                  ports: portsSchema,
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['address'],
                properties: { address: { type: 'string', minLength: 1 }, ports: portsSchema },
              },
            ],
          },
        },
        presets: { type: 'array', items: { enum: PRESETS }, uniqueItems: true },
      },
    },
    escalate: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rules'],
        properties: {
          users: { type: 'array', items: { type: 'string' } },
          groups: { type: 'array', items: { type: 'string' } },
          rules: { type: 'array', minItems: 1, items: { enum: RULE_IDS } },
        },
      },
    },
    deadlineSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 29 },
    failureMode: { enum: ['allow-with-warning', 'deny'] },
  },
} as const;

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  coerceTypes: false,
  useDefaults: false,
  removeAdditional: false,
});
const validateConfig = ajv.compile(configSchema);

interface RawPorts {
  protocol?: 'UDP' | 'TCP';
  port: number;
}
interface RawConfig {
  rules?: Partial<Record<RuleId, RuleSetting>>;
  dns?: {
    endpoints?: (
      | {
          namespace: string;
          podSelector: {
            matchLabels?: Record<string, string>;
            matchExpressions?: {
              key: string;
              operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
              values?: string[];
            }[];
          };
          ports?: RawPorts[];
        }
      | { address: string; ports?: RawPorts[] }
    )[];
    presets?: DnsPreset[];
  };
  escalate?: { users?: string[]; groups?: string[]; rules: RuleId[] }[];
  deadlineSeconds?: number;
  failureMode?: 'allow-with-warning' | 'deny';
}

function describeAjvError(e: ErrorObject): { path: string; message: string } {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  switch (e.keyword) {
    case 'additionalProperties':
      return { path, message: `unknown key "${String(e.params.additionalProperty)}"` };
    case 'enum':
      return {
        path,
        message: `expected one of ${(e.params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

function bothProtocols(
  ports: readonly RawPorts[] | undefined,
  fallback: number,
): { protocol: Protocol; port: number }[] {
  if (!ports || ports.length === 0) {
    return [
      { protocol: 'UDP', port: fallback },
      { protocol: 'TCP', port: fallback },
    ];
  }
  return ports.flatMap((p) =>
    p.protocol
      ? [{ protocol: p.protocol, port: p.port }]
      : [
          { protocol: 'UDP' as const, port: p.port },
          { protocol: 'TCP' as const, port: p.port },
        ],
  );
}

function presetEndpoint(p: DnsPreset): DnsEndpoint {
  switch (p) {
    case 'openshift':
      return {
        kind: 'pods',
        namespace: 'openshift-dns',
        podSelector: {
          matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' },
          matchExpressions: [],
        },
        ports: bothProtocols(undefined, 5353),
      };
    case 'nodelocal-dnscache':
      return { kind: 'address', address: '169.254.20.10', ports: bothProtocols(undefined, 53) };
    case 'gke-cloud-dns':
      return { kind: 'address', address: '169.254.169.254', ports: bothProtocols(undefined, 53) };
  }
}

/** Validates a parsed configuration document; `source` names the file in errors. */
export function parseConfig(value: unknown, source: string): PreflightConfig {
  const doc = value ?? {};
  if (!validateConfig(doc)) {
    throw new ConfigError(source, (validateConfig.errors ?? []).map(describeAjvError));
  }
  const raw = doc as RawConfig;
  const issues: { path: string; message: string }[] = [];
  const endpoints: DnsEndpoint[] = [];
  (raw.dns?.endpoints ?? []).forEach((e, i) => {
    if ('address' in e) {
      if (!parseAddress(e.address))
        issues.push({
          path: `dns.endpoints.${i}.address`,
          message: `expected an IP address, got "${e.address}"`,
        });
      endpoints.push({ kind: 'address', address: e.address, ports: bothProtocols(e.ports, 53) });
    } else {
      const sel: LabelSelector = {
        matchLabels: e.podSelector.matchLabels ?? {},
        matchExpressions: (e.podSelector.matchExpressions ?? []).map((r) => ({
          key: r.key,
          operator: r.operator,
          values: r.values ?? [],
        })),
      };
      endpoints.push({
        kind: 'pods',
        namespace: e.namespace,
        podSelector: sel,
        ports: bothProtocols(e.ports, 53),
      });
    }
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  for (const p of raw.dns?.presets ?? []) endpoints.push(presetEndpoint(p));
  const defaults = defaultConfig();
  return {
    rules: { ...defaults.rules, ...raw.rules },
    dns: { deriveFromCluster: raw.dns?.endpoints === undefined, endpoints },
    escalate: (raw.escalate ?? []).map((e) => ({
      users: e.users ?? [],
      groups: e.groups ?? [],
      rules: e.rules,
    })),
    deadlineMs:
      raw.deadlineSeconds !== undefined ? Math.round(raw.deadlineSeconds * 1000) : defaults.deadlineMs,
    failureMode: raw.failureMode ?? defaults.failureMode,
  };
}

/** Parses the text of a configuration file (YAML or JSON). */
export function parseConfigText(text: string, source: string): PreflightConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    throw new ConfigError(source, [
      { path: '', message: `not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}` },
    ]);
  }
  return parseConfig(value, source);
}
