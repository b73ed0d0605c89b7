// Kyverno's operator handler tables (pkg/engine/variables/operator *_test.go Test*Handler_Evaluate*), same keys and values, through evaluateConditions.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { evaluateConditions } from '../../src/conditions/index.js';

interface Case {
  test: string;
  name: string;
  key: unknown;
  operator: string;
  value: unknown;
  expected: boolean;
}

const table = JSON.parse(readFileSync(new URL('../fixtures/conditions/kyverno-handlers.json', import.meta.url), 'utf8')) as { skipped: number; cases: Case[] };

describe('Kyverno handler tables', () => {
  test.each(table.cases.map((c) => ({ ...c, label: `${c.test}: ${c.name}` })))('$label', ({ key, operator, value, expected }) => {
    expect(evaluateConditions({ all: [{ key, operator, value }] }, {}).passed).toBe(expected);
  });
});
