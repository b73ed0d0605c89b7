// The conditions document as Kyverno's API has it: `{any, all}` blocks of `{key, operator, value, message}`.

export interface Condition {
  /** Any JSON value; strings may hold `{{ JMESPath }}` variables. */
  readonly key: unknown;
  /** One of OPERATORS (case-insensitive, as Kyverno matches it). */
  readonly operator: string;
  readonly value?: unknown;
  readonly message?: string;
}

export interface AnyAllConditions {
  readonly any?: readonly Condition[];
  readonly all?: readonly Condition[];
}

export interface ConditionsOutcome {
  readonly passed: boolean;
  /** The messages Kyverno returns: of the failing conditions when failed, of the passing ones when passed; empty ones left out. */
  readonly messages: string[];
}
