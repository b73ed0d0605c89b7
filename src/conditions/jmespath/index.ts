// Kyverno's JMESPath dialect: the original specification evaluated as Kyverno's go-jmespath fork does, with Kyverno's custom functions.
import { ConditionsError } from '../errors.js';
import { compileExpression } from './compile.js';
import { notFoundError, NotFoundSignal } from './errors.js';
import { visit } from './interpreter.js';
import { ARITHMETIC_FUNCTIONS } from './functions/arithmetic.js';
import { BUILTIN_FUNCTIONS } from './functions/builtin.js';
import { IMAGE_FUNCTIONS } from './functions/image.js';
import { REGEX_FUNCTIONS } from './functions/regex.js';
import { SEMVER_FUNCTIONS } from './functions/semver.js';
import { STRING_FUNCTIONS } from './functions/strings.js';
import { callFunction, type FunctionTable } from './functions/table.js';
import { TIME_FUNCTIONS } from './functions/time.js';
import type { JsonValue } from './value.js';

export type { JsonObject, JsonValue } from './value.js';
export { deepEqual, isObject } from './value.js';

export interface SearchOptions {
  /** The clock of the time functions; the current time by default. */
  readonly now?: () => Date;
}

/** The original specification's functions, then Kyverno's (its `sum` replaces the built-in one, as Kyverno registers it last). */
const FUNCTIONS: FunctionTable = new Map([
  ...BUILTIN_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...REGEX_FUNCTIONS,
  ...ARITHMETIC_FUNCTIONS,
  ...SEMVER_FUNCTIONS,
  ...TIME_FUNCTIONS,
  ...IMAGE_FUNCTIONS,
]);


/**
 * Evaluate `expression` against `data` as `kyverno jp query` does. Throws ConditionsError:
 * JMESPATH_INVALID (syntax, refused syntax, unknown function), JMESPATH_FUNCTION_FAILED (arity,
 * argument types, a function's own failure), JMESPATH_NOT_FOUND (`Unknown key "x" in path`).
 */
export function searchJmesPath(expression: string, data: unknown, options: SearchOptions = {}): unknown {
  const node = compileExpression(expression);
  const now = options.now ?? (() => new Date());
  try {
    return visit(node, data as JsonValue, (name, args, apply) => callFunction(FUNCTIONS, name, args, { apply, now }));
  } catch (err) {
    if (err instanceof NotFoundSignal) throw notFoundError(err);
    if (err instanceof ConditionsError) throw err;
    if (err instanceof RangeError) throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `JMESPath expression ${JSON.stringify(expression)} is too deeply nested`, { cause: err });
    throw err;
  }
}
