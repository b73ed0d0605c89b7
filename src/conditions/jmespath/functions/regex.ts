// Kyverno's regular-expression functions, with Go's RE2 syntax and linear-time matching (re2js), so a pattern from a policy cannot stall evaluation.
import { RE2JS, RE2JSException } from 're2js';
import { functionError } from '../errors.js';
import { kyvernoString } from './strings.js';
import type { FunctionEntry } from './table.js';

function compile(name: string, pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    if (err instanceof RE2JSException) throw functionError(name, err.message, err);
    throw err;
  }
}

function text(name: string, position: number, value: unknown): string {
  const result = kyvernoString(value);
  if (result === undefined) throw functionError(name, `argument #${position} is not of type String or Real`);
  return result;
}

/** Go's Regexp.Expand of a template: `$name`, `${name}`, `$1`, `$$`; an unknown group is empty, a malformed `$` is literal. */
function expand(template: string, groups: readonly (string | null | undefined)[], named: Readonly<Record<string, number>>): string {
  return template.replace(/\$(?:\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const index = /^[0-9]+$/.test(name) ? Number(name) : named[name];
    return index === undefined ? '' : (groups[index] ?? '');
  });
}

function replaceAll(name: string, [pattern, source, replacement]: unknown[], literal: boolean): string {
  const regex = compile(name, pattern as string);
  const input = text(name, 2, source);
  const template = text(name, 3, replacement);
  const count = regex.groupCount();
  const named = regex.namedGroups();
  return regex.matcher(input).replaceAll((...args: unknown[]) => (literal ? template : expand(template, args.slice(0, count + 1) as (string | null)[], named)));
}

export const REGEX_FUNCTIONS: ReadonlyMap<string, FunctionEntry> = new Map<string, FunctionEntry>([
  ['regex_replace_all', { arguments: [['string'], ['string', 'number'], ['string', 'number']], handler: (args) => replaceAll('regex_replace_all', args, false) }],
  ['regex_replace_all_literal', { arguments: [['string'], ['string', 'number'], ['string', 'number']], handler: (args) => replaceAll('regex_replace_all_literal', args, true) }],
  ['regex_match', { arguments: [['string'], ['string', 'number']], handler: ([pattern, source]) => compile('regex_match', pattern as string).matcher(text('regex_match', 2, source)).find() }],
]);
