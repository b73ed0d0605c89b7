// Kyverno's {any, all} semantics, substitution and messages (pkg/engine/variables evaluate_test.go and vars_test.go cases).
import { describe, expect, test } from 'vitest';
import { ConditionsError, evaluateConditions, parseConditions, type AnyAllConditions } from '../../src/conditions/index.js';

const context = {
  sbom: { licenses: ['MIT', 'Apache-2.0'], version: '3.17', count: 3 },
  creationInfo: { licenseListVersion: '3.17' },
  items: [{ name: 'a' }, { name: 'b' }],
  empty: '',
};

const cond = (key: unknown, operator: string, value: unknown, message?: string) => ({ key, operator, value, ...(message === undefined ? {} : { message }) });

describe('blocks', () => {
  test.each<{ name: string; conditions: AnyAllConditions | AnyAllConditions[]; passed: boolean; messages: string[] }>([
    { name: 'seed 000: all passes, any: [] is false', conditions: { all: [cond('{{creationInfo.licenseListVersion}}', 'Equals', '3.17', 'invalid license version')], any: [] }, passed: false, messages: [] },
    { name: 'all passes, any absent', conditions: { all: [cond('{{creationInfo.licenseListVersion}}', 'Equals', '3.17', 'ok version')] }, passed: true, messages: ['ok version'] },
    { name: 'all stops at the first false', conditions: { all: [cond('a', 'Equals', 'b', 'first'), cond('a', 'Equals', 'b', 'second')] }, passed: false, messages: ['first'] },
    { name: 'any stops at the first true', conditions: { any: [cond('a', 'Equals', 'b', 'no'), cond('a', 'Equals', 'a', 'yes'), cond('a', 'Equals', 'a', 'not reached')] }, passed: true, messages: ['yes'] },
    { name: 'any all false: every message', conditions: { any: [cond('a', 'Equals', 'b', 'one'), cond('a', 'Equals', 'c', 'two')] }, passed: false, messages: ['one', 'two'] },
    { name: 'empty messages are left out', conditions: { any: [cond('a', 'Equals', 'b'), cond('a', 'Equals', 'c', 'two')] }, passed: false, messages: ['two'] },
    { name: 'a list of blocks is ANDed', conditions: [{ all: [cond(1, 'Equals', 1, 'first')] }, { all: [cond(1, 'Equals', 2, 'second')] }], passed: false, messages: ['second'] },
    { name: 'a passing list keeps every block’s messages', conditions: [{ all: [cond(1, 'Equals', 1, 'first')] }, { all: [cond(2, 'Equals', 2, 'second')] }], passed: true, messages: ['first', 'second'] },
    { name: 'an empty block passes', conditions: {}, passed: true, messages: [] },
  ])('$name', ({ conditions, passed, messages }) => {
    expect(evaluateConditions(conditions, context)).toEqual({ passed, messages });
  });
});

describe('substitution', () => {
  test.each([
    { name: 'a whole-string variable is typed (number)', key: '{{sbom.count}}', operator: 'Equals', value: 3, passed: true },
    { name: 'a whole-string variable is typed (array)', key: '{{sbom.licenses}}', operator: 'AnyIn', value: ['MIT'], passed: true },
    { name: 'an embedded variable is stringified', key: 'v{{sbom.count}}', operator: 'Equals', value: 'v3', passed: true },
    { name: 'an embedded array is JSON', key: 'l={{sbom.licenses}}', operator: 'Equals', value: 'l=["MIT","Apache-2.0"]', passed: true },
    { name: 'spaces inside the braces are trimmed', key: '{{ sbom.version }}', operator: 'Equals', value: '3.17', passed: true },
    { name: 'variables in values too', key: '3.17', operator: 'Equals', value: '{{sbom.version}}', passed: true },
    { name: '\\{{ is an escape, unescaped afterwards', key: '\\{{ sbom.version }}', operator: 'Equals', value: '{{ sbom.version }}', passed: false },
    { name: 'the escaped form reads as braces', key: '\\{{x}}', operator: 'Equals', value: '\\{{x}}', passed: true },
    { name: 'a projection over the document', key: '{{ items[].name }}', operator: 'AllIn', value: ['a', 'b'], passed: true },
  ])('$name', ({ key, operator, value, passed }) => {
    expect(evaluateConditions({ all: [cond(key, operator, value)] }, context).passed).toBe(passed);
  });

  test('a missing top-level key is an error, not false', () => {
    const run = () => evaluateConditions({ all: [cond('{{x}}', 'Equals', 'a')] }, context);
    expect(run).toThrow(ConditionsError);
    expect(run).toThrow('failed to substitute variables in condition key: Unknown key "x" in path');
    try {
      run();
    } catch (err) {
      expect((err as ConditionsError).code).toBe('JMESPATH_NOT_FOUND');
    }
  });

  test('a missing nested key is an error too (Kyverno’s go-jmespath fork)', () => {
    expect(() => evaluateConditions({ all: [cond('{{sbom.nope}}', 'Equals', 'a')] }, context)).toThrow('Unknown key "nope" in path');
  });
});

describe('parseConditions', () => {
  test.each([
    { name: 'unknown operator', input: { all: [{ key: 1, operator: 'Equls', value: 1 }] }, message: 'conditions.all[0]: unknown operator "Equls"' },
    { name: 'unknown block field', input: { alll: [] }, message: 'conditions: unknown field "alll" (expected any, all)' },
    { name: 'unknown condition field', input: [{ any: [{ key: 1, operator: 'Equals', vaule: 1 }] }], message: 'conditions[0].any[0]: unknown field "vaule"' },
    { name: 'not a list', input: { all: { key: 1 } }, message: 'conditions.all: must be a list of conditions' },
    { name: 'no operator', input: { all: [{ key: 1 }] }, message: 'conditions.all[0]: the condition has no operator' },
  ])('$name', ({ input, message }) => {
    expect(() => parseConditions(input)).toThrow(message);
  });

  test('operators match case-insensitively, as Kyverno matches them', () => {
    expect(evaluateConditions({ all: [cond('a', 'equals', 'a')] }, {}).passed).toBe(true);
  });
});
