// The functions of the original JMESPath specification, with go-jmespath's behaviour where it differs from JMESPath Community's.
import { goJsonValue, goParseFloat } from '../../../common/index.js';
import { functionError } from '../errors.js';
import type { ExpressionRef } from '../interpreter.js';
import { mergeObjects, typeName, type JsonObject, type JsonValue } from '../value.js';
import type { FunctionContext, FunctionEntry } from './table.js';

const num = (value: unknown) => value as number;
const str = (value: unknown) => value as string;
const arr = (value: unknown) => value as JsonValue[];
const obj = (value: unknown) => value as JsonObject;

/** Best item of a number or string array by `better`; null for []. */
function best(items: JsonValue[], better: (candidate: number | string, current: number | string) => boolean): JsonValue {
  let result: number | string | null = null;
  for (const item of items as (number | string)[]) if (result === null || better(item, result)) result = item;
  return result;
}

/** max_by/min_by: go-jmespath decides number or string by the first key, and fails on a later key of another type. */
function bestBy(name: string, items: JsonValue[], ref: ExpressionRef, context: FunctionContext, better: (a: number | string, b: number | string) => boolean): JsonValue {
  if (items.length === 0) return null;
  if (items.length === 1) return items[0] as JsonValue;
  const first = context.apply(ref, items[0] as JsonValue);
  const kind = typeof first;
  if (kind !== 'number' && kind !== 'string') throw functionError(name, 'invalid type, must be number of string');
  let bestKey = first as number | string;
  let bestItem = items[0] as JsonValue;
  for (const item of items.slice(1)) {
    const key = context.apply(ref, item);
    if (typeof key !== kind) throw functionError(name, `invalid type, must be ${kind}`);
    if (better(key as number | string, bestKey)) {
      bestKey = key as number | string;
      bestItem = item;
    }
  }
  return bestItem;
}

function sortBy(items: JsonValue[], ref: ExpressionRef, context: FunctionContext): JsonValue {
  if (items.length <= 1) return items;
  const keys = items.map((item) => context.apply(ref, item));
  const kind = typeof keys[0];
  if (kind !== 'number' && kind !== 'string') throw functionError('sort_by', 'invalid type, must be number of string');
  if (keys.some((key) => typeof key !== kind)) throw functionError('sort_by', 'error in sort_by comparison');
  const order = items.map((_, index) => index);
  order.sort((a, b) => {
    const left = keys[a] as number | string;
    const right = keys[b] as number | string;
    return left < right ? -1 : right < left ? 1 : a - b;
  });
  return order.map((index) => items[index] as JsonValue);
}

export const BUILTIN_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['abs', { arguments: [['number']], handler: ([n]) => Math.abs(num(n)) }],
  ['avg', { arguments: [['array[number]']], handler: ([a]) => arr(a).reduce<number>((sum, n) => sum + num(n), 0) / arr(a).length }],
  ['ceil', { arguments: [['number']], handler: ([n]) => Math.ceil(num(n)) }],
  [
    'contains',
    {
      arguments: [['array', 'string'], ['any']],
      handler: ([subject, search]) => {
        if (typeof subject === 'string') return typeof search === 'string' && subject.includes(search);
        // Go compares the interface values with ==: scalars by value; arrays and objects never match.
        return arr(subject).some((item) => item === search && (item === null || typeof item !== 'object'));
      },
    },
  ],
  ['ends_with', { arguments: [['string'], ['string']], handler: ([s, suffix]) => str(s).endsWith(str(suffix)) }],
  ['floor', { arguments: [['number']], handler: ([n]) => Math.floor(num(n)) }],
  ['join', { arguments: [['string'], ['array[string]']], handler: ([sep, items]) => arr(items).join(str(sep)) }],
  ['keys', { arguments: [['object']], handler: ([o]) => Object.keys(obj(o)) }],
  ['length', { arguments: [['string', 'array', 'object']], handler: ([v]) => (typeof v === 'string' ? [...v].length : Array.isArray(v) ? v.length : Object.keys(obj(v)).length) }],
  ['map', { arguments: [['expref'], ['array']], handler: ([ref, items], context) => arr(items).map((item) => context.apply(ref as ExpressionRef, item)) }],
  ['max', { arguments: [['array[number]', 'array[string]']], handler: ([a]) => best(arr(a), (x, y) => x > y) }],
  ['max_by', { arguments: [['array'], ['expref']], handler: ([a, ref], context) => bestBy('max_by', arr(a), ref as ExpressionRef, context, (x, y) => x > y) }],
  ['merge', { arguments: [['object']], variadic: true, handler: (objects) => mergeObjects(objects.map(obj)) }],
  ['min', { arguments: [['array[number]', 'array[string]']], handler: ([a]) => best(arr(a), (x, y) => x < y) }],
  ['min_by', { arguments: [['array'], ['expref']], handler: ([a, ref], context) => bestBy('min_by', arr(a), ref as ExpressionRef, context, (x, y) => x < y) }],
  ['not_null', { arguments: [['any']], variadic: true, handler: (args) => (args.find((arg) => arg !== null) ?? null) as JsonValue }],
  ['reverse', { arguments: [['array', 'string']], handler: ([v]) => (typeof v === 'string' ? [...v].reverse().join('') : [...arr(v)].reverse()) }],
  ['sort', { arguments: [['array[number]', 'array[string]']], handler: ([a]) => [...(arr(a) as (number | string)[])].sort((x, y) => (x < y ? -1 : y < x ? 1 : 0)) }],
  ['sort_by', { arguments: [['array'], ['expref']], handler: ([a, ref], context) => sortBy(arr(a), ref as ExpressionRef, context) }],
  ['starts_with', { arguments: [['string'], ['string']], handler: ([s, prefix]) => str(s).startsWith(str(prefix)) }],
  ['sum', { arguments: [['array[number]']], handler: ([a]) => arr(a).reduce<number>((sum, n) => sum + num(n), 0) }],
  ['to_array', { arguments: [['any']], handler: ([v]) => (Array.isArray(v) ? v : [v as JsonValue]) }],
  ['to_number', { arguments: [['any']], handler: ([v]) => (typeof v === 'number' ? v : typeof v === 'string' ? (goParseFloat(v) ?? null) : null) }],
  ['to_string', { arguments: [['any']], handler: ([v]) => (typeof v === 'string' ? v : goJsonValue(v)) }],
  ['type', { arguments: [['any']], handler: ([v]) => typeName(v) }],
  ['values', { arguments: [['object']], handler: ([o]) => Object.values(obj(o)) }],
]);
