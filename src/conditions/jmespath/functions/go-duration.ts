// Go's time.Duration.String(): "1h0m0s", "1.5s", "250ms", "1.5µs", "0s", as Kyverno's duration-valued functions return it.

const NANOSECONDS_PER_SECOND = 1_000_000_000n;

/** The digits of `fraction` (of `precision` decimal places) without trailing zeros, dot included; "" when zero. */
function fractionDigits(fraction: bigint, precision: number): string {
  if (fraction === 0n) return '';
  return `.${fraction.toString().padStart(precision, '0').replace(/0+$/, '')}`;
}

export function formatGoDuration(nanoseconds: bigint): string {
  if (nanoseconds === 0n) return '0s';
  const sign = nanoseconds < 0n ? '-' : '';
  const magnitude = nanoseconds < 0n ? -nanoseconds : nanoseconds;
  if (magnitude < 1_000n) return `${sign}${magnitude}ns`;
  if (magnitude < 1_000_000n) return `${sign}${magnitude / 1_000n}${fractionDigits(magnitude % 1_000n, 3)}\u00b5s`;
  if (magnitude < NANOSECONDS_PER_SECOND) return `${sign}${magnitude / 1_000_000n}${fractionDigits(magnitude % 1_000_000n, 6)}ms`;
  const seconds = magnitude / NANOSECONDS_PER_SECOND;
  let text = `${seconds % 60n}${fractionDigits(magnitude % NANOSECONDS_PER_SECOND, 9)}s`;
  const minutes = seconds / 60n;
  if (minutes > 0n) {
    text = `${minutes % 60n}m${text}`;
    const hours = minutes / 60n;
    if (hours > 0n) text = `${hours}h${text}`;
  }
  return sign + text;
}

/** `time.Duration(f)`: float64 nanoseconds to int64 as amd64 converts (truncation; out of range is math.MinInt64). */
export function durationFromFloat(nanoseconds: number): bigint {
  if (!Number.isFinite(nanoseconds) || nanoseconds >= 2 ** 63 || nanoseconds < -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(nanoseconds));
}
