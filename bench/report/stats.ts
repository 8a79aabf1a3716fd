/** A median that says how many runs it came from and how far they spread. */

export type Med = {
  value: number | null;
  /** Finite values the median was taken over. */
  n: number;
  min: number | null;
  max: number | null;
};

export const NO_VALUE: Med = { value: null, n: 0, min: null, max: null };

export function medianOf(values: ReadonlyArray<number | null | undefined>): Med {
  const finite = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return NO_VALUE;
  const middle = Math.floor(n / 2);
  const value = n % 2 === 1 ? (finite[middle] ?? null) : ((finite[middle - 1] ?? 0) + (finite[middle] ?? 0)) / 2;
  return { value, n, min: finite[0] ?? null, max: finite[n - 1] ?? null };
}

export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (typeof a !== 'number' || typeof b !== 'number' || b === 0) return null;
  return a / b;
}

/** One run's measurement, with the run (1-based) it belongs to; results stored before runs were numbered have none. */
export type RunValue = { run?: number; value: number | null | undefined };

/**
 * Each run's own ratio a / b, runs paired by number, in run order. A run measures every kind of
 * a scenario a minute apart, so a pair shares the machine's state; the medians of two kinds may
 * come from runs an hour apart on a machine whose speed moves that much. Empty when nothing pairs.
 */
export function ratiosPerRun(a: readonly RunValue[], b: readonly RunValue[]): number[] {
  const ratios: number[] = [];
  for (const first of a) {
    if (first.run === undefined) continue;
    const value = ratio(first.value, b.find((second) => second.run === first.run)?.value);
    if (value !== null && Number.isFinite(value)) ratios.push(value);
  }
  return ratios;
}
