// The error of the conditions domain: a condition or a JMESPath expression that cannot be evaluated (never "the condition is false").
import { BaseError } from '../common/index.js';

export type ConditionsErrorCode =
  /** The conditions document is not `{any, all}` blocks of `{key, operator, value}`, or names an unknown operator. */
  | 'CONDITION_INVALID'
  /** A JMESPath expression does not parse, uses syntax Kyverno's dialect refuses, or calls an unknown function. */
  | 'JMESPATH_INVALID'
  /** A JMESPath function was called with the wrong number or types of arguments, or failed on its input. */
  | 'JMESPATH_FUNCTION_FAILED'
  /** A JMESPath field that Kyverno's go-jmespath fork reports as missing (`Unknown key "x" in path`). */
  | 'JMESPATH_NOT_FOUND'
  /** Substitution or evaluation went past a bound (nesting, substitution rounds, result size). */
  | 'CONDITIONS_LIMIT_EXCEEDED';

export class ConditionsError extends BaseError<ConditionsErrorCode> {}
