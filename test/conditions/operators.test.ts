// Kyverno's operator table (pkg/engine/variables/evaluate_test.go TestEvaluate, 336 cases with the same inputs) through evaluateConditions.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evaluateConditions } from '../../src/conditions/index.js';

interface Case {
  section: string;
  key: unknown;
  operator: string;
  value: unknown;
  expected: boolean;
}

const table = JSON.parse(readFileSync(new URL('../fixtures/conditions/kyverno-evaluate.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('Kyverno TestEvaluate', () => {
  test.each(table.cases.map((c, index) => ({ ...c, label: `#${index} ${c.section}: ${JSON.stringify(c.key)} ${c.operator} ${JSON.stringify(c.value)}` })))(
    '$label',
    ({ key, operator, value, expected }) => {
      expect(evaluateConditions({ all: [{ key, operator, value }] }, {}).passed).toBe(expected);
    },
  );
});
