// Kyverno's variable substitution in condition keys and values: `{{expr}}` alone yields the typed result, embedded ones are stringified, `\{{` escapes.
import { goJsonValue } from '../common/index.js';
import { ConditionsError } from './errors.js';
import { isObject, searchJmesPath, type SearchOptions } from './jmespath/index.js';
import { MAX_DEPTH, MAX_STRING_LENGTH, MAX_SUBSTITUTION_ROUNDS } from './limits.js';

/** Kyverno's RegexVariables: `{{…}}` (one level of inner braces) at the start or after a character other than `\`. */
const VARIABLE = /(^|[^\\])(\{\{(?:\{[^{}]*\}|[^{}])*\}\})/g;

/** What lies between the braces, trimmed; a leading `-` asks for a shallow substitution (its result is not scanned again). */
function variableOf(match: string): { expression: string; shallow: boolean } {
  const inner = match.replaceAll('{{', '').replaceAll('}}', '').trim();
  if (inner.startsWith('-')) return { expression: inner.slice(1).trim(), shallow: true };
  return { expression: inner, shallow: false };
}

function substituteString(text: string, context: unknown, options: SearchOptions): unknown {
  let value = text;
  for (let round = 0; ; round++) {
    const matches = [...value.matchAll(VARIABLE)];
    if (matches.length === 0) break;
    if (round >= MAX_SUBSTITUTION_ROUNDS) {
      throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `more than ${MAX_SUBSTITUTION_ROUNDS} rounds of nested {{…}} substitution in ${JSON.stringify(text.slice(0, 200))}`);
    }
    let shallow = false;
    for (const match of matches) {
      const prefix = match[1] ?? '';
      const variable = match[2] ?? '';
      const parsed = variableOf(variable);
      shallow = parsed.shallow;
      if (parsed.expression === '') throw new ConditionsError('JMESPATH_INVALID', `invalid query (nil) in ${JSON.stringify(variable)}`);
      const result = searchJmesPath(parsed.expression, context, options);
      // The whole string is one variable: its typed result replaces the string.
      if (value === variable) return result;
      let replacement = typeof result === 'string' ? result : goJsonValue(result);
      if (shallow && typeof result === 'string') replacement = replacement.replaceAll('{{', '\\{{');
      const at = value.indexOf(prefix + variable);
      value = value.slice(0, at) + prefix + replacement + value.slice(at + prefix.length + variable.length);
      if (value.length > MAX_STRING_LENGTH) {
        throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `substitution produced a string longer than ${MAX_STRING_LENGTH} characters`);
      }
    }
    if (shallow) break;
  }
  return value.replaceAll('\\{{', '{{');
}

/**
 * Kyverno's SubstituteAllInPreconditions over a condition key or value: every string leaf and
 * object key is substituted; a missing field is an error (JMESPATH_NOT_FOUND), never false.
 */
export function substituteVariables(document: unknown, context: unknown, options: SearchOptions = {}, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `condition nested deeper than ${MAX_DEPTH} levels`);
  if (typeof document === 'string') return substituteString(document, context, options);
  if (Array.isArray(document)) return document.map((item) => substituteVariables(item, context, options, depth + 1));
  if (isObject(document)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(document)) {
      const name = substituteString(key, context, options);
      const property = typeof name === 'string' ? name : goJsonValue(name);
      Object.defineProperty(result, property, { value: substituteVariables(item, context, options, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return document;
}

/**
 * `\{{` → `{{` in every string and key: what Kyverno does to a policy before it calls an extension
 * service, for conditions that reach us still escaped (seed 000 writes `\{{ element… }}` so Kyverno
 * leaves the variable to the service).
 */
export function unescapeVariables(document: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `condition nested deeper than ${MAX_DEPTH} levels`);
  if (typeof document === 'string') return document.replaceAll('\\{{', '{{');
  if (Array.isArray(document)) return document.map((item) => unescapeVariables(item, depth + 1));
  if (isObject(document)) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(document)) {
      Object.defineProperty(result, key.replaceAll('\\{{', '{{'), { value: unescapeVariables(item, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return result;
  }
  return document;
}
