// Kyverno's arithmetic functions (pkg/engine/jmespath/arithmetic.go) over numbers, Kubernetes quantities and Go durations.
import { goFormatFloat, goParseDuration } from '../../../common/index.js';
import { durationSeconds } from '../../operators/go-values.js';
import { approximateFloat, formatQuantity, parseQuantity, type Quantity } from '../../operators/quantity.js';
import { functionError } from '../errors.js';
import type { JsonValue } from '../value.js';
import { durationFromFloat, formatGoDuration } from './go-duration.js';
import type { FunctionEntry } from './table.js';

type Operand = { kind: 'scalar'; value: number } | { kind: 'quantity'; value: Quantity } | { kind: 'duration'; value: bigint };

/** parseArithemticOperand: a number, else a string that parses as a quantity (first) or a duration. */
function operand(name: string, value: unknown): Operand {
  if (typeof value === 'number') return { kind: 'scalar', value };
  if (typeof value === 'string') {
    const quantity = parseQuantity(value);
    if (quantity !== undefined) return { kind: 'quantity', value: quantity };
    const duration = goParseDuration(value);
    if (duration !== undefined) return { kind: 'duration', value: duration };
  }
  throw functionError(name, 'invalid operand');
}

const mismatch = (name: string) => functionError(name, 'Types mismatch');
const zeroDivision = (name: string) => functionError(name, 'Zero divisor passed');
const int64 = (value: bigint) => BigInt.asIntN(64, value);

/** A quantity from exact decimal parts, keeping the first operand's format (resource.NewDecimalQuantity). */
function quantityOf(value: bigint, exponent: number, format: Quantity['format']): Quantity {
  return { negative: value < 0n, mantissa: value < 0n ? -value : value, exponent, format };
}

const signed = (quantity: Quantity) => (quantity.negative ? -quantity.mantissa : quantity.mantissa);

/** Exact sum or difference of two quantities; Kubernetes keeps the left format unless the left is zero. */
function addQuantities(left: Quantity, right: Quantity, sign: 1n | -1n): string {
  const exponent = Math.min(left.exponent, right.exponent);
  const value = signed(left) * 10n ** BigInt(left.exponent - exponent) + sign * signed(right) * 10n ** BigInt(right.exponent - exponent);
  return formatQuantity(quantityOf(value, exponent, left.mantissa === 0n ? right.format : left.format));
}

/** The scalar as a quantity, as Kyverno parses fmt.Sprintf("%v", f). */
function scalarQuantity(name: string, value: number): Quantity {
  const quantity = parseQuantity(goFormatFloat(value));
  if (quantity === undefined) throw functionError(name, `quantities: unable to parse quantity's suffix`);
  return quantity;
}

function add(name: string, left: Operand, right: Operand): JsonValue {
  if (left.kind !== right.kind) throw mismatch(name);
  if (left.kind === 'scalar') return left.value + (right.value as number);
  if (left.kind === 'quantity') return addQuantities(left.value, right.value as Quantity, 1n);
  return formatGoDuration(int64(left.value + (right.value as bigint)));
}

function subtract(left: Operand, right: Operand): JsonValue {
  if (left.kind !== right.kind) throw mismatch('subtract');
  if (left.kind === 'scalar') return left.value - (right.value as number);
  if (left.kind === 'quantity') return addQuantities(left.value, right.value as Quantity, -1n);
  return formatGoDuration(int64(left.value - (right.value as bigint)));
}

function multiply(left: Operand, right: Operand): JsonValue {
  if (left.kind === 'scalar' && right.kind !== 'scalar') return multiply(right, left);
  if (right.kind !== 'scalar') throw mismatch('multiply');
  if (left.kind === 'scalar') return left.value * right.value;
  if (left.kind === 'quantity') {
    const factor = scalarQuantity('multiply', right.value);
    return formatQuantity(quantityOf(signed(left.value) * signed(factor), left.value.exponent + factor.exponent, left.value.format));
  }
  return formatGoDuration(durationFromFloat(durationSeconds(left.value) * right.value * 1e9));
}

/** inf.Dec QuoRound(a, b, scale, RoundDown): the quotient truncated toward zero at `scale` decimal places. */
function quotient(dividend: Quantity, divisor: Quantity, scale: number): { value: bigint; exponent: number } {
  // a·10^ea / (b·10^eb) = (a/b)·10^(ea-eb); scaled to 10^-scale: a·10^(ea-eb+scale) / b.
  const shift = dividend.exponent - divisor.exponent + scale;
  const numerator = shift >= 0 ? signed(dividend) * 10n ** BigInt(shift) : signed(dividend);
  const denominator = shift >= 0 ? signed(divisor) : signed(divisor) * 10n ** BigInt(-shift);
  return { value: numerator / denominator, exponent: -scale };
}

function divide(left: Operand, right: Operand): JsonValue {
  if (left.kind === 'scalar') {
    if (right.kind !== 'scalar') throw mismatch('divide');
    if (right.value === 0) throw zeroDivision('divide');
    return left.value / right.value;
  }
  if (left.kind === 'quantity') {
    if (right.kind === 'quantity') {
      const divisor = approximateFloat(right.value);
      if (divisor === 0) throw zeroDivision('divide');
      return approximateFloat(left.value) / divisor;
    }
    if (right.kind !== 'scalar') throw mismatch('divide');
    if (right.value === 0) throw zeroDivision('divide');
    const divisor = scalarQuantity('divide', right.value);
    const result = quotient(left.value, divisor, Math.max(-left.value.exponent, -divisor.exponent));
    return formatQuantity(quantityOf(result.value, result.exponent, left.value.format));
  }
  if (right.kind === 'duration') {
    if (durationSeconds(right.value) === 0) throw zeroDivision('divide');
    return durationSeconds(left.value) / durationSeconds(right.value);
  }
  if (right.kind !== 'scalar') throw mismatch('divide');
  if (right.value === 0) throw zeroDivision('divide');
  return formatGoDuration(durationFromFloat((durationSeconds(left.value) / right.value) * 1e9));
}

/** Go's int64(f) and whether it is exact. */
function wholeNumber(value: number): bigint | undefined {
  const converted = durationFromFloat(value);
  return Number(converted) === value ? converted : undefined;
}

function modulo(left: Operand, right: Operand): JsonValue {
  if (left.kind !== right.kind) throw mismatch('modulo');
  if (left.kind === 'duration') {
    if (right.value === 0n) throw zeroDivision('modulo');
    return formatGoDuration(left.value % (right.value as bigint));
  }
  const [a, b] = left.kind === 'scalar' ? [left.value, right.value as number] : [approximateFloat(left.value), approximateFloat(right.value as Quantity)];
  const dividend = wholeNumber(a);
  const divisor = wholeNumber(b);
  if (dividend === undefined || divisor === undefined) throw functionError('modulo', 'Non-integer argument(s) passed for modulo');
  if (divisor === 0n) throw zeroDivision('modulo');
  const rest = dividend % divisor;
  if (left.kind === 'scalar') return Number(rest);
  return formatQuantity(quantityOf(rest, 0, left.value.format));
}

/** math.Round: half away from zero. */
function round(value: number, places: number): number {
  if (!Number.isInteger(places)) throw functionError('round', 'Non-integer argument(s) passed for round off');
  // Kyverno formats this message without its arguments; Go prints the gaps as %!d(MISSING).
  if (places < 0) throw functionError('round', '%!d(MISSING) argument is out of bounds (%!d(MISSING))');
  const shift = 10 ** places;
  const scaled = value * shift;
  return (Math.sign(scaled) * Math.round(Math.abs(scaled))) / shift;
}

function sum(items: JsonValue[]): JsonValue {
  if (items.length === 0) throw functionError('sum', 'at least one element in the array is required');
  let result = items[0] as JsonValue;
  for (const item of items.slice(1)) result = add('sum', operand('sum', result), operand('sum', item));
  return result;
}

const pairOf = (name: string, [a, b]: unknown[]): [Operand, Operand] => [operand(name, a), operand(name, b)];

export const ARITHMETIC_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['add', { arguments: [['any'], ['any']], handler: (args) => add('add', ...pairOf('add', args)) }],
  ['sum', { arguments: [['array']], handler: ([items]) => sum(items as JsonValue[]) }],
  ['subtract', { arguments: [['any'], ['any']], handler: (args) => subtract(...pairOf('subtract', args)) }],
  ['multiply', { arguments: [['any'], ['any']], handler: (args) => multiply(...pairOf('multiply', args)) }],
  ['divide', { arguments: [['any'], ['any']], handler: (args) => divide(...pairOf('divide', args)) }],
  ['modulo', { arguments: [['any'], ['any']], handler: (args) => modulo(...pairOf('modulo', args)) }],
  ['round', { arguments: [['number'], ['number']], handler: ([value, places]) => round(value as number, places as number) }],
]);
