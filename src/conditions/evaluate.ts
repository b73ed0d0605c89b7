// Kyverno's evaluation of `{any, all}` condition blocks: short-circuits, the `any: []` rule, and the messages it returns.
import { ConditionsError } from './errors.js';
import type { SearchOptions } from './jmespath/index.js';
import type { AnyAllConditions, Condition, ConditionsOutcome } from './model.js';
import { evaluateOperator } from './operators/index.js';
import { parseConditions } from './parse.js';
import { substituteVariables } from './substitute.js';

function substitute(side: 'key' | 'value', document: unknown, context: unknown, options: SearchOptions): unknown {
  try {
    return substituteVariables(document ?? null, context, options);
  } catch (err) {
    if (!(err instanceof ConditionsError)) throw err;
    throw new ConditionsError(err.code, `failed to substitute variables in condition ${side}: ${err.message}`, { cause: err });
  }
}

/** variables.Evaluate: the operator's answer on the substituted key and value. */
function evaluateCondition(condition: Condition, context: unknown, options: SearchOptions): boolean {
  const key = substitute('key', condition.key, context, options);
  const value = substitute('value', condition.value, context, options);
  return evaluateOperator(condition.operator, key, value);
}

interface BlockOutcome {
  passed: boolean;
  messages: string[];
}

/** evaluateAnyAllConditions: `any` stops at the first true (absent = true, [] = false), `all` at the first false; result any && all. */
function evaluateBlock(block: AnyAllConditions, context: unknown, options: SearchOptions): BlockOutcome {
  let anyPassed = true;
  let allPassed = true;
  const passedMessages: string[] = [];
  const failedMessages: string[] = [];
  if (block.any !== undefined) {
    anyPassed = false;
    for (const condition of block.any) {
      if (evaluateCondition(condition, context, options)) {
        anyPassed = true;
        passedMessages.push(condition.message ?? '');
        break;
      }
      failedMessages.push(condition.message ?? '');
    }
  }
  for (const condition of block.all ?? []) {
    if (!evaluateCondition(condition, context, options)) {
      allPassed = false;
      failedMessages.push(condition.message ?? '');
      break;
    }
    passedMessages.push(condition.message ?? '');
  }
  const passed = anyPassed && allPassed;
  return { passed, messages: (passed ? passedMessages : failedMessages).filter((message) => message !== '') };
}

/**
 * Evaluate a block or a list of blocks (ANDed, stopping at the first failing block) against
 * `context`. The messages are the failing block's (failed) or every block's (passed), empty ones
 * left out; Kyverno joins a block's with "; " and the blocks' with ";". Throws ConditionsError.
 */
export function evaluateConditions(conditions: AnyAllConditions | readonly AnyAllConditions[], context: Record<string, unknown>, options: SearchOptions = {}): ConditionsOutcome {
  const blocks = parseConditions(conditions);
  const messages: string[] = [];
  for (const block of blocks) {
    const outcome = evaluateBlock(block, context, options);
    if (!outcome.passed) return { passed: false, messages: outcome.messages };
    messages.push(...outcome.messages);
  }
  return { passed: true, messages };
}
