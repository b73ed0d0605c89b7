// Escaped variables in attestation conditions lose their backslash, as Kyverno leaves an apiCall's data.
import { expect, test } from 'vitest';
import { unescapeVariables } from '../../src/attest/index.js';

test.each([
  { input: '\\{{creationInfo.licenseListVersion}}', expected: '{{creationInfo.licenseListVersion}}' },
  { input: '\\{{ element.components[].licenses[].expression }}', expected: '{{ element.components[].licenses[].expression }}' },
  { input: 'plain {{ a }} and \\{{ b }}', expected: 'plain {{ a }} and {{ b }}' },
  { input: '\\{{ to_string(`{"a":1}`) }}', expected: '{{ to_string(`{"a":1}`) }}' },
  // Kyverno's pattern allows one level of inner braces: deeper ones are not an escaped variable to it.
  { input: '\\{{ {a: {b: c}} }}', expected: '\\{{ {a: {b: c}} }}' },
  { input: '\\{{ a | {b: c} }}', expected: '{{ a | {b: c} }}' },
  { input: '\\{ not a variable }', expected: '\\{ not a variable }' },
  { input: 'C:\\path', expected: 'C:\\path' },
  { input: 3.17, expected: 3.17 },
])('$input', ({ input, expected }) => {
  expect(unescapeVariables(input)).toEqual(expected);
});

test('every string of a conditions document, the input left as it was', () => {
  const conditions = [{ all: [{ key: '\\{{ x }}', operator: 'In', value: ['\\{{ y }}', 1, null], message: 'm' }], any: [] }];
  const before = JSON.stringify(conditions);
  expect(unescapeVariables(conditions)).toEqual([{ all: [{ key: '{{ x }}', operator: 'In', value: ['{{ y }}', 1, null], message: 'm' }], any: [] }]);
  expect(JSON.stringify(conditions)).toBe(before);
});
