// Validate a conditions document (a block or a list of `{any, all}` blocks) into typed conditions, strictly: an unknown field is an error, not ignored.
import { ConditionsError } from './errors.js';
import { isObject } from './jmespath/index.js';
import { MAX_CONDITIONS } from './limits.js';
import type { AnyAllConditions, Condition } from './model.js';
import { OPERATORS } from './operators/index.js';

const OPERATOR_NAMES: ReadonlySet<string> = new Set(OPERATORS.map((name) => name.toLowerCase()));
const CONDITION_FIELDS: ReadonlySet<string> = new Set(['key', 'operator', 'value', 'message']);

function invalid(where: string, problem: string): ConditionsError {
  return new ConditionsError('CONDITION_INVALID', `${where}: ${problem}`);
}

function parseCondition(input: unknown, where: string): Condition {
  if (!isObject(input)) throw invalid(where, 'a condition must be an object with key, operator and value');
  for (const field of Object.keys(input)) {
    if (!CONDITION_FIELDS.has(field)) throw invalid(where, `unknown field ${JSON.stringify(field)} (expected key, operator, value, message)`);
  }
  const { key, operator, value, message } = input;
  if (!Object.hasOwn(input, 'key')) throw invalid(where, 'the condition has no key');
  if (typeof operator !== 'string') throw invalid(where, 'the condition has no operator');
  if (!OPERATOR_NAMES.has(operator.toLowerCase())) throw invalid(where, `unknown operator ${JSON.stringify(operator)}; expected one of ${OPERATORS.join(', ')}`);
  if (message !== undefined && typeof message !== 'string') throw invalid(where, 'message must be a string');
  return { key, operator, ...(value === undefined ? {} : { value }), ...(message === undefined ? {} : { message }) };
}

function parseList(input: unknown, where: string): Condition[] | undefined {
  if (input === undefined || input === null) return undefined;
  if (!Array.isArray(input)) throw invalid(where, 'must be a list of conditions');
  return input.map((item, index) => parseCondition(item, `${where}[${index}]`));
}

function parseBlock(input: unknown, where: string): AnyAllConditions {
  if (!isObject(input)) throw invalid(where, 'a conditions block must be an object with any and/or all');
  for (const field of Object.keys(input)) {
    if (field !== 'any' && field !== 'all') throw invalid(where, `unknown field ${JSON.stringify(field)} (expected any, all)`);
  }
  const any = parseList(input.any, `${where}.any`);
  const all = parseList(input.all, `${where}.all`);
  return { ...(any === undefined ? {} : { any }), ...(all === undefined ? {} : { all }) };
}

/** The blocks of a conditions document, or CONDITION_INVALID naming the first problem (e.g. `conditions[0].all[1]: unknown operator "Equls"`). */
export function parseConditions(input: unknown): AnyAllConditions[] {
  const blocks = Array.isArray(input) ? input.map((block, index) => parseBlock(block, `conditions[${index}]`)) : [parseBlock(input, 'conditions')];
  const count = blocks.reduce((total, block) => total + (block.any?.length ?? 0) + (block.all?.length ?? 0), 0);
  if (count > MAX_CONDITIONS) throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `more than ${MAX_CONDITIONS} conditions`);
  return blocks;
}
