// Kyverno's string, encoding, lookup and hashing functions (pkg/engine/jmespath/functions.go), with its argument checks and messages.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { goFormatFloat } from '../../../common/index.js';
import { wildcardMatch } from '../../../common/index.js';
import { functionError } from '../errors.js';
import { deepEqual, isObject, mergeObjects, type JsonObject, type JsonValue } from '../value.js';
import type { FunctionEntry } from './table.js';

const str = (value: unknown) => value as string;
const num = (value: unknown) => value as number;

/** Kyverno's ifaceToString: numbers as strconv.FormatFloat(f, 'f', -1, 32) (float32 precision), booleans as words. */
export function kyvernoString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    const single = Math.fround(value);
    if (!Number.isFinite(single)) return goFormatFloat(single);
    // The shortest decimal that reads back as the same float32, in plain notation.
    for (let digits = 1; digits <= 9; digits++) {
      const candidate = Number(single.toPrecision(digits));
      if (Math.fround(candidate) === single) return plain(candidate);
    }
    return plain(single);
  }
  return undefined;
}

function plain(value: number): string {
  const text = String(value);
  if (!/e/i.test(text)) return text;
  const [mantissa = '', exponentText = '0'] = text.split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const point = (mantissa.replace(/^-/, '').indexOf('.') === -1 ? mantissa.replace(/^-/, '').length : mantissa.replace(/^-/, '').indexOf('.')) + exponent;
  const body = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + body;
}

function stringOrNumber(name: string, position: number, value: unknown): string {
  const text = kyvernoString(value);
  if (text === undefined) throw functionError(name, `argument #${position} is not of type String or Real`);
  return text;
}

/** Go's strings.Replace: the first `count` matches (all when negative); an empty `old` matches before each code point and at the end. */
function goReplace(text: string, old: string, replacement: string, count: number): string {
  const limit = count < 0 ? Infinity : count;
  if (old === '') {
    const chars = Array.from(text);
    let result = '';
    for (let index = 0; index <= chars.length; index++) result += (index < limit ? replacement : '') + (chars[index] ?? '');
    return result;
  }
  let result = '';
  let from = 0;
  for (let done = 0; done < limit; done++) {
    const at = text.indexOf(old, from);
    if (at === -1) break;
    result += text.slice(from, at) + replacement;
    from = at + old.length;
  }
  return result + text.slice(from);
}

/** Go's strings.Trim: drop leading and trailing code points that occur in `cutset`. */
function goTrim(text: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const chars = Array.from(text);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start] as string)) start++;
  while (end > start && cut.has(chars[end - 1] as string)) end--;
  return chars.slice(start, end).join('');
}

/** Go's strings.Split: an empty separator splits into code points (an empty string into nothing). */
function goSplit(text: string, separator: string): string[] {
  if (separator === '') return Array.from(text);
  return text.split(separator);
}

/**
 * Go's strings.ToUpper/ToLower map each code point by its simple case mapping: where JavaScript's
 * full mapping yields several code points (ß → SS, ŉ → ʼN, İ → i̇), Go keeps one (ß, ŉ, i).
 */
function goCase(text: string, upper: boolean): string {
  let result = '';
  for (const char of text) {
    const mapped = upper ? char.toUpperCase() : char.toLowerCase();
    if (Array.from(mapped).length === 1) result += mapped;
    else result += char === '\u0130' ? 'i' : char;
  }
  return result;
}

/** Go's strings.EqualFold, approximated by Unicode simple case folding of both sides. */
function equalFold(left: string, right: string): boolean {
  return left.toLowerCase() === right.toLowerCase() || left.toUpperCase() === right.toUpperCase();
}

/** filepath.Join(path) on Linux: path.Clean, "" stays "". */
function canonicalPath(path: string): string {
  return path === '' ? '' : posix.normalize(path).replace(/(.)\/$/, '$1');
}

/** aquilax/truncate with the cut strategy: the first `length` code points. */
function truncate(text: string, length: number): string {
  const chars = Array.from(text);
  return chars.length <= length ? text : chars.slice(0, length).join('');
}

function base64Decode(text: string): string {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text.replace(/[\r\n]/g, ''))) {
    throw functionError('base64_decode', 'illegal base64 data');
  }
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Kyverno's integer check (intNumber) for lookup indices and round places. */
function integer(value: number): number | undefined {
  return Number.isInteger(value) && Number.isSafeInteger(value) ? value : undefined;
}

function lookup(input: JsonValue, key: JsonValue): JsonValue {
  if (isObject(input)) {
    if (typeof key !== 'string') throw functionError('lookup', 'argument #2 is not of type String');
    return Object.hasOwn(input, key) ? (input[key] as JsonValue) : null;
  }
  const array = input as JsonValue[];
  if (typeof key !== 'number') throw functionError('lookup', 'argument #2 is not of type Number');
  const index = integer(key);
  if (index === undefined) throw functionError('lookup', `argument #2: expected an integer number but got: ${goFormatFloat(key)}`);
  return index < 0 || index > array.length - 1 ? null : (array[index] as JsonValue);
}

function pair(keyName: string, key: JsonValue, valueName: string, value: JsonValue): JsonObject {
  return mergeObjects([Object.fromEntries([[keyName, key]]) as JsonObject, Object.fromEntries([[valueName, value]]) as JsonObject]);
}

function items(input: JsonValue, keyName: string, valueName: string): JsonValue {
  if (isObject(input)) {
    return Object.keys(input)
      .sort()
      .map((key) => pair(keyName, key, valueName, input[key] as JsonValue));
  }
  return (input as JsonValue[]).map((value, index) => pair(keyName, index, valueName, value));
}

function objectFromLists(keys: JsonValue[], values: JsonValue[]): JsonObject {
  const pairs: JsonObject[] = keys.map((key, index) => {
    const name = kyvernoString(key);
    if (name === undefined) throw functionError('object_from_lists', 'argument #1 is not of type StringArray');
    return Object.fromEntries([[name, index < values.length ? (values[index] as JsonValue) : null]]) as JsonObject;
  });
  return mergeObjects(pairs);
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw functionError('parse_json', err instanceof Error ? err.message : String(err), err);
  }
}

function parseYamlDocument(text: string): JsonValue {
  try {
    // sigs.k8s.io/yaml (go-yaml v2): YAML 1.1 scalars (yes/no are booleans), timestamps stay strings, bounded aliases.
    const value: unknown = parseYaml(text, {
      version: '1.1',
      maxAliasCount: 100,
      merge: true,
      customTags: (tags) => tags.filter((tag) => typeof tag === 'string' || !['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:set', 'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs'].includes(tag.tag)),
    });
    return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
  } catch (err) {
    throw functionError('parse_yaml', err instanceof Error ? err.message : String(err), err);
  }
}

function toBoolean(text: string): boolean {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw functionError('to_boolean', `lowercase argument must be 'true' or 'false' (provided: '${text}')`);
}

function hash(algorithm: 'sha256' | 'sha1' | 'md5', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

export const STRING_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['compare', { arguments: [['string'], ['string']], handler: ([a, b]) => (str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0) }],
  ['equal_fold', { arguments: [['string'], ['string']], handler: ([a, b]) => equalFold(str(a), str(b)) }],
  ['replace', { arguments: [['string'], ['string'], ['string'], ['number']], handler: ([s, old, replacement, n]) => goReplace(str(s), str(old), str(replacement), Math.trunc(num(n))) }],
  ['replace_all', { arguments: [['string'], ['string'], ['string']], handler: ([s, old, replacement]) => goReplace(str(s), str(old), str(replacement), -1) }],
  ['to_upper', { arguments: [['string']], handler: ([s]) => goCase(str(s), true) }],
  ['to_lower', { arguments: [['string']], handler: ([s]) => goCase(str(s), false) }],
  ['trim', { arguments: [['string'], ['string']], handler: ([s, cutset]) => goTrim(str(s), str(cutset)) }],
  ['trim_prefix', { arguments: [['string'], ['string']], handler: ([s, prefix]) => (str(s).startsWith(str(prefix)) ? str(s).slice(str(prefix).length) : str(s)) }],
  ['split', { arguments: [['string'], ['string']], handler: ([s, separator]) => goSplit(str(s), str(separator)) }],
  ['pattern_match', { arguments: [['string'], ['string', 'number']], handler: ([pattern, s]) => wildcardMatch(str(pattern), stringOrNumber('pattern_match', 2, s)) }],
  [
    'label_match',
    {
      arguments: [['object'], ['object']],
      handler: ([labels, match]) => Object.entries(labels as JsonObject).every(([key, value]) => Object.hasOwn(match as JsonObject, key) && deepEqual((match as JsonObject)[key], value)),
    },
  ],
  ['to_boolean', { arguments: [['string']], handler: ([s]) => toBoolean(str(s)) }],
  ['base64_decode', { arguments: [['string']], handler: ([s]) => base64Decode(str(s)) }],
  ['base64_encode', { arguments: [['string']], handler: ([s]) => Buffer.from(str(s), 'utf8').toString('base64') }],
  ['path_canonicalize', { arguments: [['string']], handler: ([s]) => canonicalPath(str(s)) }],
  ['truncate', { arguments: [['string'], ['number']], handler: ([s, length]) => truncate(str(s), Math.trunc(Math.max(0, num(length)))) }],
  ['parse_json', { arguments: [['string']], handler: ([s]) => parseJson(str(s)) }],
  ['parse_yaml', { arguments: [['string']], handler: ([s]) => parseYamlDocument(str(s)) }],
  ['lookup', { arguments: [['object', 'array'], ['string', 'number']], handler: ([input, key]) => lookup(input as JsonValue, key as JsonValue) }],
  ['items', { arguments: [['object', 'array'], ['string'], ['string']], handler: ([input, keyName, valueName]) => items(input as JsonValue, str(keyName), str(valueName)) }],
  ['object_from_lists', { arguments: [['array'], ['array']], handler: ([keys, values]) => objectFromLists(keys as JsonValue[], values as JsonValue[]) }],
  ['sha256', { arguments: [['string']], handler: ([s]) => hash('sha256', str(s)) }],
  ['sha1', { arguments: [['string']], handler: ([s]) => hash('sha1', str(s)) }],
  ['md5', { arguments: [['string']], handler: ([s]) => hash('md5', str(s)) }],
]);

