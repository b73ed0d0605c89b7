// Kubernetes resource quantities (k8s.io/apimachinery resource.ParseQuantity and Cmp), as Kyverno's operators compare them.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/**
 * An exact value, (-1)^negative × mantissa × 10^exponent, where -exponent is the scale of the
 * inf.Dec Kubernetes keeps (it decides the precision of a division), and the format String() uses.
 */
export interface Quantity {
  readonly negative: boolean;
  readonly mantissa: bigint;
  readonly exponent: number;
  readonly format: QuantityFormat;
}

const MAX_INT64 = (1n << 63n) - 1n;
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60]]);
const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18]]);
const SUFFIX_CHARS = 'eEinumkKMGTP';

interface Parts {
  positive: boolean;
  /** The number as written, sign and leading zeros included, suffix excluded. */
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';

/** apimachinery's parseQuantityString, position by position. */
function split(text: string): Parts | undefined {
  let positive = true;
  let pos = 0;
  const end = text.length;
  if (text[0] === '-' || text[0] === '+') {
    positive = text[0] === '+';
    pos++;
  }
  while (pos < end && text[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  const numStart = pos;
  while (pos < end && isDigit(text[pos])) pos++;
  if (pos >= end) return { positive, value: text, num: text.slice(numStart), denom: '', suffix: '' };
  const num = text.slice(numStart, pos) || '0';
  let denom = '';
  if (text[pos] === '.') {
    pos++;
    const denomStart = pos;
    while (pos < end && isDigit(text[pos])) pos++;
    denom = text.slice(denomStart, pos);
    if (pos >= end) return { positive, value: text, num, denom, suffix: '' };
  }
  const value = text.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(text[pos] as string)) pos++;
  if (pos < end && (text[pos] === '-' || text[pos] === '+')) pos++;
  while (pos < end && isDigit(text[pos])) pos++;
  if (pos < end) return undefined;
  return { positive, value, num, denom, suffix: text.slice(suffixStart) };
}

/** quantitySuffixer.interpret: base, exponent and whether the suffix is binary. */
function interpret(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const binary = BINARY_SUFFIXES.get(suffix);
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const parsed = BigInt(suffix.slice(1));
    if (parsed > MAX_INT64 || parsed < -MAX_INT64 - 1n) return undefined;
    return { base: 10, exponent: Number(BigInt.asIntN(32, parsed)), format: 'DecimalExponent' };
  }
  return undefined;
}

const digitCount = (value: bigint) => (value === 0n ? 0 : value.toString().length);

/** The slow path's rounding: up (away from zero) to scale 9 (nano), then capped at math.MaxInt64 (scale 0). */
function roundAndCap(mantissa: bigint, exponent: number): { mantissa: bigint; exponent: number } {
  if (mantissa === 0n) return { mantissa, exponent: Math.min(exponent, 0) };
  if (digitCount(mantissa) + exponent > 19) return { mantissa: MAX_INT64, exponent: 0 };
  let nanos: bigint;
  if (exponent >= -9) {
    nanos = mantissa * 10n ** BigInt(exponent + 9);
  } else {
    const shift = -9 - exponent;
    const divisor = shift > digitCount(mantissa) ? undefined : 10n ** BigInt(shift);
    nanos = divisor === undefined ? 1n : (mantissa + divisor - 1n) / divisor;
  }
  return nanos > MAX_INT64 * 1_000_000_000n ? { mantissa: MAX_INT64, exponent: 0 } : { mantissa: nanos, exponent: -9 };
}

/** resource.ParseQuantity: the quantity, or undefined where Kubernetes returns an error. */
export function parseQuantity(text: string): Quantity | undefined {
  if (text.length === 0) return undefined;
  if (text === '0') return { negative: false, mantissa: 0n, exponent: 0, format: 'DecimalSI' };
  const parts = split(text);
  if (parts === undefined) return undefined;
  const meaning = interpret(parts.suffix);
  if (meaning === undefined) return undefined;
  const negative = !parts.positive;
  const digits = BigInt(parts.num + parts.denom);
  let precision: number;
  if (meaning.base === 10) precision = 18 - (parts.num.length + parts.denom.length);
  else if (meaning.exponent >= 0 && parts.denom.length === 0) precision = 15 - parts.num.length - Math.trunc((meaning.exponent * 3) / 10) - 1;
  else precision = -1;
  if (precision >= 0) {
    const scale = ((meaning.base === 10 ? meaning.exponent : 0) - parts.denom.length) | 0;
    if (scale >= -9) {
      const value = meaning.base === 2 ? digits << BigInt(meaning.exponent) : digits;
      if (value <= MAX_INT64) return { negative, mantissa: value, exponent: scale, format: meaning.format };
    }
  }
  const exact = meaning.base === 10 ? { mantissa: digits, exponent: meaning.exponent - parts.denom.length } : { mantissa: digits << BigInt(meaning.exponent), exponent: -parts.denom.length };
  const rounded = roundAndCap(exact.mantissa, exact.exponent);
  // A binary quantity between 0 and 1 is shown in decimal, as ParseQuantity decides.
  const format = meaning.format === 'BinarySI' && rounded.mantissa !== 0n && digitCount(rounded.mantissa) + rounded.exponent <= 0 ? 'DecimalSI' : meaning.format;
  return { negative, ...rounded, format };
}

/** Quantity.Cmp: -1, 0 or 1, exactly. */
export function compare(left: Quantity, right: Quantity): number {
  const sign = (q: Quantity) => (q.mantissa === 0n ? 0 : q.negative ? -1 : 1);
  const leftSign = sign(left);
  const rightSign = sign(right);
  if (leftSign !== rightSign || leftSign === 0) return Math.sign(leftSign - rightSign);
  const leftOrder = digitCount(left.mantissa) + left.exponent;
  const rightOrder = digitCount(right.mantissa) + right.exponent;
  let magnitude: number;
  if (leftOrder !== rightOrder) {
    magnitude = leftOrder > rightOrder ? 1 : -1;
  } else {
    const common = Math.min(left.exponent, right.exponent);
    const a = left.mantissa * 10n ** BigInt(left.exponent - common);
    const b = right.mantissa * 10n ** BigInt(right.exponent - common);
    magnitude = a === b ? 0 : a > b ? 1 : -1;
  }
  return magnitude * leftSign;
}

const DECIMAL_SUFFIX_OF: ReadonlyMap<number, string> = new Map([...DECIMAL_SUFFIXES].map(([suffix, exponent]) => [exponent, suffix]));
const BINARY_SUFFIX_OF: ReadonlyMap<number, string> = new Map([...BINARY_SUFFIXES, ['', 0] as const].map(([suffix, exponent]) => [exponent, suffix]));

/** Remove factors of `base` from a non-zero integer: the rest and how many were removed. */
function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let rest = value;
  let times = 0;
  while (rest % base === 0n) {
    rest /= base;
    times++;
  }
  return [rest, times];
}

/**
 * Quantity.String(): the canonical form. BinarySI when the value is a whole number of at least
 * 1024 in magnitude (1Ki, 1536, 1Mi), otherwise decimal with the exponent a multiple of 3 (1500m,
 * 1k, 1e3 for DecimalExponent). An exponent without a suffix prints the bare number, as Kubernetes does.
 */
export function formatQuantity(quantity: Quantity): string {
  if (quantity.mantissa === 0n) return '0';
  const sign = quantity.negative ? '-' : '';
  const whole = quantity.exponent >= 0 || quantity.mantissa % 10n ** BigInt(-quantity.exponent) === 0n;
  if (quantity.format === 'BinarySI' && whole && digitCount(quantity.mantissa) + quantity.exponent >= 4) {
    const integer = quantity.exponent >= 0 ? quantity.mantissa * 10n ** BigInt(quantity.exponent) : quantity.mantissa / 10n ** BigInt(-quantity.exponent);
    if (integer >= 1024n) {
      const [amount, times] = removeFactors(integer, 1024n);
      return `${sign}${amount}${BINARY_SUFFIX_OF.get(times * 10) ?? ''}`;
    }
  }
  const [stripped, times] = removeFactors(quantity.mantissa, 10n);
  const excess = (((quantity.exponent + times) % 3) + 3) % 3;
  const amount = stripped * 10n ** BigInt(excess);
  const exponent = quantity.exponent + times - excess;
  if (quantity.format === 'DecimalExponent') return `${sign}${amount}${exponent === 0 ? '' : `e${exponent}`}`;
  return `${sign}${amount}${DECIMAL_SUFFIX_OF.get(exponent) ?? ''}`;
}

/** Quantity.AsApproximateFloat64. */
export function approximateFloat(quantity: Quantity): number {
  const base = Number(quantity.mantissa) * (quantity.negative ? -1 : 1);
  return quantity.exponent === 0 ? base : base * 10 ** quantity.exponent;
}
