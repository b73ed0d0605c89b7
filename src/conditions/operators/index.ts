// Kyverno's condition operators (pkg/engine/variables/operator): each one's coercions in Kyverno's order and its answer for mismatched types.
import { goParseDuration, goParseFloat } from '../../common/index.js';
import { ConditionsError } from '../errors.js';
import { deepEqual, isObject } from '../jmespath/index.js';
import { durationSeconds, parseDurationPair, sprint } from './go-values.js';
import { compare, parseQuantity } from './quantity.js';
import { patternOperator, validatePattern } from './range.js';
import { compareVersions, parseVersion } from './semver.js';
import { wildcardMatch } from '../../common/index.js';

/** Kyverno's ConditionOperators, in its spelling; matched case-insensitively. */
export const OPERATORS = [
  'Equal',
  'Equals',
  'NotEqual',
  'NotEquals',
  'In',
  'AnyIn',
  'AllIn',
  'NotIn',
  'AnyNotIn',
  'AllNotIn',
  'GreaterThanOrEquals',
  'GreaterThan',
  'LessThanOrEquals',
  'LessThan',
  'DurationGreaterThanOrEquals',
  'DurationGreaterThan',
  'DurationLessThanOrEquals',
  'DurationLessThan',
] as const;

type Order = (order: number) => boolean;

const ORDERS: Readonly<Record<string, Order>> = {
  greaterthanorequals: (order) => order >= 0,
  greaterthan: (order) => order > 0,
  lessthanorequals: (order) => order <= 0,
  lessthan: (order) => order < 0,
};

const orderOf = (left: number | bigint, right: number | bigint) => (left > right ? 1 : left < right ? -1 : left === right ? 0 : NaN);

// ---- Equals / NotEquals ----------------------------------------------------------------------

/** EqualHandler.Evaluate; `mismatch` is the answer for values of types it cannot compare (false for Equals, true for NotEquals). */
function equals(key: unknown, value: unknown, mismatch: boolean): boolean {
  const same = (result: boolean) => (mismatch ? !result : result);
  if (typeof key === 'boolean') return typeof value === 'boolean' ? same(key === value) : mismatch;
  if (typeof key === 'number') {
    if (typeof value === 'number') return same(key === value);
    if (typeof value === 'string') {
      const parsed = goParseFloat(value);
      return parsed === undefined ? mismatch : same(parsed === key);
    }
    return mismatch;
  }
  if (typeof key === 'string') {
    const durations = parseDurationPair(key, value);
    if (durations !== undefined) return same(durationSeconds(durations[0]) === durationSeconds(durations[1]));
    const keyQuantity = parseQuantity(key);
    if (keyQuantity !== undefined && typeof value === 'string' && !(mismatch && value === '')) {
      const valueQuantity = parseQuantity(value);
      return valueQuantity === undefined ? mismatch : same(compare(keyQuantity, valueQuantity) === 0);
    }
    return typeof value === 'string' ? same(wildcardMatch(value, key)) : mismatch;
  }
  if (Array.isArray(key)) return Array.isArray(value) ? same(deepEqual(key, value)) : mismatch;
  if (isObject(key)) return isObject(value) ? same(deepEqual(key, value)) : mismatch;
  // null and anything else: "Unsupported type", false for both operators.
  return false;
}

// ---- the *In family ------------------------------------------------------------------------

/** A JSON array of strings in a string value; undefined when the string is not valid JSON of that shape. */
function jsonStringArray(text: string): string[] | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null) return [];
    // encoding/json leaves a string element "" for a JSON null.
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string' || item === null)) return parsed.map((item: string | null) => item ?? '');
  } catch {
    return undefined;
  }
  return undefined;
}

const either = (a: string, b: string) => wildcardMatch(a, b) || wildcardMatch(b, a);

/** The key as the *In operators see it: scalars as fmt.Sprint strings, arrays as string sets; undefined for unsupported types. */
function keyStrings(key: unknown, strict: boolean): string | string[] | undefined {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean') return sprint(key);
  if (Array.isArray(key)) {
    // The deprecated In/NotIn assert string elements (a Go panic otherwise); we refuse such a key as a type mismatch.
    if (strict && key.some((item) => typeof item !== 'string')) return undefined;
    return key.map(sprint);
  }
  return undefined;
}

/** keyExistsInArray (In/NotIn): undefined for an invalid value type. */
function keyInValue(key: string, value: unknown): boolean | undefined {
  if (Array.isArray(value)) return value.some((item) => either(sprint(item), key));
  if (typeof value !== 'string') return undefined;
  if (wildcardMatch(value, key)) return true;
  const list = jsonStringArray(value);
  return list === undefined ? undefined : list.includes(key);
}

/** setExistsInArray (In/NotIn with an array key): undefined for an invalid value type. */
function setInValue(keys: string[], value: unknown, notIn: boolean): boolean | undefined {
  let list: string[] | undefined;
  if (Array.isArray(value)) {
    if (value.some((item) => typeof item !== 'string')) return undefined;
    list = value as string[];
  } else if (typeof value === 'string') {
    if (keys.length === 1 && keys[0] === value) return true;
    list = jsonStringArray(value);
  }
  if (list === undefined) return undefined;
  const set = new Set(list);
  return notIn ? keys.some((key) => !set.has(key)) : keys.every((key) => set.has(key));
}

/** The value as a list for AnyIn/AllIn and their negations: an array, a range string, a JSON array string or one string. */
type ValueList = { kind: 'list'; items: string[] } | { kind: 'range'; range: string };

function valueList(value: unknown, allowScalars: boolean): ValueList | undefined {
  if (Array.isArray(value)) return { kind: 'list', items: value.map(sprint) };
  if (allowScalars && (typeof value === 'number' || typeof value === 'boolean')) return { kind: 'list', items: [sprint(value)] };
  if (typeof value !== 'string') return undefined;
  if (patternOperator(value) === '-') return { kind: 'range', range: value };
  if (!isValidJson(value)) return { kind: 'list', items: [value] };
  const list = jsonStringArray(value);
  return list === undefined ? undefined : { kind: 'list', items: list };
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** anyKeyExistsInArray / allKeyExistsInArray (identical for a single key): undefined for an invalid value type. */
function singleKeyIn(key: string, value: unknown): boolean | undefined {
  if (Array.isArray(value)) return value.some((item) => either(sprint(item), key));
  if (typeof value !== 'string') return undefined;
  if (wildcardMatch(value, key)) return true;
  const list = valueList(value, false);
  if (list === undefined) return undefined;
  if (list.kind === 'range') return validatePattern(key, list.range);
  return list.items.includes(key);
}

type SetMode = 'anyIn' | 'anyNotIn' | 'allIn' | 'allNotIn';

/** anySetExistsInArray / allSetExistsInArray: undefined for an invalid value type. */
function setIn(keys: string[], value: unknown, mode: SetMode): boolean | undefined {
  if (typeof value === 'string' && keys.length === 1 && keys[0] === value) return mode === 'anyIn' || mode === 'allIn';
  const list = valueList(value, mode === 'anyIn' || mode === 'anyNotIn');
  if (list === undefined) return undefined;
  if (list.kind === 'range') {
    const range = list.range;
    switch (mode) {
      case 'anyIn':
        return keys.some((key) => validatePattern(key, range));
      case 'anyNotIn':
        return keys.some((key) => validatePattern(key, range.replace('-', '!-')));
      case 'allIn':
        return keys.every((key) => validatePattern(key, range));
      case 'allNotIn':
        return !keys.some((key) => validatePattern(key, range));
    }
  }
  const found = (key: string) => list.items.some((item) => either(key, item));
  switch (mode) {
    case 'anyIn':
      return keys.some(found);
    case 'anyNotIn':
      return keys.some((key) => !found(key));
    case 'allIn':
      return keys.every(found);
    case 'allNotIn':
      return !keys.some(found);
  }
}

function inFamily(operator: string, key: unknown, value: unknown): boolean {
  const deprecated = operator === 'in' || operator === 'notin';
  const keys = keyStrings(key, deprecated);
  if (keys === undefined) return false;
  const negated = operator.includes('not');
  if (typeof keys === 'string') {
    const found = deprecated ? keyInValue(keys, value) : singleKeyIn(keys, value);
    return found === undefined ? false : found !== negated;
  }
  if (deprecated) return setInValue(keys, value, negated) ?? false;
  const mode: SetMode = operator === 'anyin' ? 'anyIn' : operator === 'anynotin' ? 'anyNotIn' : operator === 'allin' ? 'allIn' : 'allNotIn';
  return setIn(keys, value, mode) ?? false;
}

// ---- GreaterThan, LessThan and their OrEquals ------------------------------------------------

/** NumericOperatorHandler for a number key. */
function numericNumberKey(key: number, value: unknown, order: Order): boolean {
  if (typeof value === 'number') return order(orderOf(key, value));
  if (typeof value !== 'string') return false;
  const durations = parseDurationPair(key, value);
  if (durations !== undefined) return order(orderOf(durationSeconds(durations[0]), durationSeconds(durations[1])));
  const parsed = goParseFloat(value);
  return parsed === undefined ? false : order(orderOf(key, parsed));
}

function numeric(key: unknown, value: unknown, order: Order): boolean {
  if (typeof key === 'number') return numericNumberKey(key, value, order);
  if (typeof key !== 'string') return false;
  const durations = parseDurationPair(key, value);
  if (durations !== undefined) return order(orderOf(durationSeconds(durations[0]), durationSeconds(durations[1])));
  const keyQuantity = parseQuantity(key);
  const valueQuantity = typeof value === 'string' ? parseQuantity(value) : undefined;
  if (keyQuantity !== undefined && valueQuantity !== undefined) return order(compare(keyQuantity, valueQuantity));
  const keyNumber = goParseFloat(key);
  if (keyNumber !== undefined) return numericNumberKey(keyNumber, value, order);
  const keyVersion = parseVersion(key);
  if (keyVersion === undefined || typeof value !== 'string') return false;
  const valueVersion = parseVersion(value);
  return valueVersion === undefined ? false : order(compareVersions(keyVersion, valueVersion));
}

/** The deprecated Duration* operators: both sides as durations (numbers are seconds), Go's integer comparison. */
function duration(key: unknown, value: unknown, order: Order): boolean {
  const asDuration = (side: unknown): bigint | undefined => {
    if (typeof side === 'string') return goParseDuration(side);
    if (typeof side === 'number') return parseDurationPair('1s', side)?.[1];
    return undefined;
  };
  if (typeof key !== 'string' && typeof key !== 'number') return false;
  const left = asDuration(key);
  const right = asDuration(value);
  return left === undefined || right === undefined ? false : order(orderOf(left, right));
}

/** Kyverno's operator handler for `operator` applied to a substituted key and value; CONDITION_INVALID for an unknown operator. */
export function evaluateOperator(operator: string, key: unknown, value: unknown): boolean {
  const name = operator.toLowerCase();
  switch (name) {
    case 'equal':
    case 'equals':
      return equals(key, value, false);
    case 'notequal':
    case 'notequals':
      return equals(key, value, true);
    case 'in':
    case 'anyin':
    case 'allin':
    case 'notin':
    case 'anynotin':
    case 'allnotin':
      return inFamily(name, key, value);
  }
  const numericOrder = ORDERS[name];
  if (numericOrder !== undefined) return numeric(key, value, numericOrder);
  const durationOrder = name.startsWith('duration') ? ORDERS[name.slice('duration'.length)] : undefined;
  if (durationOrder !== undefined) return duration(key, value, durationOrder);
  throw new ConditionsError('CONDITION_INVALID', `unknown condition operator ${JSON.stringify(operator)}; expected one of ${OPERATORS.join(', ')}`);
}
