// Signature verification levels and overrides as data tables (trust-store-trust-policy.md "Signature Verification details").
import type { ValidationAction, ValidationType, VerificationLevelName } from '../types.js';

export const VALIDATION_TYPES: readonly ValidationType[] = ['integrity', 'authenticity', 'authenticTimestamp', 'expiry', 'revocation'];
export const VALIDATION_ACTIONS: readonly ValidationAction[] = ['enforce', 'log', 'skip'];
export const VERIFICATION_LEVEL_NAMES: readonly VerificationLevelName[] = ['strict', 'permissive', 'audit', 'skip'];

/** The spec's table: the action each level takes for each validation. */
export const VERIFICATION_LEVELS: Readonly<Record<VerificationLevelName, Readonly<Record<ValidationType, ValidationAction>>>> = {
  strict: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'enforce', expiry: 'enforce', revocation: 'enforce' },
  permissive: { integrity: 'enforce', authenticity: 'enforce', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  audit: { integrity: 'enforce', authenticity: 'log', authenticTimestamp: 'log', expiry: 'log', revocation: 'log' },
  skip: { integrity: 'skip', authenticity: 'skip', authenticTimestamp: 'skip', expiry: 'skip', revocation: 'skip' },
};

/**
 * Actions an `override` may set per validation ("Custom Verification Level"): integrity cannot be
 * overridden, only revocation can be skipped.
 */
export const OVERRIDE_ACTIONS: Readonly<Record<ValidationType, readonly ValidationAction[]>> = {
  integrity: [],
  authenticity: ['enforce', 'log'],
  authenticTimestamp: ['enforce', 'log'],
  expiry: ['enforce', 'log'],
  revocation: ['enforce', 'log', 'skip'],
};

/** Levels an `override` may customise (`skip` cannot be). */
export const CUSTOMIZABLE_LEVELS: readonly VerificationLevelName[] = ['strict', 'permissive', 'audit'];

export interface VerificationActions {
  level: VerificationLevelName;
  /** True when an override changed the level's table. */
  custom: boolean;
  actions: Record<ValidationType, ValidationAction>;
}

/** The action for every validation type: the level's row of the table with the overrides applied. */
export function verificationActions(signatureVerification: {
  level: VerificationLevelName;
  override?: Partial<Record<ValidationType, ValidationAction>>;
}): VerificationActions {
  const actions = { ...VERIFICATION_LEVELS[signatureVerification.level] };
  let custom = false;
  for (const type of VALIDATION_TYPES) {
    const action = signatureVerification.override?.[type];
    if (action !== undefined && action !== actions[type]) {
      actions[type] = action;
      custom = true;
    }
  }
  return { level: signatureVerification.level, custom, actions };
}
