// Kyverno's evaluation of `{any, all}` condition blocks: short-circuits, the `any: []` rule, and the messages it returns.
import { ConditionsError } from './errors.js';
import type { SearchOptions } from './jmespath/index.js';
import type { AnyAllConditions, Condition, ConditionsOutcome } from './model.js';
import { evaluateOperator } from './operators/index.js';
import { parseConditions } from './parse.js';
import { substituteVariables, unescapeVariables } from './substitute.js';

export interface EvaluateOptions extends SearchOptions {
  /**
   * Read `\{{ expr }}` as the variable `{{ expr }}` (conditions of a /checkimages request, which a
   * Kyverno policy escapes so that the service, not Kyverno, substitutes them). Off: Kyverno's own
   * meaning, an escaped literal `{{`.
   */
  readonly unescapeVariables?: boolean;
}

function substitute(side: 'key' | 'value', document: unknown, context: unknown, options: EvaluateOptions): unknown {
  try {
    const source = options.unescapeVariables === true ? unescapeVariables(document ?? null) : (document ?? null);
    return substituteVariables(source, context, options);
  } catch (err) {
    if (!(err instanceof ConditionsError)) throw err;
    throw new ConditionsError(err.code, `failed to substitute variables in condition ${side}: ${err.message}`, { cause: err });
  }
}

/** variables.Evaluate: the operator's answer on the substituted key and value. */
function evaluateCondition(condition: Condition, context: unknown, options: EvaluateOptions): boolean {
  const key = substitute('key', condition.key, context, options);
  const value = substitute('value', condition.value, context, options);
  return evaluateOperator(condition.operator, key, value);
}

interface BlockOutcome {
  passed: boolean;
  messages: string[];
}

/** evaluateAnyAllConditions: `any` stops at the first true (absent = true, [] = false), `all` at the first false; result any && all. */
function evaluateBlock(block: AnyAllConditions, context: unknown, options: EvaluateOptions): BlockOutcome {
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
export function evaluateConditions(conditions: AnyAllConditions | readonly AnyAllConditions[], context: Record<string, unknown>, options: EvaluateOptions = {}): ConditionsOutcome {
  try {
    return evaluateBlocks(parseConditions(conditions), context, options);
  } catch (err) {
    // A document nested deeper than the stack (deep equality, JSON output of it) fails closed, with a code.
    if (err instanceof RangeError) throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', 'a condition or the document is nested too deeply to evaluate', { cause: err });
    throw err;
  }
}

function evaluateBlocks(blocks: readonly AnyAllConditions[], context: Record<string, unknown>, options: EvaluateOptions): ConditionsOutcome {
  const messages: string[] = [];
  for (const block of blocks) {
    const outcome = evaluateBlock(block, context, options);
    if (!outcome.passed) return { passed: false, messages: outcome.messages };
    messages.push(...outcome.messages);
  }
  return { passed: true, messages };
}
