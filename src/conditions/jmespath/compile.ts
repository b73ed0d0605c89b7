// Parse a JMESPath expression and hold it to Kyverno's dialect: the original specification, so no `$`, `let`, variables, arithmetic or ternaries.
import { compile } from '@jmespath-community/jmespath';
import { ConditionsError } from '../errors.js';
import { MAX_EXPRESSION_LENGTH } from '../limits.js';

/** A syntax tree node of JMESPath Community (the library does not export the type by name). */
export type ExpressionNode = ReturnType<typeof compile>;

/** Node types of JMESPath Community that the original specification (Kyverno's go-jmespath fork) does not have. */
const REFUSED: ReadonlyMap<string, string> = new Map([
  ['Root', 'the root reference `$`'],
  ['LetExpression', '`let` expressions'],
  ['Binding', '`let` expressions'],
  ['Variable', 'variables'],
  ['Ternary', 'the ternary operator'],
  ['Unary', 'arithmetic operators'],
  ['Arithmetic', 'arithmetic operators'],
]);

function check(node: ExpressionNode, expression: string): void {
  const refused = REFUSED.get(node.type);
  if (refused !== undefined) {
    throw new ConditionsError('JMESPATH_INVALID', `invalid JMESPath expression ${JSON.stringify(expression)}: ${refused} are not part of Kyverno's JMESPath dialect`);
  }
  for (const child of Object.values(node)) {
    if (Array.isArray(child)) {
      for (const item of child) if (isNode(item)) check(item, expression);
    } else if (isNode(child)) {
      check(child, expression);
    }
  }
}

function isNode(value: unknown): value is ExpressionNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** The syntax tree of `expression`, or a JMESPATH_INVALID error saying why not. */
export function compileExpression(expression: string): ExpressionNode {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new ConditionsError('CONDITIONS_LIMIT_EXCEEDED', `JMESPath expression longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  let node: ExpressionNode;
  try {
    node = compile(expression);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConditionsError('JMESPATH_INVALID', `invalid JMESPath expression ${JSON.stringify(expression)}: ${reason}`, { cause: err });
  }
  check(node, expression);
  return node;
}
