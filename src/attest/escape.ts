// Kyverno's last substitution step on what a policy sends: an escaped variable `\{{ … }}` loses its backslash.

/** Kyverno's RegexEscpVariables: a backslash, then `{{ … }}` with at most one level of inner braces. */
const ESCAPED_VARIABLE = /\\\{\{(?:\{[^{}]*\}|[^{}])*\}\}/g;

/**
 * `value` with every escaped variable in its strings unescaped (`\{{x}}` → `{{x}}`), as Kyverno
 * leaves an apiCall's data after substitution. A policy escapes the attestation conditions so
 * Kyverno does not substitute them itself (seed 000); depending on the Kyverno version and on
 * whether the request was written by hand, they arrive escaped or not, and both mean the variable.
 */
export function unescapeVariables(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(ESCAPED_VARIABLE, (match) => match.slice(1));
  if (Array.isArray(value)) return value.map(unescapeVariables);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) Object.defineProperty(copy, key, { value: unescapeVariables(item), enumerable: true, writable: true, configurable: true });
    return copy;
  }
  return value;
}
