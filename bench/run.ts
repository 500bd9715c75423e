/**
 * `npm run bench [-- --quick] [--sizes S,M,L] [--duration SEC] [--warmup SEC] [--out FILE] [--profile]`
 *
 * Runs each size in a child process of its own (its own heap limit, --expose-gc), prints a table
 * of the figures next to the targets of issue 6, and writes them as JSON (default
 * bench/results/latest.json). `--quick` runs S and M with shorter load runs. Targets that are
 * missed are reported, not enforced: the exit status is 0 unless a size could not be measured.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Child } from './child-process.js';
import { BenchError, BenchUsageError, describeError } from './errors.js';
import { isRecord } from './guards.js';
import { loadAverage, machineInfo } from './machine.js';
import { checkResultsShape, type BenchResults, type SizeFigures } from './results.js';
import { FULL_SIZES, HEAP_LIMIT_MB, QUICK_SIZES, isSizeName, type SizeName } from './sizes.js';
import { renderTable } from './table.js';
import { checkTargets } from './targets.js';

const ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  import.meta.url.endsWith('.ts') ? '..' : '../..',
);
const DEFAULT_OUT = resolve(ROOT, 'bench/results/latest.json');
const SIZE_TIMEOUT_MS = 60 * 60_000;

export interface BenchOptions {
  readonly sizes: readonly SizeName[];
  readonly quick: boolean;
  readonly durationS: number;
  readonly warmupS: number;
  readonly out: string;
  readonly profileDir: string | null;
}

const USAGE = `usage: npm run bench -- [--quick] [--sizes S,M,L] [--duration SEC] [--warmup SEC] [--out FILE] [--profile]
  --quick        S and M only, 5 s of load each (finishes within 3 minutes on 2 CPUs)
  --sizes LIST   sizes to run, comma-separated, of XS, S, M, L (default S,M,L)
  --duration N   seconds of load per webhook and concurrency, in rounds of 2 s or more,
                 no-op and ours in turns (default 10, quick 5)
  --warmup N     seconds of warm-up load before measuring (default 3, quick 2)
  --out FILE     where to write the JSON (default bench/results/latest.json)
  --profile      write CPU profiles (--cpu-prof) of each size, webhook and no-op process to bench/results/profiles`;

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero)) {
    throw new BenchUsageError(
      `--${name} expects a ${allowZero ? 'non-negative' : 'positive'} number, got ${text}`,
    );
  }
  return value;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      sizes: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const names = values.sizes?.split(',').map((s) => s.trim().toUpperCase()) ?? [
    ...(quick ? QUICK_SIZES : FULL_SIZES),
  ];
  const sizes: SizeName[] = [];
  for (const name of names) {
    if (!isSizeName(name)) throw new BenchUsageError(`unknown size ${name} (XS, S, M, L)`);
    if (!sizes.includes(name)) sizes.push(name);
  }
  if (sizes.length === 0) throw new BenchUsageError('no size to run');
  return {
    sizes,
    quick,
    durationS: positive('duration', values.duration, quick ? 5 : 10),
    warmupS: positive('warmup', values.warmup, quick ? 2 : 3, true),
    out: resolve(values.out ?? DEFAULT_OUT),
    profileDir: values.profile ? resolve(ROOT, 'bench/results/profiles') : null,
  };
}

function isSizeFigures(value: unknown): value is SizeFigures {
  return (
    isRecord(value) && isRecord(value['admission']) && isRecord(value['state']) && isRecord(value['engine'])
  );
}

async function runOneSize(size: SizeName, options: BenchOptions): Promise<SizeFigures> {
  const child = Child.start({
    role: 'size',
    args: { size, durationS: options.durationS, warmupS: options.warmupS, profileDir: options.profileDir },
    heapLimitMb: HEAP_LIMIT_MB[size],
    nodeFlags:
      options.profileDir === null
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${size}-size.cpuprofile`],
  });
  try {
    const message = await child.receive('result', SIZE_TIMEOUT_MS);
    const figures = message['figures'];
    if (!isSizeFigures(figures)) throw new BenchUsageError(`size ${size} sent figures of another shape`);
    return figures;
  } finally {
    await child.stop();
  }
}

export async function runBench(
  options: BenchOptions,
): Promise<{ results: BenchResults; failures: string[] }> {
  const machine = machineInfo();
  const loadavg_start = loadAverage();
  const sizes: Partial<Record<SizeName, SizeFigures & { targets: ReturnType<typeof checkTargets> }>> = {};
  const failures: string[] = [];
  if (options.profileDir !== null) await mkdir(options.profileDir, { recursive: true });
  for (const size of options.sizes) {
    process.stderr.write(`bench ${size}: starting (load average ${loadAverage().join(' ')})\n`);
    try {
      const figures = await runOneSize(size, options);
      sizes[size] = { ...figures, targets: checkTargets(size, figures) };
    } catch (error) {
      failures.push(`${size}: ${describeError(error)}`);
      process.stderr.write(`bench ${size}: FAILED: ${describeError(error)}\n`);
    }
  }
  const results: BenchResults = {
    meta: {
      ...machine,
      loadavg_start,
      loadavg_end: loadAverage(),
      quick: options.quick,
      sizes_run: options.sizes,
      duration_s: options.durationS,
      warmup_s: options.warmupS,
      notes: [
        'every size ran in its own child process; the fake API server, our webhook and the no-op webhook ' +
          'in child processes of their own; load generated with autocannon from the size process, loopback only',
        ...failures.map((f) => `failed: ${f}`),
      ],
    },
    sizes,
  };
  return { results, failures };
}

/** The project's Node (package.json engines); the system's may be older. */
const NODE_MAJOR = 24;

async function main(): Promise<void> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < NODE_MAJOR) {
    throw new BenchError(
      `node ${process.version}: the bench needs Node ${NODE_MAJOR} (run it with npm run bench, which uses the project's Node)`,
    );
  }
  const options = parseBenchArgs(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { results, failures } = await runBench(options);
  const issues = checkResultsShape(results);
  if (Object.keys(results.sizes).length > 0) process.stdout.write(`${renderTable(results)}\n`);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote ${options.out}\n`);
  if (failures.length > 0 || issues.length > 0) {
    for (const issue of [...failures, ...issues]) process.stderr.write(`bench: ${issue}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    if (error instanceof BenchUsageError) process.stderr.write(`${USAGE}\n`);
    process.exitCode = error instanceof BenchUsageError ? 2 : 1;
  }
}
