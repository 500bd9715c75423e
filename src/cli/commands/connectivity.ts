import type { Command } from 'commander';
import { loadManifests } from '../../cluster/manifest-files.js';
import { renderConnectivity } from '../../report/connectivity-report.js';
import { connectivityOf } from '../../semantics/connectivity.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../io.js';
import { outputOption, type ReportOptions } from './options.js';

export function registerConnectivity(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('connectivity')
    .description('list every allowed connection between workloads and external IP ranges')
    .argument('<path...>', 'manifest files or directories (.yaml, .yml, .json, searched recursively)')
    .addOption(outputOption())
    .action(async (paths: string[], opts: ReportOptions) => {
      const { snapshot } = await loadManifests(paths);
      io.stdout(renderConnectivity(connectivityOf(snapshot), opts.output));
      setExit(EXIT.ok);
    });
}
