// Kyverno's wildcard match for imageReferences: `*` any run of characters (including `/`), `?` one character.

/** True when `value` matches `pattern` (Kyverno's wildcard.Match). Iterative, linear in practice, no regex. */
export function wildcardMatch(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
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
