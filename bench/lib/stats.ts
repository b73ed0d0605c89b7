// Summary statistics of latency samples: percentiles by the nearest-rank method, rounded for the report.

/** The p-th percentile (0 < p <= 100) of `samples` by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? Number.NaN : samples.reduce((sum, value) => sum + value, 0) / samples.length;
}

/** Round to `digits` decimals (JSON stays readable; sub-millisecond precision is kept). */
export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** a / b rounded, for the *_over_* ratios. */
export function ratio(a: number, b: number): number {
  return round(a / b, 3);
}
