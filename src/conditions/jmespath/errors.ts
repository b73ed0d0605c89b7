// The failures of JMESPath evaluation, and go-jmespath's NotFoundError that some nodes swallow and others pass on.
import { ConditionsError } from '../errors.js';

/** go-jmespath's NotFoundError (`Unknown key "x" in path`): thrown by a Field node, caught by the nodes that swallow it. */
export class NotFoundSignal {
  constructor(readonly key: string) {}
}

export function notFoundError(signal: NotFoundSignal): ConditionsError {
  return new ConditionsError('JMESPATH_NOT_FOUND', `Unknown key "${signal.key}" in path`);
}

export function functionError(name: string, message: string, cause?: unknown): ConditionsError {
  return new ConditionsError('JMESPATH_FUNCTION_FAILED', `JMESPath function '${name}': ${message}`, cause === undefined ? undefined : { cause });
}
