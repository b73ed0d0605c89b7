// Kyverno's JMESPath function tables (pkg/engine/jmespath arithmetic_test.go, time_test.go: same expressions, same results) and the dialect's errors.
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

describe('Kyverno function tables', () => {
  test.each(table.cases.map((c) => ({ ...c, label: `${c.source}: ${c.expression}` })))('$label', ({ expression, expected, error }) => {
    if (error === true) {
      expect(() => searchJmesPath(expression, '')).toThrow(ConditionsError);
    } else {
      expect(searchJmesPath(expression, '')).toEqual(expected);
    }
  });
});
