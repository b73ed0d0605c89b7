// Verification levels and overrides: the spec's table row by row, then custom levels.
import { describe, expect, it } from 'vitest';
import { verificationActions } from '../../../src/notary/trustpolicy/index.js';
import type { ValidationAction, ValidationType, VerificationLevelName } from '../../../src/notary/types.js';

type Row = [ValidationAction, ValidationAction, ValidationAction, ValidationAction, ValidationAction];
const COLUMNS: ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];

/** trust-store-trust-policy.md, "Signature Verification details": enforced / logged / skipped per level. */
const SPEC_TABLE: { level: VerificationLevelName; row: Row }[] = [
  { level: 'strict', row: ['enforce', 'enforce', 'enforce', 'enforce', 'enforce'] },
  { level: 'permissive', row: ['enforce', 'enforce', 'log', 'log', 'log'] },
  { level: 'audit', row: ['enforce', 'log', 'log', 'log', 'log'] },
  { level: 'skip', row: ['skip', 'skip', 'skip', 'skip', 'skip'] },
];

describe('verificationActions: the spec table', () => {
  it.each(SPEC_TABLE)('$level → $row', ({ level, row }) => {
    const result = verificationActions({ level });
    expect(result).toEqual({ level, custom: false, actions: Object.fromEntries(COLUMNS.map((type, i) => [type, row[i]])) });
  });
});

describe('verificationActions: custom levels (override)', () => {
  const CASES: {
    level: VerificationLevelName;
    override: Partial<Record<ValidationType, ValidationAction>>;
    row: Row;
    custom: boolean;
  }[] = [
    { level: 'strict', override: { expiry: 'log' }, row: ['enforce', 'enforce', 'enforce', 'log', 'enforce'], custom: true },
    { level: 'strict', override: { expiry: 'log', revocation: 'skip' }, row: ['enforce', 'enforce', 'enforce', 'log', 'skip'], custom: true },
    { level: 'permissive', override: { authenticTimestamp: 'enforce' }, row: ['enforce', 'enforce', 'enforce', 'log', 'log'], custom: true },
    { level: 'audit', override: { authenticity: 'enforce', revocation: 'skip' }, row: ['enforce', 'enforce', 'log', 'log', 'skip'], custom: true },
    { level: 'strict', override: { authenticity: 'enforce' }, row: ['enforce', 'enforce', 'enforce', 'enforce', 'enforce'], custom: false },
  ];
  it.each(CASES)('$level with $override', ({ level, override, row, custom }) => {
    const result = verificationActions({ level, override });
    expect(result.custom).toBe(custom);
    expect(result.level).toBe(level);
    expect(COLUMNS.map((type) => result.actions[type])).toEqual(row);
  });
});
