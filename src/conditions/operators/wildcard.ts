// Kyverno's wildcard match (IGLOU-EU/go-wildcard v1): `*` any run of characters, `?` exactly one, over code points.

/**
 * Match `name` against `pattern`. Same answers as go-wildcard's recursive deepMatchRune, computed
 * with the linear backtracking-free algorithm so that a pattern of many `*` cannot take exponential time.
 */
export function wildcardMatch(pattern: string, name: string): boolean {
  if (pattern === '') return name === '';
  if (pattern === '*') return true;
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let star = -1;
  let resume = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}
