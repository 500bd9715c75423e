/** The printed summary: one row per figure, each next to its target (if any) with pass / MISS. */
import type { GcFigures } from './admission-bench.js';
import type { LoadFigures } from './load-run.js';
import { roundsFor } from './rounds.js';
import type { BenchResults, SizeFigures } from './results.js';
import { SIZE_NAMES, type SizeName } from './sizes.js';
import { TARGETS, type TargetFigure } from './targets.js';

type Row = readonly [size: string, figure: string, measured: string, target: string, mark: string];

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function load(f: LoadFigures): string {
  return `${fmt(f.p50_ms, 3)} / ${fmt(f.p99_ms, 3)} ms, ${fmt(f.rps, 0)}/s`;
}

function targeted(size: SizeName, figure: TargetFigure, label: string, value: number, shown: string): Row {
  const target = TARGETS[size]?.[figure];
  if (target === undefined) return [size, label, shown, '', ''];
  return [size, label, shown, `<= ${target}`, value <= target ? 'pass' : 'MISS'];
}

/** A row when some load run had failed requests (they are not in the latencies). */
function failureRows(size: SizeName, f: SizeFigures): Row[] {
  const runs = {
    c1: f.admission.c1,
    c16: f.admission.c16,
    noop_c1: f.admission.noop_c1,
    noop_c16: f.admission.noop_c16,
  };
  const failed = Object.entries(runs)
    .filter(([, r]) => r.errors + r.non2xx + r.timeouts > 0)
    .map(([name, r]) => `${name}: ${r.errors} errors, ${r.non2xx} non-2xx, ${r.timeouts} timeouts`);
  return failed.length === 0 ? [] : [[size, 'admission FAILED REQUESTS', failed.join('; '), '', 'WARN']];
}

/** How many collections and their pauses added up: `1 (331 ms)`. */
const collections = (count: number, ms: number): string => `${count} (${Math.round(ms)} ms)`;

/** `0`, or the full collections of a round. */
function fullGcs(gc: GcFigures): string {
  return gc.full === 0 ? '0' : collections(gc.full, gc.full_ms);
}

function gcPauses(gc: GcFigures): string {
  return `${collections(gc.full, gc.full_ms)} / ${collections(gc.young, gc.young_ms)}`;
}

function sizeRows(size: SizeName, f: SizeFigures): Row[] {
  const a = f.admission;
  const cache = a.cache.c16;
  return [
    ...failureRows(size, f),
    [size, 'pods / policies / namespaces', `${f.pods} / ${f.policies} / ${f.namespaces}`, '', ''],
    [size, 'admission c1  ours  p50 / p99, rps', load(a.c1), '', ''],
    [size, 'admission c1  no-op p50 / p99, rps', load(a.noop_c1), '', ''],
    [size, 'admission c16 ours  p50 / p99, rps', load(a.c16), '', ''],
    [size, 'admission c16 no-op p50 / p99, rps', load(a.noop_c16), '', ''],
    targeted(
      size,
      'ratio_p99_c16',
      'admission ratio p99 c16 ours/no-op',
      a.ratio_p99_c16,
      fmt(a.ratio_p99_c16),
    ),
    [
      size,
      'admission ratio p99 c16, each round',
      a.ratio_p99_c16_rounds.map((r) => fmt(r)).join(' '),
      '',
      '',
    ],
    [size, 'admission c16 ours full GCs, each round', a.gc.c16_rounds.map(fullGcs).join(' '), '', ''],
    [size, 'admission c16 ours GC pauses full / young', gcPauses(a.gc.c16), '', ''],
    [size, 'admission ratio p99 c1 ours/no-op', fmt(a.ratio_p99_c1), '', ''],
    [size, 'admission cache hits / misses (c16)', `${cache.hits} / ${cache.misses}`, '', ''],
    [
      size,
      'admission /readyz wait, first review s',
      `${fmt(a.ready_wait_s)} / ${fmt(a.first_review_s)}`,
      '',
      '',
    ],
    targeted(
      size,
      'heap_bytes_per_pod',
      'state heap bytes per pod',
      f.state.heap_bytes_per_pod,
      String(f.state.heap_bytes_per_pod),
    ),
    targeted(
      size,
      'ready_s',
      'state ready s (listed + prepared)',
      f.state.ready_s,
      `${fmt(f.state.ready_s)} (${fmt(f.state.source_ready_s)} + ${fmt(f.state.snapshot_s + f.state.prepare_s)})`,
    ),
    targeted(
      size,
      'connectivity_s',
      'engine full connectivity s',
      f.engine.connectivity_s,
      `${fmt(f.engine.connectivity_s)} (${f.engine.connections} conns)`,
    ),
    [size, 'engine analysis p50 ms', fmt(f.engine.analysis_p50_ms, 3), '', ''],
    targeted(
      size,
      'analysis_p99_ms',
      'engine analysis p99 ms',
      f.engine.analysis_p99_ms,
      fmt(f.engine.analysis_p99_ms, 3),
    ),
  ];
}

export function renderTable(results: BenchResults): string {
  const header: Row = ['size', 'figure', 'measured', 'target', 'mark'];
  const rows: Row[] = [];
  for (const size of SIZE_NAMES) {
    const figures = results.sizes[size];
    if (figures !== undefined) rows.push(...sizeRows(size, figures));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (r: Row): string =>
    r
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const dashes = (i: number): string => '-'.repeat(widths[i] ?? 0);
  const m = results.meta;
  return [
    `netpol-preflight bench, ${m.date}, node ${m.node}, ${m.nproc} CPUs (${m.cpu_model}), ${m.memory_gib} GiB`,
    `load average at start ${m.loadavg_start.join(' ')}, at end ${m.loadavg_end.join(' ')}; ` +
      `${m.duration_s} s of load per webhook and concurrency (${roundsFor(m.duration_s)} round(s), ` +
      `no-op and ours in turns) after ${m.warmup_s} s warm-up`,
    line(header),
    line([dashes(0), dashes(1), dashes(2), dashes(3), dashes(4)]),
    ...rows.map(line),
  ].join('\n');
}
