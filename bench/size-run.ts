/**
 * Everything measured for one size, in the size's own child process: the engine figures first
 * (nothing else running), then the generated cluster served by the fake API server (a child),
 * our webhook (a child) syncing it through the live source (state figures) and serving it over
 * HTTPS, the no-op webhook (a child), and the admission load runs from this process.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueServingCertificate } from '../src/tls/certificates.js';
import { tuneV8ForServing } from '../src/v8-tuning.js';
import { measureAdmission } from './admission-bench.js';
import { Child } from './child-process.js';
import { measureEngine } from './engine-bench.js';
import { generateCluster, type ChangeSpec } from './generator.js';
import { sendToParent } from './child-io.js';
import { isRecord, readNumber, readString, type JsonRecord } from './guards.js';
import type { SizeFigures } from './results.js';
import { BENCH_SIZES, HEAP_LIMIT_MB, isSizeName, type SizeName } from './sizes.js';
import type { StateFigures } from './state-bench.js';
import { BenchUsageError, ChildProcessError } from './errors.js';

export interface SizeRunOptions {
  readonly size: SizeName;
  readonly durationS: number;
  readonly warmupS: number;
  /** Write CPU profiles of the webhook process (and this one) to this directory. */
  readonly profileDir: string | null;
}

const MINUTE = 60_000;

export function progress(size: SizeName, message: string): void {
  process.stderr.write(`bench ${size}: ${message}\n`);
}

function collectGarbage(): void {
  globalThis.gc?.();
}

function engineFigures(options: SizeRunOptions): {
  engine: SizeFigures['engine'];
  changes: readonly ChangeSpec[];
  pods: number;
  policies: number;
} {
  const cluster = generateCluster(BENCH_SIZES[options.size]);
  progress(options.size, `engine: ${cluster.podCount} pods, ${cluster.policyCount} policies`);
  const engine = measureEngine(cluster, { connectivity: true });
  return { engine, changes: cluster.changes, pods: cluster.podCount, policies: cluster.policyCount };
}

function isStateFigures(value: unknown): value is StateFigures {
  return isRecord(value) && typeof value['heap_bytes_per_pod'] === 'number';
}

export async function runSize(options: SizeRunOptions): Promise<SizeFigures> {
  const started = performance.now();
  const { size } = options;
  const { engine, changes, pods, policies } = engineFigures(options);
  collectGarbage();

  const dir = await mkdtemp(join(tmpdir(), 'netpol-bench-'));
  const children: Child[] = [];
  try {
    const ca = await createCertificateAuthority('netpol-preflight bench CA');
    const serving = await issueServingCertificate(ca, { hosts: ['localhost', '127.0.0.1'] });
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await writeFile(certFile, serving.cert);
    await writeFile(keyFile, serving.key, { mode: 0o600 });
    const heapLimitMb = HEAP_LIMIT_MB[size];
    const profile = (name: string): string[] =>
      options.profileDir === null
        ? []
        : [
            '--cpu-prof',
            `--cpu-prof-dir=${options.profileDir}`,
            `--cpu-prof-name=${size}-${name}.cpuprofile`,
          ];

    progress(size, 'fake API server: loading the generated cluster');
    const fake = Child.start({ role: 'fake-apiserver', args: { size }, heapLimitMb });
    children.push(fake);
    const noop = Child.start({
      role: 'noop',
      args: { certFile, keyFile },
      heapLimitMb: 1024,
      nodeFlags: profile('noop'),
    });
    children.push(noop);
    // Starts (loads its modules) while the fake API server loads; syncs once told where it is.
    const webhook = Child.start({
      role: 'webhook',
      args: { certFile, keyFile },
      heapLimitMb,
      nodeFlags: profile('webhook'),
    });
    children.push(webhook);
    const served = await fake.receive('ready', 30 * MINUTE);
    const noopPort = readNumber(await noop.receive('listening', 5 * MINUTE), 'port');

    progress(size, `state: live source syncing ${readNumber(served, 'objects')} objects`);
    webhook.send({ type: 'sync', kubeConfigYaml: readString(served, 'kubeConfigYaml') });
    const stateMessage = await webhook.receive('state', 30 * MINUTE);
    const state = stateMessage['figures'];
    if (!isStateFigures(state)) throw new ChildProcessError('webhook', 'sent state figures of another shape');
    progress(size, `state: ready in ${state.ready_s} s, ${state.heap_bytes_per_pod} bytes per pod`);
    const oursPort = readNumber(await webhook.receive('listening', 10 * MINUTE), 'port');

    const admission = await measureAdmission({
      ours: { port: oursPort, path: '/validate', ca: ca.cert },
      noop: { port: noopPort, path: '/validate', ca: ca.cert },
      changes,
      durationS: options.durationS,
      warmupS: options.warmupS,
      progress: (message) => progress(size, `admission: ${message}`),
    });
    return {
      pods,
      namespaces: BENCH_SIZES[size].namespaces,
      policies,
      objects: readNumber(served, 'objects'),
      admission,
      state,
      engine,
      wall_s: Number(((performance.now() - started) / 1000).toFixed(1)),
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** The `size` child role: runs one size, sends the figures as a `result` message. */
export async function sizeRole(args: JsonRecord): Promise<void> {
  // The engine figures are those of the webhook's analyses: under the V8 settings of `serve`.
  tuneV8ForServing();
  const size = readString(args, 'size');
  if (!isSizeName(size)) throw new BenchUsageError(`unknown size ${size}`);
  const profileDir = args['profileDir'];
  const figures = await runSize({
    size,
    durationS: readNumber(args, 'durationS'),
    warmupS: readNumber(args, 'warmupS'),
    profileDir: typeof profileDir === 'string' ? profileDir : null,
  });
  await sendToParent({ type: 'result', figures });
}
