/**
 * The shape of bench/results/latest.json and a checker for it. The required keys are fixed by
 * issue 6; everything else is extra detail next to them.
 */
import type { AdmissionFigures } from './admission-bench.js';
import type { EngineFigures } from './engine-bench.js';
import { isFiniteNumber, isRecord } from './guards.js';
import type { SizeName } from './sizes.js';
import type { MachineInfo } from './machine.js';
import type { StateFigures } from './state-bench.js';

export interface SizeFigures {
  readonly pods: number;
  readonly namespaces: number;
  readonly policies: number;
  /** Objects served by the fake API server. */
  readonly objects: number;
  readonly admission: AdmissionFigures;
  readonly state: StateFigures;
  readonly engine: EngineFigures;
  /** Wall-clock seconds this size took, every phase included. */
  readonly wall_s: number;
}

export interface BenchMeta extends MachineInfo {
  readonly loadavg_start: readonly number[];
  readonly loadavg_end: readonly number[];
  readonly quick: boolean;
  readonly sizes_run: readonly SizeName[];
  readonly duration_s: number;
  readonly warmup_s: number;
  readonly notes: readonly string[];
}

export interface BenchResults {
  readonly meta: BenchMeta;
  readonly sizes: Partial<Record<SizeName, SizeFigures>>;
}

const LATENCY_KEYS = ['p50_ms', 'p99_ms', 'rps'] as const;
const REQUIRED = {
  admission: ['c1', 'c16', 'noop_c1', 'noop_c16', 'ratio_p99_c16'],
  state: ['heap_bytes_per_pod', 'ready_s'],
  engine: ['connectivity_s', 'analysis_p50_ms', 'analysis_p99_ms'],
} as const;

/** Every way `value` departs from the required shape; empty when it has it. */
export function checkResultsShape(value: unknown): string[] {
  const issues: string[] = [];
  if (!isRecord(value) || !isRecord(value['sizes'])) return ['no "sizes" object'];
  const sizes = Object.entries(value['sizes']);
  if (sizes.length === 0) issues.push('"sizes" is empty');
  for (const [name, size] of sizes) {
    if (!isRecord(size)) {
      issues.push(`sizes.${name} is not an object`);
      continue;
    }
    if (!isFiniteNumber(size['pods'])) issues.push(`sizes.${name}.pods is not a number`);
    for (const [section, keys] of Object.entries(REQUIRED)) {
      const figures = size[section];
      if (!isRecord(figures)) {
        issues.push(`sizes.${name}.${section} is not an object`);
        continue;
      }
      for (const key of keys) {
        const path = `sizes.${name}.${section}.${key}`;
        const figure = figures[key];
        if (section === 'admission' && key !== 'ratio_p99_c16') {
          if (!isRecord(figure)) issues.push(`${path} is not an object`);
          else
            for (const k of LATENCY_KEYS)
              if (!isFiniteNumber(figure[k])) issues.push(`${path}.${k} is not a number`);
        } else if (!isFiniteNumber(figure)) {
          issues.push(`${path} is not a number`);
        }
      }
    }
  }
  return issues;
}
