// A tree interpreter with go-jmespath's semantics (Kyverno's fork): missing fields raise NotFound, which some nodes swallow and others pass on.
import { ConditionsError } from '../errors.js';
import type { ExpressionNode } from './compile.js';
import { NotFoundSignal } from './errors.js';
import { deepEqual, isFalse, isObject, type JsonValue } from './value.js';

/** The value of `&expr`: an expression a function applies to values it chooses. */
export class ExpressionRef {
  constructor(readonly node: ExpressionNode) {}
}

export type Argument = JsonValue | ExpressionRef;

/** Calls a function by name on evaluated arguments; `apply` evaluates an expression reference. */
export type FunctionCaller = (name: string, args: Argument[], apply: (ref: ExpressionRef, value: JsonValue) => JsonValue) => JsonValue;

/** Evaluate, turning a NotFound into null as the go-jmespath nodes that tolerate it do. */
function lenient(node: ExpressionNode, value: JsonValue, call: FunctionCaller): JsonValue {
  try {
    return visit(node, value, call);
  } catch (err) {
    if (err instanceof NotFoundSignal) return null;
    throw err;
  }
}

/** Evaluate, turning any failure into null (go-jmespath's FilterProjection, Flatten and ValueProjection left sides). */
function forgiving(node: ExpressionNode, value: JsonValue, call: FunctionCaller): JsonValue {
  try {
    return visit(node, value, call);
  } catch (err) {
    if (err instanceof NotFoundSignal || err instanceof ConditionsError) return null;
    throw err;
  }
}

function sliceIndex(length: number, actual: number, step: number): number {
  if (actual < 0) {
    const shifted = actual + length;
    if (shifted < 0) return step < 0 ? -1 : 0;
    return shifted;
  }
  if (actual >= length) return step < 0 ? length - 1 : length;
  return actual;
}

function slice(items: JsonValue[], start: number | null, stop: number | null, step: number | null): JsonValue[] {
  const by = step ?? 1;
  if (by === 0) throw new ConditionsError('JMESPATH_INVALID', 'Invalid slice, step cannot be 0');
  const from = start === null ? (by < 0 ? items.length - 1 : 0) : sliceIndex(items.length, start, by);
  const to = stop === null ? (by < 0 ? -1 : items.length) : sliceIndex(items.length, stop, by);
  const result: JsonValue[] = [];
  if (by > 0) for (let index = from; index < to; index += by) result.push(items[index] as JsonValue);
  else for (let index = from; index > to; index += by) result.push(items[index] as JsonValue);
  return result;
}

function project(items: JsonValue[], node: ExpressionNode, call: FunctionCaller): JsonValue[] {
  const collected: JsonValue[] = [];
  for (const item of items) {
    const current = lenient(node, item, call);
    if (current !== null) collected.push(current);
  }
  return collected;
}

/** go-jmespath's treeInterpreter.Execute over a JMESPath Community syntax tree already checked by compileExpression. */
export function visit(node: ExpressionNode, value: JsonValue, call: FunctionCaller): JsonValue {
  switch (node.type) {
    case 'Field':
      if (!isObject(value)) return null;
      if (!Object.hasOwn(value, node.name)) throw new NotFoundSignal(node.name);
      return value[node.name] as JsonValue;
    case 'Subexpression':
    case 'IndexExpression':
      return visit(node.right, visit(node.left, value, call), call);
    case 'Index': {
      if (!Array.isArray(value)) return null;
      const index = node.value < 0 ? node.value + value.length : node.value;
      return index >= 0 && index < value.length ? (value[index] as JsonValue) : null;
    }
    case 'Slice':
      return Array.isArray(value) ? slice(value, node.start, node.stop, node.step) : null;
    case 'Identity':
    case 'Current':
      return value;
    case 'Literal':
      return node.value as JsonValue;
    case 'Comparator': {
      const left = lenient(node.left, value, call);
      const right = lenient(node.right, value, call);
      if (node.name === 'EQ') return deepEqual(left, right);
      if (node.name === 'NE') return !deepEqual(left, right);
      if (typeof left !== 'number' || typeof right !== 'number') return null;
      switch (node.name) {
        case 'GT':
          return left > right;
        case 'GTE':
          return left >= right;
        case 'LT':
          return left < right;
        case 'LTE':
          return left <= right;
      }
      return null;
    }
    case 'Projection': {
      const left = lenient(node.left, value, call);
      return Array.isArray(left) ? project(left, node.right, call) : null;
    }
    case 'ValueProjection': {
      const left = forgiving(node.left, value, call);
      return isObject(left) ? project(Object.values(left), node.right, call) : null;
    }
    case 'FilterProjection': {
      const left = forgiving(node.left, value, call);
      if (!Array.isArray(left)) return null;
      const collected: JsonValue[] = [];
      for (const item of left) {
        if (isFalse(lenient(node.condition, item, call))) continue;
        const current = lenient(node.right, item, call);
        if (current !== null) collected.push(current);
      }
      return collected;
    }
    case 'Flatten': {
      const left = forgiving(node.child, value, call);
      if (!Array.isArray(left)) return null;
      return left.flatMap((item) => (Array.isArray(item) ? item : [item]));
    }
    case 'MultiSelectList':
      if (value === null) return null;
      return node.children.map((child) => lenient(child, value, call));
    case 'MultiSelectHash': {
      if (value === null) return null;
      const collected: Record<string, JsonValue> = {};
      for (const pair of node.children) {
        Object.defineProperty(collected, pair.name, { value: lenient(pair.value, value, call), enumerable: true, writable: true, configurable: true });
      }
      return collected;
    }
    case 'OrExpression': {
      const left = lenient(node.left, value, call);
      return isFalse(left) ? lenient(node.right, value, call) : left;
    }
    case 'AndExpression': {
      const left = lenient(node.left, value, call);
      return isFalse(left) ? left : visit(node.right, value, call);
    }
    case 'NotExpression':
      return isFalse(lenient(node.child, value, call));
    case 'Pipe':
      return lenient(node.right, lenient(node.left, value, call), call);
    case 'Function': {
      const args: Argument[] = node.children.map((child) => (child.type === 'ExpressionReference' ? new ExpressionRef(child.child) : lenient(child, value, call)));
      return call(node.name, args, (ref, item) => lenient(ref.node, item, call));
    }
    case 'ExpressionReference':
      throw new ConditionsError('JMESPATH_INVALID', 'an expression reference (&expr) is only valid as a function argument');
    default:
      throw new ConditionsError('JMESPATH_INVALID', `unsupported JMESPath node ${node.type}`);
  }
}
