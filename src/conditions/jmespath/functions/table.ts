// How a JMESPath function is declared (argument types as go-jmespath's ArgSpec) and called with its arguments checked.
import { ConditionsError } from '../../errors.js';
import { functionError } from '../errors.js';
import { ExpressionRef, type Argument } from '../interpreter.js';
import { isObject, typeName, type JsonValue } from '../value.js';

export type ArgumentType = 'any' | 'number' | 'string' | 'boolean' | 'array' | 'object' | 'null' | 'array[number]' | 'array[string]' | 'expref';

export interface FunctionContext {
  /** Evaluate an `&expr` argument against a value (NotFound becomes null, as in go-jmespath). */
  apply(ref: ExpressionRef, value: JsonValue): JsonValue;
  /** The evaluation's clock, so `time_now` and friends are deterministic in tests. */
  now(): Date;
}

export interface FunctionEntry {
  readonly arguments: readonly (readonly ArgumentType[])[];
  /** The last argument repeats (at least once). */
  readonly variadic?: boolean;
  /** Called with arguments that passed the type check: `args[i]` has one of `arguments[i]`'s types. */
  readonly handler: (args: Argument[], context: FunctionContext) => JsonValue;
}

export type FunctionTable = ReadonlyMap<string, FunctionEntry>;

function matches(type: ArgumentType, value: Argument): boolean {
  switch (type) {
    case 'any':
      return !(value instanceof ExpressionRef);
    case 'expref':
      return value instanceof ExpressionRef;
    case 'number':
      return typeof value === 'number';
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    case 'array[number]':
      return Array.isArray(value) && value.every((item) => typeof item === 'number');
    case 'array[string]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
  }
}

function describe(value: Argument): string {
  return value instanceof ExpressionRef ? 'expref' : typeName(value);
}

/** Check arity and types as go-jmespath's resolveArgs does, then call the handler; errors of the handler keep their code. */
export function callFunction(table: FunctionTable, name: string, args: Argument[], context: FunctionContext): JsonValue {
  const entry = table.get(name);
  if (entry === undefined) throw new ConditionsError('JMESPATH_INVALID', `unknown function: ${name}`);
  const specs = entry.arguments;
  if (entry.variadic === true ? args.length < specs.length : args.length !== specs.length) {
    throw functionError(name, `expected ${entry.variadic === true ? 'at least ' : ''}${specs.length} arguments, got ${args.length}`);
  }
  args.forEach((arg, index) => {
    const spec = specs[Math.min(index, specs.length - 1)] ?? [];
    if (!spec.some((type) => matches(type, arg))) {
      throw functionError(name, `argument #${index + 1} is not of type ${spec.join(' or ')} (got ${describe(arg)})`);
    }
  });
  try {
    return entry.handler(args, context);
  } catch (err) {
    if (err instanceof ConditionsError) throw err;
    throw functionError(name, err instanceof Error ? err.message : String(err), err);
  }
}
