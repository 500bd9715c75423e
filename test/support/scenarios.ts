/**
 * Admission scenarios as small YAML files (test/fixtures/scenarios/*.yaml):
 * a state, one change, and the expected verdict. Loaded through the same
 * parsers the CLI and the webhook use.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfig } from '../../src/checks/defaults.js';
import type { Requester } from '../../src/checks/decide.js';
import { mergeWorkloadObjects } from '../../src/cluster/snapshot-edits.js';
import type { PreflightConfig } from '../../src/model/config.js';
import type { Operation, PolicyChange, RuleId, Severity } from '../../src/model/findings.js';
import type { ClusterSnapshot } from '../../src/model/records.js';
import { policyKey } from '../../src/model/records.js';
import { parseConfig } from '../../src/parse/config.js';
import { parseManifestTexts } from '../../src/parse/manifest-texts.js';
import { parseNetworkPolicy } from '../../src/parse/network-policy.js';

export const SCENARIO_DIR = new URL('../fixtures/scenarios/', import.meta.url).pathname;

export interface ScenarioExpectation {
  readonly allowed?: boolean;
  readonly fires?: readonly RuleId[];
  readonly silent?: readonly RuleId[];
  readonly messageIncludes?: Partial<Record<RuleId, string>>;
  readonly messageExcludes?: Partial<Record<RuleId, string>>;
  readonly fixIncludes?: Partial<Record<RuleId, string>>;
  readonly severities?: Partial<Record<RuleId, Severity>>;
  readonly subjects?: Partial<Record<RuleId, readonly string[]>>;
  readonly warningIncludes?: string;
}

export interface Scenario {
  readonly file: string;
  readonly description: string;
  readonly snapshot: ClusterSnapshot;
  readonly change: PolicyChange;
  readonly config: PreflightConfig;
  readonly requester: Requester | null;
  readonly expect: ScenarioExpectation;
}

interface RawScenario {
  description: string;
  state: string[];
  extraState?: string;
  config?: unknown;
  requester?: Requester;
  change: { operation: Operation; object?: unknown; delete?: string };
  expect: ScenarioExpectation;
}

export function loadStates(files: readonly string[], extra?: string): ClusterSnapshot {
  const base = parseManifestTexts(
    files.map((f) => ({ source: f, text: readFileSync(join(SCENARIO_DIR, 'states', f), 'utf8') })),
  ).snapshot;
  if (!extra) return base;
  const more = parseManifestTexts([{ source: 'extraState', text: extra }]).snapshot;
  const merged = mergeWorkloadObjects(base, more);
  return { ...merged, policies: [...merged.policies, ...more.policies] };
}

export function loadScenario(file: string): Scenario {
  const raw = parseYaml(readFileSync(join(SCENARIO_DIR, file), 'utf8')) as RawScenario;
  const snapshot = loadStates(raw.state, raw.extraState);
  let change: PolicyChange;
  if (raw.change.operation === 'DELETE') {
    const old = snapshot.policies.find((p) => policyKey(p) === raw.change.delete);
    if (!old) throw new Error(`${file}: no policy ${raw.change.delete} in the state`);
    change = { operation: 'DELETE', namespace: old.namespace, name: old.name, object: null, oldObject: old };
  } else {
    const parsed = parseNetworkPolicy(raw.change.object);
    if (!parsed.ok) throw new Error(`${file}: invalid object: ${JSON.stringify(parsed.issues)}`);
    const p = parsed.policy;
    const old = snapshot.policies.find((x) => policyKey(x) === policyKey(p)) ?? null;
    if (raw.change.operation === 'UPDATE' && !old)
      throw new Error(`${file}: UPDATE of a policy not in the state`);
    change = {
      operation: raw.change.operation,
      namespace: p.namespace,
      name: p.name,
      object: p,
      oldObject: old,
    };
  }
  return {
    file,
    description: raw.description,
    snapshot,
    change,
    config: raw.config === undefined ? defaultConfig() : parseConfig(raw.config, `${file} config`),
    requester: raw.requester ?? null,
    expect: raw.expect,
  };
}

export function listScenarios(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}
