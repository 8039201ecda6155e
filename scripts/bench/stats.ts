/** Small statistics helpers for the benchmark: medians and percentiles of timing samples. */

/** The median of the samples (NaN when there are none). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** The p-th percentile (0–100) of the samples, linearly interpolated (NaN when there are none). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Sum of the samples. */
export function sum(samples: readonly number[]): number {
  return samples.reduce((total, x) => total + x, 0);
}

/** Rounds to `digits` decimals, for stable JSON output. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
