// Kyverno's substitution tests (pkg/engine/variables/vars_test.go: Test_Substitute*), same patterns and documents, through substituteVariables.
import { describe, expect, test } from 'vitest';
import { substituteVariables } from '../../src/conditions/substitute.js';

/** vars_test.go's resourceRaw and variableObject, as Kyverno's context holds them (under request.object). */
const resource = { request: { object: { metadata: { name: 'temp', namespace: 'n1', annotations: { test: 'name' } }, spec: { namespace: 'n1', name: 'temp1' } } } };
const variables = {
  request: {
    object: {
      complex_object_array: ['value1', 'value2', 'value3'],
      complex_object_map: { key1: 'value1', key2: 'value2', key3: 'value3' },
      simple_object_bool: false,
      simple_object_int: 5,
      simple_object_float: -5.5,
      simple_object_string: 'example',
      simple_object_null: null,
    },
  },
};
const shallow = { variableWithVariables: '{{ DO_NOT_SUBSTITUTE_ME {{OR_ME}} }}', foo: 'bar', foo2: 'bar2', variablesNested: '{{foo2}}' };

describe('Test_Substitute*', () => {
  test.each([
    { name: 'Success: quotes around a variable make it embedded', pattern: '"{{request.object.metadata.annotations.test}}"', context: resource, expected: '"name"' },
    { name: 'Recursive: the inner variable first, then the one it spells', pattern: '"{{request.object.metadata.{{request.object.metadata.annotations.test}}}}"', context: resource, expected: '"temp"' },
    { name: 'Null', pattern: '{{ request.object.simple_object_null }}', context: variables, expected: null },
    { name: 'NullInString', pattern: 'content = {{ request.object.simple_object_null }}', context: variables, expected: 'content = null' },
    { name: 'Array', pattern: '{{ request.object.complex_object_array }}', context: variables, expected: ['value1', 'value2', 'value3'] },
    { name: 'ArrayInString', pattern: 'content is {{ request.object.complex_object_map }}', context: variables, expected: 'content is {"key1":"value1","key2":"value2","key3":"value3"}' },
    { name: 'Int', pattern: '{{ request.object.simple_object_int }}', context: variables, expected: 5 },
    { name: 'IntInString', pattern: 'content = {{ request.object.simple_object_int }}', context: variables, expected: 'content = 5' },
    { name: 'Bool', pattern: '{{ request.object.simple_object_bool }}', context: variables, expected: false },
    { name: 'BoolInString', pattern: 'content = {{ request.object.simple_object_bool }}', context: variables, expected: 'content = false' },
    { name: 'String', pattern: '{{ request.object.simple_object_string }}', context: variables, expected: 'example' },
    { name: 'StringInString', pattern: 'content = {{ request.object.simple_object_string }}', context: variables, expected: 'content = example' },
    { name: 'Shallow first', pattern: '"{{- variableWithVariables }} {{foo}} {{variablesNested}}"', context: shallow, expected: '"{{ DO_NOT_SUBSTITUTE_ME {{OR_ME}} }} bar bar2"' },
    { name: 'Shallow in the middle', pattern: '"{{foo}} {{- variableWithVariables }} {{variablesNested}}"', context: shallow, expected: '"bar {{ DO_NOT_SUBSTITUTE_ME {{OR_ME}} }} bar2"' },
  ])('$name', ({ pattern, context, expected }) => {
    expect(substituteVariables(pattern, context)).toEqual(expected);
  });

  test.each([
    { name: 'RecursiveErrors: the spelled key is missing', pattern: '"{{request.object.metadata.{{request.object.metadata.annotations.test2}}}}"', context: resource, code: 'JMESPATH_NOT_FOUND' },
    { name: 'RecursiveErrors: the outer path is missing', pattern: '"{{request.object.metadata2.{{request.object.metadata.annotations.test}}}}"', context: resource, code: 'JMESPATH_NOT_FOUND' },
    // Kyverno: "failed to resolve variableWithVariables bar bar2": the inner values make an expression that does not parse.
    { name: 'Shallow around variables', pattern: '"{{- variableWithVariables {{foo}} {{variablesNested}} }}"', context: shallow, code: 'JMESPATH_INVALID' },
  ])('$name is an error ($code)', ({ pattern, context, code }) => {
    expect(() => substituteVariables(pattern, context)).toThrow(expect.objectContaining({ code }));
  });
});
