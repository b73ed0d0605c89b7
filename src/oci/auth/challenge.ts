// Parse WWW-Authenticate challenges (RFC 7235) as registries send them: Basic and Bearer with params.

export interface Challenge {
  /** Lower-cased scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Lower-cased parameter names: realm, service, scope, error, … */
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** All challenges of a header value; unparseable remainders are ignored rather than guessed at. */
export function parseChallenges(header: string | undefined): Challenge[] {
  const challenges: Challenge[] = [];
  if (!header) return challenges;
  let rest = header.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (!name) break;
    const after = rest.slice(name.length).replace(/^\s+/, '');
    if (after.startsWith('=') && current) {
      // auth-param: name = token | quoted-string
      let value = '';
      let tail = after.slice(1).replace(/^\s+/, '');
      if (tail.startsWith('"')) {
        let i = 1;
        for (; i < tail.length && tail[i] !== '"'; i++) {
          if (tail[i] === '\\' && i + 1 < tail.length) i++;
          value += tail[i];
        }
        tail = tail.slice(i + 1);
      } else {
        value = TOKEN.exec(tail)?.[0] ?? '';
        tail = tail.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = tail;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      challenges.push(current);
      rest = after;
    }
  }
  return challenges;
}
