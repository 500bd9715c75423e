import { Option, type Command } from 'commander';
import { decideChange } from '../../checks/decide.js';
import { loadManifests } from '../../cluster/manifest-files.js';
import { applyPolicyChange, mergeWorkloadObjects } from '../../cluster/snapshot-edits.js';
import type { PreflightConfig } from '../../model/config.js';
import type { PolicyChange } from '../../model/findings.js';
import type { ClusterSnapshot } from '../../model/records.js';
import { policyKey } from '../../model/records.js';
import type { CheckResult } from '../../report/check-report.js';
import { checkResultsToJson, renderCheckText } from '../../report/check-report.js';
import { loadConfigFile } from '../config-file.js';
import type { CliIo } from '../io.js';
import { EXIT, UsageError } from '../io.js';

type Step =
  { readonly kind: 'apply'; readonly file: string } | { readonly kind: 'delete'; readonly ref: string };

interface CheckOptions {
  readonly state: string[];
  readonly config?: string;
  readonly output: 'text' | 'json';
}

function parseRef(ref: string): { namespace: string; name: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(ref);
  if (!m) throw new UsageError(`--delete expects NAMESPACE/NAME, got "${ref}"`);
  return { namespace: m[1] as string, name: m[2] as string };
}

/** Admits one change: the decision, and the state after it (unchanged when denied). */
function admit(
  state: ClusterSnapshot,
  change: PolicyChange,
  config: PreflightConfig,
): { result: CheckResult; state: ClusterSnapshot } {
  const decision = decideChange(state, change, config);
  const result = { operation: change.operation, namespace: change.namespace, name: change.name, decision };
  return { result, state: decision.allowed ? applyPolicyChange(state, change) : state };
}

export function registerCheck(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const steps: Step[] = [];
  program
    .command('check')
    .description(
      'admit NetworkPolicy changes against a cluster state, in command-line order, as the webhook would',
    )
    .requiredOption('--state <path...>', 'manifests of the cluster state (files or directories)')
    .option('--config <file>', 'configuration file (YAML or JSON)')
    .option(
      '--apply <file>',
      'manifests to apply: each NetworkPolicy is a CREATE (or UPDATE if it exists); repeatable',
      (file: string) => {
        steps.push({ kind: 'apply', file });
        return file;
      },
    )
    .option('--delete <ns/name>', 'delete a NetworkPolicy of the state; repeatable', (ref: string) => {
      steps.push({ kind: 'delete', ref });
      return ref;
    })
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: CheckOptions) => {
      if (steps.length === 0)
        throw new UsageError('check needs at least one --apply FILE or --delete NS/NAME');
      const config = await loadConfigFile(opts.config);
      let state = (await loadManifests(opts.state)).snapshot;
      const results: CheckResult[] = [];
      for (const step of steps) {
        if (step.kind === 'delete') {
          const { namespace, name } = parseRef(step.ref);
          const existing = state.policies.find((p) => policyKey(p) === `${namespace}/${name}`);
          if (!existing)
            throw new UsageError(`--delete ${step.ref}: no NetworkPolicy ${namespace}/${name} in the state`);
          const r = admit(
            state,
            { operation: 'DELETE', namespace, name, object: null, oldObject: existing },
            config,
          );
          results.push(r.result);
          state = r.state;
          continue;
        }
        const applied = (await loadManifests([step.file])).snapshot;
        state = mergeWorkloadObjects(state, applied);
        if (applied.policies.length === 0)
          throw new UsageError(`--apply ${step.file}: no NetworkPolicy in it`);
        for (const policy of applied.policies) {
          const existing = state.policies.find((p) => policyKey(p) === policyKey(policy)) ?? null;
          const change: PolicyChange = {
            operation: existing ? 'UPDATE' : 'CREATE',
            namespace: policy.namespace,
            name: policy.name,
            object: policy,
            oldObject: existing,
          };
          const r = admit(state, change, config);
          results.push(r.result);
          state = r.state;
        }
      }
      io.stdout(
        opts.output === 'json'
          ? `${JSON.stringify(checkResultsToJson(results), null, 2)}\n`
          : renderCheckText(results, io.isTTY),
      );
      setExit(results.every((r) => r.decision.allowed) ? EXIT.ok : EXIT.denied);
    });
}
