// gopkg.in/yaml.v2's Marshal of a map of string maps, byte for byte: Kyverno writes its admission denials that way (keys sorted, 80-column folding, its quoting).
//
// Only what such a document needs: block mappings two levels deep, string scalars. The scalar style
// follows yaml.v2's encoder (plain unless the text would read back as another type, literal for
// multi-line text) and its emitter's analysis (plain → single-quoted → double-quoted as the text
// requires), and folding: a space becomes a line break once the column is past 80.

const BEST_WIDTH = 80;

/** YAML 1.1 words yaml.v2 reads as booleans or null, so a plain string of them would not round-trip. */
const NON_STRING_WORDS: ReadonlySet<string> = new Set(
  ['y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', 'on', 'On', 'ON', 'off', 'Off', 'OFF', '~', 'null', 'Null', 'NULL', '.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '.nan', '.NaN', '.NAN', '<<'],
);
/** What yaml.v2's resolve() reads as a number (ints with bases and underscores, floats, base 60) or a timestamp. */
const NON_STRING_PATTERNS: readonly RegExp[] = [
  /^[-+]?(0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|(0|[1-9][0-9_]*))$/,
  /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
  /^\d{4}-\d{1,2}-\d{1,2}([Tt ]|$)/,
];

/** Printable as yaml.v2 sees it (unicode output on): no C0/C1 controls but tab and newline, no BOM, no surrogates alone. */
function isPrintable(char: string): boolean {
  const code = char.codePointAt(0) as number;
  return code === 0x0a || code === 0x09 || (code >= 0x20 && code <= 0x7e) || code === 0x85 || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) || code >= 0x10000;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

/** yaml.v2's choice for a string value (or, when `key`, a mapping key, which is never folded nor literal). */
function styleOf(text: string, key: boolean): Style {
  const chars = [...text];
  if (chars.some((c) => !isPrintable(c))) return 'double';
  if (!key && text.includes('\n')) return 'literal';
  if (text === '' || NON_STRING_WORDS.has(text) || NON_STRING_PATTERNS.some((p) => p.test(text))) return 'double';
  // The emitter's analysis: where a block plain scalar is not allowed, single quotes are.
  const blank = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\n';
  let plain = !(text.startsWith('---') || text.startsWith('...'));
  if (blank(chars[0]) || blank(chars.at(-1))) plain = false;
  for (let i = 0; i < chars.length && plain; i++) {
    const c = chars[i] as string;
    const next = chars[i + 1];
    if (i === 0 && '#,[]{}&*!|>\'"%@`'.includes(c)) plain = false;
    else if (i === 0 && (c === '?' || c === ':' || c === '-') && blank(next)) plain = false;
    else if (c === ':' && blank(next)) plain = false;
    else if (c === '#' && blank(chars[i - 1])) plain = false;
    else if (key && ',?[]{}'.includes(c)) plain = false;
  }
  return plain ? 'plain' : 'single';
}

/** Writes lines while counting the column as yaml.v2's emitter does (in characters). */
class Emitter {
  out = '';
  column = 0;

  write(text: string): void {
    this.out += text;
    const lastBreak = text.lastIndexOf('\n');
    this.column = lastBreak === -1 ? this.column + [...text].length : [...text.slice(lastBreak + 1)].length;
  }

  /** A line break and `indent` spaces. */
  indent(indent: number): void {
    this.write(`\n${' '.repeat(indent)}`);
  }

  /** Text whose spaces may become line breaks past the best width (plain and single-quoted scalars). */
  folded(text: string, indent: number, allowBreaks: boolean, quote: boolean): void {
    const chars = [...text];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === ' ') {
        const inside = !quote || (i > 0 && i < chars.length - 1);
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && inside && chars[i + 1] !== ' ') this.indent(indent);
        else this.write(c);
        spaces = true;
      } else {
        this.write(quote && c === "'" ? "''" : c);
        spaces = false;
      }
    }
  }

  scalar(text: string, indent: number, key: boolean): void {
    const style = styleOf(text, key);
    if (style === 'plain') return this.folded(text, indent, !key, false);
    if (style === 'single') {
      this.write("'");
      this.folded(text, indent, !key, true);
      return this.write("'");
    }
    if (style === 'literal') {
      this.write(text.endsWith('\n') ? '|' : '|-');
      for (const line of text.replace(/\n$/, '').split('\n')) {
        this.write('\n');
        if (line !== '') this.write(`${' '.repeat(indent)}${line}`);
      }
      return;
    }
    this.write(JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`));
  }
}

/** Go's string ordering (bytes of UTF-8; the same as code point order). */
function goSort(keys: readonly string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** `yaml.Marshal(map[string]map[string]string{...})` of yaml.v2. */
export function goYamlNestedStringMap(map: Readonly<Record<string, Readonly<Record<string, string>>>>): string {
  const emitter = new Emitter();
  for (const outer of goSort(Object.keys(map))) {
    emitter.scalar(outer, 0, true);
    emitter.write(':');
    const inner = map[outer] ?? {};
    const keys = goSort(Object.keys(inner));
    if (keys.length === 0) {
      emitter.write(' {}\n');
      continue;
    }
    for (const key of keys) {
      emitter.indent(2);
      emitter.scalar(key, 2, true);
      emitter.write(': ');
      emitter.scalar(inner[key] ?? '', 4, false);
    }
    emitter.write('\n');
  }
  return emitter.out;
}
