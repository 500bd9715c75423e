/** Where and when the figures were measured: the machine, Node, the commit. */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly platform: string;
  readonly cpu_model: string;
  readonly nproc: number;
  readonly memory_gib: number;
  readonly git_commit: string | null;
  readonly git_dirty: boolean | null;
}

function git(args: readonly string[]): string | null {
  const result = spawnSync('git', args, { encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : null;
}

export function machineInfo(): MachineInfo {
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${platform()} ${release()} ${process.arch}`,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    nproc: availableParallelism(),
    memory_gib: Number((totalmem() / 2 ** 30).toFixed(1)),
    git_commit: git(['rev-parse', '--short', 'HEAD']),
    git_dirty: status === null ? null : status !== '',
  };
}

/** The 1, 5 and 15 minute load averages. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Number(x.toFixed(2)));
}
