// Kyverno's wildcard match for imageReferences: `*` any run of characters (including `/`), `?` one character.

/**
 * Steps a caller may spend on matching. The match is linear in practice but quadratic at worst
 * (`*aaa…ab` against `aaa…`), so a request's patterns share one budget rather than a clock.
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
 * True when `value` matches `pattern` (Kyverno's wildcard.Match). Iterative, no regex. With a
 * budget, each step spends one and WildcardBudgetExceeded is thrown when none is left.
 */
export function wildcardMatch(pattern: string, value: string, budget?: WildcardBudget): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (budget && --budget.steps < 0) throw new WildcardBudgetExceeded();
    const pc = pattern[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === value[v])) {
      p += 1;
      v += 1;
    } else if (pc === '*') {
      star = p;
      mark = v;
      p += 1;
    } else if (star !== -1) {
      p = star + 1;
      mark += 1;
      v = mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}
