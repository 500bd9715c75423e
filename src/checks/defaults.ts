import type { PreflightConfig } from '../model/config.js';
import { defaultRuleSettings } from './registry.js';

export const DEFAULT_DEADLINE_MS = 8000;

/** The configuration used when no file is given. */
export function defaultConfig(): PreflightConfig {
  return {
    rules: defaultRuleSettings(),
    dns: { deriveFromCluster: true, endpoints: [] },
    escalate: [],
    deadlineMs: DEFAULT_DEADLINE_MS,
    failureMode: 'allow-with-warning',
  };
}
