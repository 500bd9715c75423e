/**
 * The sizes the harness knows: the generator's S, M and L, plus XS (tiny, for the smoke test),
 * and how much heap each size's child processes may use.
 */
import { SIZES, type ClusterSize } from './generator.js';

export const BENCH_SIZES = {
  XS: { name: 'XS', namespaces: 5, pods: 100, policies: 20 },
  ...SIZES,
} as const satisfies Readonly<Record<string, ClusterSize>>;

export type SizeName = keyof typeof BENCH_SIZES;

export const SIZE_NAMES: readonly SizeName[] = ['XS', 'S', 'M', 'L'];
/** `--quick`. */
export const QUICK_SIZES: readonly SizeName[] = ['S', 'M'];
/** The default (full) run. */
export const FULL_SIZES: readonly SizeName[] = ['S', 'M', 'L'];

export function isSizeName(value: string): value is SizeName {
  return (SIZE_NAMES as readonly string[]).includes(value);
}

/**
 * `--max-old-space-size` (MiB) of every child process of a size: the generated objects, the fake
 * API server's copies and the engine's working set of L do not fit Node's default heap limit.
 */
export const HEAP_LIMIT_MB: Readonly<Record<SizeName, number>> = {
  XS: 1024,
  S: 2048,
  M: 4096,
  L: 12288,
};
