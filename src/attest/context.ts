// The context an attestation's conditions are evaluated against, built from its parsed document.
import { ELEMENT_KEY, IN_TOTO_STATEMENT_TYPES } from './constants.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for an in-toto statement (`_type` v0.1 or v1) that carries a `predicate`. */
export function isInTotoStatement(document: unknown): document is { _type: string; predicate: unknown } {
  return isObject(document) && typeof document._type === 'string' && IN_TOTO_STATEMENT_TYPES.includes(document._type) && Object.hasOwn(document, 'predicate');
}

/**
 * The document conditions see: an in-toto statement's `predicate` (what Kyverno evaluates for an
 * attestation), any other document as it is (what kyverno-notation-aws evaluates).
 */
export function evaluatedDocument(document: unknown): unknown {
  return isInTotoStatement(document) ? document.predicate : document;
}

/**
 * The conditions' context: the evaluated document's keys merged at the root (Kyverno's and the
 * peer's AddJSONObject), and the whole evaluated document as `element` (so the peer's documented
 * `{{ element.components[] }}` works). `element` is set last: a document key of that name is
 * reachable as `element.element`. A document that is not an object (an array, a scalar) is only
 * reachable as `element`. The context is a fresh null-prototype object per evaluation: nothing is
 * shared between evaluations and no key resolves to an Object.prototype member.
 */
export function attestationContext(document: unknown): Record<string, unknown> {
  const evaluated = evaluatedDocument(document);
  const context = Object.create(null) as Record<string, unknown>;
  if (isObject(evaluated)) for (const [key, value] of Object.entries(evaluated)) context[key] = value;
  context[ELEMENT_KEY] = evaluated;
  return context;
}
