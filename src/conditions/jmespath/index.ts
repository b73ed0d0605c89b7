// Kyverno's JMESPath dialect: the original specification evaluated as Kyverno's go-jmespath fork does, with Kyverno's custom functions.
import { ConditionsError } from '../errors.js';
import { compileExpression } from './compile.js';
import { notFoundError, NotFoundSignal } from './errors.js';
import { visit } from './interpreter.js';
import { BUILTIN_FUNCTIONS } from './functions/builtin.js';
import { callFunction, type FunctionTable } from './functions/table.js';
import type { JsonValue } from './value.js';

export type { JsonObject, JsonValue } from './value.js';
export { deepEqual, isObject } from './value.js';

export interface SearchOptions {
  /** The clock of the time functions; the current time by default. */
  readonly now?: () => Date;
}

const FUNCTIONS: FunctionTable = new Map([...BUILTIN_FUNCTIONS]);

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
