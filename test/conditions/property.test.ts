// Property: whatever the conditions, expressions and documents, evaluation returns an outcome or throws a ConditionsError with a documented code, and never mutates its inputs.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ConditionsError, evaluateConditions, OPERATORS, searchJmesPath, type ConditionsErrorCode } from '../../src/conditions/index.js';

const CODES: readonly ConditionsErrorCode[] = ['CONDITION_INVALID', 'JMESPATH_INVALID', 'JMESPATH_FUNCTION_FAILED', 'JMESPATH_NOT_FOUND', 'CONDITIONS_LIMIT_EXCEEDED'];
const RUNS = { numRuns: 400, seed: 20261203 };

/** Pieces of JMESPath, Kyverno functions and odd characters, so generated expressions reach the interpreter and the functions, not only the parser. */
const TOKEN = fc.constantFrom(
  'a', 'b', 'items', '@', '.', '[', ']', '[]', '[*]', '[?', '==', '!=', '<', '>=', '&&', '||', '!', '|', '(', ')', ',', '{', '}', ':', '*', '`1`', '`"x"`', '`[1,2]`', "'s'", '"q"',
  '&', '$', 'let', '+', '-', '[0]', '[-1]', '[1:2]', '[::-1]',
  'length(', 'to_upper(', 'split(', 'add(', 'divide(', 'modulo(', 'sum(', 'items(', 'lookup(', 'regex_match(', 'regex_replace_all(', 'semver_compare(', 'time_add(', 'time_parse(',
  'parse_json(', 'parse_yaml(', 'base64_decode(', 'to_number(', 'sort_by(', 'max_by(', 'merge(', 'truncate(', 'round(', 'image_normalize(', "'1Ki'", "'1h'", "'(a+)+$'", "'>1.0.0'",
);
const expression = fc.oneof(fc.array(TOKEN, { maxLength: 12 }).map((tokens) => tokens.join('')), fc.string({ maxLength: 20 }));

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom('1h', '30m', '1Ki', '1.5', '1.2.3', '1-10', '["a","b"]', '*', 'a?', '0', ''));
const document = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'b', 'items', 'x', '__proto__', 'constructor'), tie('value'), { maxKeys: 4 })),
})).value;
const side = fc.oneof(document, expression.map((e) => `{{${e}}}`), expression.map((e) => `x-{{ ${e} }}-\\{{${e}}}`));
const condition = fc.record({ key: side, operator: fc.oneof(fc.constantFrom(...OPERATORS), fc.string({ maxLength: 8 })), value: side, message: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }) }, { requiredKeys: ['key', 'operator'] });
const block = fc.record({ any: fc.array(condition, { maxLength: 3 }), all: fc.array(condition, { maxLength: 3 }) }, { requiredKeys: [] });
const conditions = fc.oneof(block, fc.array(block, { maxLength: 3 }), document);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

function documented(err: unknown): boolean {
  return err instanceof ConditionsError && CODES.includes(err.code);
}

describe('evaluation throws only documented errors', () => {
  test('evaluateConditions', () => {
    fc.assert(
      fc.property(conditions, fc.dictionary(fc.constantFrom('a', 'b', 'items', 'x'), document, { maxKeys: 4 }), (input, context) => {
        // Frozen inputs: any write to them throws a TypeError, which the property would report.
        const frozenInput = deepFreeze(structuredClone(input));
        const frozenContext = deepFreeze(structuredClone(context));
        let first: unknown;
        try {
          first = evaluateConditions(frozenInput as never, frozenContext, { now: () => new Date(0) });
        } catch (err) {
          if (!documented(err)) throw err;
          return;
        }
        expect(first).toEqual({ passed: expect.any(Boolean) as boolean, messages: expect.any(Array) as unknown[] });
        // No state carried between evaluations: the same input gives the same outcome.
        expect(evaluateConditions(frozenInput as never, frozenContext, { now: () => new Date(0) })).toEqual(first);
      }),
      RUNS,
    );
  });

  test('searchJmesPath', () => {
    fc.assert(
      fc.property(expression, document, (text, data) => {
        try {
          searchJmesPath(text, deepFreeze(structuredClone(data)), { now: () => new Date(0) });
        } catch (err) {
          if (!documented(err)) throw err;
        }
      }),
      RUNS,
    );
  });
});
