/** The acceptance bar of issue 6: figures that must not exceed a limit, per size. Reported, never enforced. */
import type { SizeFigures } from './results.js';
import type { SizeName } from './sizes.js';

export type TargetFigure =
  'ratio_p99_c16' | 'analysis_p99_ms' | 'heap_bytes_per_pod' | 'ready_s' | 'connectivity_s';

/** Upper limits (inclusive). */
export const TARGETS: Readonly<Partial<Record<SizeName, Readonly<Partial<Record<TargetFigure, number>>>>>> = {
  M: { ratio_p99_c16: 2, analysis_p99_ms: 5 },
  L: { ratio_p99_c16: 3, analysis_p99_ms: 20, heap_bytes_per_pod: 1024, ready_s: 30, connectivity_s: 60 },
};

export function measuredFigure(figures: SizeFigures, figure: TargetFigure): number {
  switch (figure) {
    case 'ratio_p99_c16':
      return figures.admission.ratio_p99_c16;
    case 'analysis_p99_ms':
      return figures.engine.analysis_p99_ms;
    case 'heap_bytes_per_pod':
      return figures.state.heap_bytes_per_pod;
    case 'ready_s':
      return figures.state.ready_s;
    case 'connectivity_s':
      return figures.engine.connectivity_s;
  }
}

export interface TargetCheck {
  readonly target: number;
  readonly measured: number;
  readonly pass: boolean;
}

/** Each target of `size` with its measured figure. */
export function checkTargets(
  size: SizeName,
  figures: SizeFigures,
): Partial<Record<TargetFigure, TargetCheck>> {
  const checks: Partial<Record<TargetFigure, TargetCheck>> = {};
  for (const [figure, target] of Object.entries(TARGETS[size] ?? {}) as [TargetFigure, number][]) {
    const measured = measuredFigure(figures, figure);
    checks[figure] = { target, measured, pass: measured <= target };
  }
  return checks;
}
