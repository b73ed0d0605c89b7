// How Go prints and converts the decoded JSON values Kyverno's operators receive (all numbers are float64 there).
import { goFormatFloat, goParseDuration } from '../../common/index.js';
import { isObject } from '../jmespath/index.js';

/** fmt.Sprint of a decoded JSON value: `<nil>`, `true`, Go's float format, `[a b]`, `map[k:v]` with sorted keys. */
export function sprint(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFormatFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(sprint).join(' ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((key) => `${key}:${sprint(value[key])}`).join(' ')}]`;
  }
  return String(value);
}

const NANOSECONDS_PER_SECOND = 1_000_000_000n;

/** Go's float64 → int64 conversion on amd64: truncation; out of range (and NaN) gives math.MinInt64. */
function toInt64(value: number): bigint {
  if (!Number.isFinite(value) || value >= 2 ** 63 || value < -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(value));
}

/** `time.Duration(seconds) * time.Second`: truncated to whole seconds, then multiplied with int64 wrap-around. */
function secondsDuration(seconds: number): bigint {
  return BigInt.asIntN(64, toInt64(seconds) * NANOSECONDS_PER_SECOND);
}

/** time.Duration.Seconds(): whole seconds plus the remainder, in float64 arithmetic as Go computes it. */
export function durationSeconds(nanoseconds: bigint): number {
  const whole = nanoseconds / NANOSECONDS_PER_SECOND;
  const rest = nanoseconds % NANOSECONDS_PER_SECOND;
  return Number(whole) + Number(rest) / 1e9;
}

/**
 * Kyverno's operator parseDuration: when at least one side is a Go duration string other than "0",
 * both sides as durations (a number counts as seconds); undefined otherwise.
 */
export function parseDurationPair(key: unknown, value: unknown): [bigint, bigint] | undefined {
  const keyDuration = typeof key === 'string' && key !== '0' ? goParseDuration(key) : undefined;
  const valueDuration = typeof value === 'string' && value !== '0' ? goParseDuration(value) : undefined;
  if (keyDuration === undefined && valueDuration === undefined) return undefined;
  const left = keyDuration ?? (typeof key === 'number' ? secondsDuration(key) : undefined);
  const right = valueDuration ?? (typeof value === 'number' ? secondsDuration(value) : undefined);
  if (left === undefined || right === undefined) return undefined;
  return [left, right];
}
