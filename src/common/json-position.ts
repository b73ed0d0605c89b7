// Where JSON text stops being JSON, as line and column (1-based): Node's JSON.parse messages give at most
// an offset, and people fix config files by line.

export interface TextPosition {
  line: number;
  column: number;
}

/** Deeper nesting is not located (the caller still reports the error, without a position). */
const MAX_DEPTH = 512;

class SyntaxAt {
  constructor(readonly offset: number) {}
}

/** The line and column of the first JSON syntax error in `text`, or undefined when it parses (or nests too deep to tell). */
export function jsonSyntaxErrorPosition(text: string): TextPosition | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxAt(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1;
  };
  const literal = (word: string): void => {
    for (const char of word) {
      if (text[i] !== char) fail();
      i += 1;
    }
  };
  const string = (): void => {
    i += 1;
    for (;;) {
      const char = text[i];
      if (char === undefined || char < ' ') fail();
      if (char === '"') break;
      if (char === '\\') {
        i += 1;
        const escape = text[i];
        if (escape === 'u') {
          for (let k = 0; k < 4; k += 1) {
            i += 1;
            if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
          }
        } else if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail();
      }
      i += 1;
    }
    i += 1;
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 1024));
    if (!match || match[0] === '' || match[0] === '-') fail();
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) throw new RangeError('too deep');
    space();
    const char = text[i];
    if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      i += 1;
      space();
      if (text[i] === close) {
        i += 1;
        return;
      }
      for (;;) {
        if (close === '}') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i += 1;
        }
        value(depth + 1);
        space();
        if (text[i] === ',') i += 1;
        else if (text[i] === close) {
          i += 1;
          return;
        } else fail();
      }
    }
    if (char === '"') return string();
    if (char === 't') return literal('true');
    if (char === 'f') return literal('false');
    if (char === 'n') return literal('null');
    number();
  };
  try {
    value(0);
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (err) {
    if (!(err instanceof SyntaxAt)) return undefined;
    const before = text.slice(0, err.offset).split('\n');
    return { line: before.length, column: (before.at(-1) as string).length + 1 };
  }
}

/** ` at line L, column C` for a message about `text` that JSON.parse refused, or '' when it cannot be located. */
export function jsonSyntaxErrorWhere(text: string): string {
  const position = jsonSyntaxErrorPosition(text);
  return position ? ` at line ${position.line}, column ${position.column}` : '';
}
