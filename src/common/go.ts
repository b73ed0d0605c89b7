// Go standard-library behaviours our compatibility contract depends on: strconv.ParseBool, time.ParseDuration, encoding/json's output.

const TRUE_WORDS: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS: ReadonlySet<string> = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool: the value, or undefined where Go returns ErrSyntax. */
export function goParseBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/** Nanoseconds per unit of time.ParseDuration; both micro signs (U+00B5, U+03BC) as Go accepts them. */
const NANOSECONDS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n],
  ['\u03bcs', 1_000n],
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

/** |math.MinInt64|: a time.Duration is an int64 of nanoseconds. */
const INT64_LIMIT = 1n << 63n;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Go's time.ParseDuration (`[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+`, or `0`): the duration in nanoseconds,
 * or undefined where Go returns an error (syntax, missing or unknown unit, outside int64). Fractions
 * are computed as Go does, in float64, so values agree to the nanosecond; the Kyverno duration
 * operators and Go-style flags both rely on that.
 */
export function goParseDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    if (rest[0] !== '.' && !isDigit(rest.charCodeAt(0))) return undefined;
    let index = 0;
    let whole = 0n;
    for (; index < rest.length && isDigit(rest.charCodeAt(index)); index++) {
      whole = whole * 10n + BigInt(rest.charCodeAt(index) - 0x30);
      if (whole > INT64_LIMIT) return undefined;
    }
    const hasWhole = index > 0;
    let fraction = 0n;
    let scale = 1;
    let hasFraction = false;
    if (rest[index] === '.') {
      index++;
      // Digits past int64 precision are consumed but ignored, as Go's leadingFraction does.
      let saturated = false;
      for (; index < rest.length && isDigit(rest.charCodeAt(index)); index++) {
        hasFraction = true;
        if (saturated) continue;
        const next = fraction * 10n + BigInt(rest.charCodeAt(index) - 0x30);
        if (fraction > (INT64_LIMIT - 1n) / 10n || next > INT64_LIMIT) {
          saturated = true;
          continue;
        }
        fraction = next;
        scale *= 10;
      }
    }
    if (!hasWhole && !hasFraction) return undefined;
    rest = rest.slice(index);
    let unitEnd = 0;
    while (unitEnd < rest.length && rest[unitEnd] !== '.' && !isDigit(rest.charCodeAt(unitEnd))) unitEnd++;
    const unit = NANOSECONDS_PER_UNIT.get(rest.slice(0, unitEnd));
    if (unit === undefined) return undefined;
    rest = rest.slice(unitEnd);
    if (whole > INT64_LIMIT / unit) return undefined;
    let value = whole * unit;
    if (fraction > 0n) {
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / scale)));
      if (value > INT64_LIMIT) return undefined;
    }
    total += value;
    if (total > INT64_LIMIT) return undefined;
  }
  if (negative) return -total;
  return total < INT64_LIMIT ? total : undefined;
}

/**
 * Go's encoding/json HTML-safe escaping applied to a JSON text (json.HTMLEscape, which json.Marshal
 * applies by default): `<`, `>`, `&`, U+2028 and U+2029 as \uXXXX. They occur only inside strings,
 * so the whole text can be rewritten. The other string escapes already agree with JSON.stringify
 * (`\b` and `\f` since Go 1.22, lower-case hex for the other control characters).
 */
export function goJsonEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Serialise JSON with object keys in insertion order (Go structs) or sorted (Go maps). Written out
 * rather than JSON.stringify because that moves integer-like keys ("123") to the front.
 */
function serialise(value: unknown, sortObjectKeys: boolean, indent = '', depth = ''): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      // json.MarshalIndent: members on their own lines, empty containers stay `[]` and `{}`.
      const inner = depth + indent;
      const open = indent === '' ? '' : `\n${inner}`;
      const close = indent === '' ? '' : `\n${depth}`;
      const separator = indent === '' ? ',' : `,\n${inner}`;
      const colon = indent === '' ? ':' : ': ';
      if (Array.isArray(value)) {
        if (value.length === 0) return '[]';
        return `[${open}${value.map((item) => serialise(item, sortObjectKeys, indent, inner) ?? 'null').join(separator)}${close}]`;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (sortObjectKeys) keys.sort();
      const members: string[] = [];
      for (const key of keys) {
        const member = serialise(record[key], sortObjectKeys, indent, inner);
        if (member !== undefined) members.push(`${JSON.stringify(key)}${colon}${member}`);
      }
      if (members.length === 0) return '{}';
      return `{${open}${members.join(separator)}${close}}`;
    }
    default:
      return undefined;
  }
}

/** JSON of a Go struct: members in the order given, Go's HTML escaping. */
export function goJsonStruct(value: Record<string, unknown>): string {
  return goJsonEscape(serialise(value, false) ?? 'null');
}

/** json.Marshal of decoded JSON (interface{}): map keys sorted at every level, Go's HTML escaping. */
export function goJsonValue(value: unknown): string {
  return goJsonEscape(serialise(value, true) ?? 'null');
}

/** json.MarshalIndent(value, "", indent) of decoded JSON: as goJsonValue, one member per line. */
export function goJsonIndent(value: unknown, indent = '  '): string {
  return goJsonEscape(serialise(value, true, indent) ?? 'null');
}

/** json.MarshalIndent of a Go struct: members in the order given (sort nested maps before), Go's HTML escaping. */
export function goJsonStructIndent(value: Record<string, unknown>, indent = '  '): string {
  return goJsonEscape(serialise(value, false, indent) ?? 'null');
}

/** JSON of a Go map: keys sorted at every level, Go's HTML escaping. */
export function goJsonMap(value: Record<string, unknown>): string {
  return goJsonEscape(serialise(value, true) ?? 'null');
}

/** Go's strconv underscoreOK: `_` only between digits, or between a base prefix and a digit. */
function underscoreOK(text: string): boolean {
  let rest = text[0] === '+' || text[0] === '-' ? text.slice(1) : text;
  let saw = '^';
  let hex = false;
  if (rest.length >= 2 && rest[0] === '0' && 'bBoOxX'.includes(rest[1] as string)) {
    hex = rest[1] === 'x' || rest[1] === 'X';
    rest = rest.slice(2);
    saw = '0';
  }
  for (const char of rest) {
    if ((char >= '0' && char <= '9') || (hex && /[a-fA-F]/.test(char))) {
      saw = '0';
    } else if (char === '_') {
      if (saw !== '0') return false;
      saw = '_';
    } else {
      if (saw === '_') return false;
      saw = '!';
    }
  }
  return saw !== '_';
}

const DECIMAL_FLOAT = /^[+-]?(?=[0-9_]*\.?[0-9])[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?$/;
const HEX_FLOAT = /^([+-]?)0[xX]([0-9a-fA-F_]*)(?:\.([0-9a-fA-F_]*))?[pP]([+-]?[0-9_]+)$/;

/**
 * Go's strconv.ParseFloat(text, 64): the value, or undefined where Go returns an error (syntax, or
 * ErrRange on overflow to ±Inf). Accepts what Go accepts and JavaScript's Number() does not agree
 * with: `inf`/`infinity`/`nan` in any case, hexadecimal mantissas with a `p` exponent, and `_`
 * between digits; refuses what Number() accepts and Go does not: "", blanks, `0x10` without `p`.
 */
export function goParseFloat(text: string): number | undefined {
  const special = /^([+-]?)(inf|infinity)$/i.exec(text);
  if (special !== null) return special[1] === '-' ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (text.includes('_') && !underscoreOK(text)) return undefined;
  let value: number;
  const hex = HEX_FLOAT.exec(text);
  if (hex !== null) {
    const whole = (hex[2] ?? '').replaceAll('_', '');
    const fraction = (hex[3] ?? '').replaceAll('_', '');
    if (whole.length + fraction.length === 0) return undefined;
    const mantissa = Number(BigInt(`0x${whole}${fraction}`));
    value = mantissa * 2 ** (Number(hex[4]?.replaceAll('_', '')) - 4 * fraction.length);
    if (hex[1] === '-') value = -value;
  } else if (DECIMAL_FLOAT.test(text)) {
    value = Number(text.replaceAll('_', ''));
  } else {
    return undefined;
  }
  return Number.isFinite(value) ? value : undefined;
}

/**
 * fmt.Sprint of a float64 (`%v`, strconv's shortest `%g`): the shortest round-trip digits, in
 * exponent form with a signed two-digit exponent when the decimal exponent is below -4 or at least
 * 6 (Go prints 1e+06 and 123456); `+Inf`, `-Inf`, `NaN`.
 */
export function goFormatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [digits = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${digits}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return value.toFixed(Math.max(0, (digits.replace(/^-/, '').replace('.', '').length - 1) - exponent));
}
