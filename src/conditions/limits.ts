// Bounds of one conditions evaluation: inputs come from policies and from signed but untrusted documents.

/** Rounds of nested `{{…}}` substitution in one string (Kyverno loops until none is left). */
export const MAX_SUBSTITUTION_ROUNDS = 32;
/** Length of a string produced by substitution or by a JMESPath function, in UTF-16 code units. */
export const MAX_STRING_LENGTH = 1 << 20;
/** Depth of nested arrays and objects walked in keys and values. */
export const MAX_DEPTH = 64;
/** Conditions in one document (all blocks together). */
export const MAX_CONDITIONS = 1000;
/** Length of a JMESPath expression. */
export const MAX_EXPRESSION_LENGTH = 10_000;
