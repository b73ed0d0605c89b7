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

describe('Kyverno Test_Condition_Messages (pkg/engine/variables/evaluate_test.go)', () => {
  const resource = { request: { object: { metadata: { name: 'temp', namespace: 'n1' }, spec: { foo: 'bar', foo2: 'bar2' } } } };
  const name = (value: string) => cond('{{request.object.metadata.name}}', 'Equal', value, 'invalid name');
  const foo = (value: string, message = 'invalid foo') => cond('{{request.object.spec.foo}}', 'Equal', value, message);

  test.each([
    { step: 'any, both false', conditions: [{ any: [name('temp2'), foo('bar2')] }], passed: false, joined: 'invalid name; invalid foo' },
    { step: 'any, first true', conditions: [{ any: [name('temp'), foo('bar')] }], passed: true, joined: 'invalid name' },
    { step: 'any true, all has a false', conditions: [{ any: [name('temp'), foo('bar')], all: [name('temp'), foo('bar2')] }], passed: false, joined: 'invalid foo' },
    { step: 'any false, all false', conditions: [{ any: [name('temp1'), foo('bar2')], all: [name('temp'), foo('bar2', 'invalid foo2')] }], passed: false, joined: 'invalid name; invalid foo; invalid foo2' },
  ])('$step', ({ conditions, passed, joined }) => {
    const outcome = evaluateConditions(conditions, resource);
    expect({ passed: outcome.passed, joined: outcome.messages.join('; ') }).toEqual({ passed, joined });
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

  test('{{- expr}} substitutes shallowly: a result holding {{…}} is not substituted again', () => {
    const data = { template: 'x{{ sbom.count }}', sbom: { count: 3 } };
    // The value is escaped so that it stays the literal text to compare with.
    expect(evaluateConditions({ all: [cond('a-{{- template }}', 'Equals', 'a-x\\{{ sbom.count }}')] }, data).passed).toBe(true);
    expect(evaluateConditions({ all: [cond('a-{{ template }}', 'Equals', 'a-x3')] }, data).passed).toBe(true);
  });

  test('substitution that never ends is bounded', () => {
    const data = { loop: '{{ loop }}' };
    expect(() => evaluateConditions({ all: [cond('x{{ loop }}', 'Equals', 'x')] }, data)).toThrow(expect.objectContaining({ code: 'CONDITIONS_LIMIT_EXCEEDED' }));
  });

  test('unescapeVariables reads seed 000’s escaped keys as variables; without it they are literals', () => {
    const conditions = { all: [cond('\\{{ creationInfo.licenseListVersion }}', 'Equals', '3.17')] };
    expect(evaluateConditions(conditions, context, { unescapeVariables: true }).passed).toBe(true);
    expect(evaluateConditions(conditions, context).passed).toBe(false);
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

test('a document nested deeper than the stack fails closed with CONDITIONS_LIMIT_EXCEEDED', () => {
  const nest = () => {
    let deep: unknown = 'leaf';
    for (let level = 0; level < 200_000; level++) deep = [deep];
    return deep;
  };
  expect(() => evaluateConditions({ all: [cond('{{ one }}', 'Equals', '{{ other }}')] }, { one: nest(), other: nest() })).toThrow(expect.objectContaining({ code: 'CONDITIONS_LIMIT_EXCEEDED' }));
});
