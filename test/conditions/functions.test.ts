// Kyverno's JMESPath function tables (pkg/engine/jmespath arithmetic_test.go, time_test.go, functions_test.go: same expressions, same results) and the dialect's errors.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ConditionsError, searchJmesPath } from '../../src/conditions/index.js';

interface Case {
  expression: string;
  expected?: unknown;
  error?: boolean;
  source: string;
}

const table = JSON.parse(readFileSync(new URL('../fixtures/conditions/kyverno-functions.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Cases Kyverno's own test runs only elsewhere, or of a function left out of the pure engine (README, "Left out"). */
const NOT_HERE: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /^path_canonicalize\('C:/, reason: 'Windows paths: Kyverno runs these cases only on Windows (filepath.Join); the service runs on Linux' },
  { pattern: /^is_external_url\(/, reason: 'is_external_url resolves host names (network I/O); the conditions engine is pure' },
];

const covered = table.cases.filter((c) => !NOT_HERE.some(({ pattern }) => pattern.test(c.expression)));

test('the table is converted whole and only the documented cases are set aside', () => {
  expect({ total: table.cases.length, setAside: table.cases.length - covered.length }).toEqual({ total: 172, setAside: 13 });
});

describe('Kyverno function tables', () => {
  test.each(covered.map((c) => ({ ...c, label: `${c.source}: ${c.expression}` })))('$label', ({ expression, expected, error }) => {
    if (error === true) {
      expect(() => searchJmesPath(expression, '')).toThrow(ConditionsError);
    } else {
      expect(searchJmesPath(expression, '')).toEqual(expected);
    }
  });
});

test.each([
  { expression: "to_upper('straße')", expected: 'STRAßE' },
  { expression: "to_lower('İSTANBUL')", expected: 'istanbul' },
  { expression: "to_upper('ŉ')", expected: 'ŉ' },
])('Go’s simple case mapping: $expression', ({ expression, expected }) => {
  expect(searchJmesPath(expression, {})).toBe(expected);
});
