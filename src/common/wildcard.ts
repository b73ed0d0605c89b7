// Kyverno's wildcard match (IGLOU-EU/go-wildcard, as wildcard.Match): `*` any run of characters (including `/`), `?` exactly one, over code points.

/**
 * Steps a caller may spend on matching. The match is linear in practice but quadratic at worst
 * (`*aaa…ab` against `aaa…`), so a request's patterns can share one budget rather than a clock.
 */
export interface WildcardBudget {
  steps: number;
}

export class WildcardBudgetExceeded extends Error {
  constructor() {
    super('wildcard matching needed more steps than its budget');
    this.name = 'WildcardBudgetExceeded';
  }
}

/**
 * True when `name` matches `pattern`. Same answers as go-wildcard's recursive deepMatchRune, computed
 * iteratively without backtracking blow-up, so a pattern of many `*` cannot take exponential time.
 * With a budget, each step spends one and WildcardBudgetExceeded is thrown when none is left.
 */
export function wildcardMatch(pattern: string, name: string, budget?: WildcardBudget): boolean {
  if (pattern === '') return name === '';
  if (pattern === '*') return true;
  const p = Array.from(pattern);
  const s = Array.from(name);
  let pi = 0;
  let si = 0;
  let star = -1;
  let resume = 0;
  while (si < s.length) {
    if (budget && --budget.steps < 0) throw new WildcardBudgetExceeded();
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
