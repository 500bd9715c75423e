import type { Command } from 'commander';
import { loadManifests } from '../../cluster/manifest-files.js';
import { renderDiff } from '../../report/connectivity-report.js';
import { connectivityOf } from '../../semantics/connectivity.js';
import { diffConnectivity } from '../../semantics/diff.js';
import type { CliIo } from '../io.js';
import { EXIT } from '../io.js';
import { outputOption, type ReportOptions } from './options.js';

export function registerDiff(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('diff')
    .description('semantic connectivity diff between two sets of manifests')
    .argument('<before>', 'manifest file or directory: the state before')
    .argument('<after>', 'manifest file or directory: the state after')
    .addOption(outputOption())
    .action(async (before: string, after: string, opts: ReportOptions) => {
      const [b, a] = await Promise.all([loadManifests([before]), loadManifests([after])]);
      io.stdout(
        renderDiff(diffConnectivity(connectivityOf(b.snapshot), connectivityOf(a.snapshot)), opts.output),
      );
      setExit(EXIT.ok);
    });
}
