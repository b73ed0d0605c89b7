// Go compatibility: cases taken from Go's own test tables (strconv/atob_test.go atobtests,
// time/time_test.go parseDurationTests and parseDurationErrorTests, encoding/json/encode_test.go
// encodeStringTests and TestHTMLEscape), so a difference from Go is a failing row here.
import { describe, expect, test } from 'vitest';
import { goFormatFloat, goJsonEscape, goJsonIndent, goJsonMap, goJsonStruct, goParseBool, goParseDuration, goParseFloat } from '../../src/common/index.js';

const NS = 1n;
const US = 1_000n * NS;
const MS = 1_000n * US;
const S = 1_000n * MS;
const M = 60n * S;
const H = 60n * M;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

describe('goParseBool (strconv atobtests)', () => {
  test.each<[string, boolean | undefined]>([
    ['', undefined],
    ['asdf', undefined],
    ['0', false],
    ['f', false],
    ['F', false],
    ['FALSE', false],
    ['false', false],
    ['False', false],
    ['1', true],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['true', true],
    ['True', true],
    // Not in Go's table, but ParseBool refuses them too: only those exact spellings count.
    ['yes', undefined],
    ['tRUE', undefined],
    [' true', undefined],
  ])('%j → %s', (text, expected) => {
    expect(goParseBool(text)).toBe(expected);
  });
});

describe('goParseDuration (time parseDurationTests)', () => {
  test.each<[string, bigint]>([
    // simple
    ['0', 0n],
    ['5s', 5n * S],
    ['30s', 30n * S],
    ['1478s', 1478n * S],
    // sign
    ['-5s', -5n * S],
    ['+5s', 5n * S],
    ['-0', 0n],
    ['+0', 0n],
    // decimal
    ['5.0s', 5n * S],
    ['5.6s', 5n * S + 600n * MS],
    ['5.s', 5n * S],
    ['.5s', 500n * MS],
    ['1.0s', 1n * S],
    ['1.00s', 1n * S],
    ['1.004s', 1n * S + 4n * MS],
    ['1.0040s', 1n * S + 4n * MS],
    ['100.00100s', 100n * S + 1n * MS],
    // different units
    ['10ns', 10n * NS],
    ['11us', 11n * US],
    ['12\u00b5s', 12n * US],
    ['12\u03bcs', 12n * US],
    ['13ms', 13n * MS],
    ['14s', 14n * S],
    ['15m', 15n * M],
    ['16h', 16n * H],
    // composite durations
    ['3h30m', 3n * H + 30n * M],
    ['10.5s4m', 4n * M + 10n * S + 500n * MS],
    ['-2m3.4s', -(2n * M + 3n * S + 400n * MS)],
    ['1h2m3s4ms5us6ns', 1n * H + 2n * M + 3n * S + 4n * MS + 5n * US + 6n * NS],
    ['39h9m14.425s', 39n * H + 9n * M + 14n * S + 425n * MS],
    // large value
    ['52763797000ns', 52763797000n * NS],
    // more than 9 digits after decimal point (golang.org/issue/6617)
    ['0.3333333333333333333h', 20n * M],
    // 1<<53+1 cannot be stored precisely in a float64
    ['9007199254740993ns', (1n << 53n) + 1n],
    // largest duration that can be represented by int64 in nanoseconds
    ['9223372036854775807ns', INT64_MAX],
    ['9223372036854775.807us', INT64_MAX],
    ['9223372036s854ms775us807ns', INT64_MAX],
    ['-9223372036854775808ns', INT64_MIN],
    ['-9223372036854775.808us', INT64_MIN],
    ['-9223372036s854ms775us808ns', INT64_MIN],
    // largest negative round trip value (golang.org/issue/48629)
    ['-2562047h47m16.854775808s', INT64_MIN],
    // huge string (golang.org/issue/15011)
    ['0.100000000000000000000h', 6n * M],
    // the first overflow check in leadingFraction
    ['0.830103483285477580700h', 49n * M + 48n * S + 372539827n * NS],
  ])('%j → %s ns', (text, nanoseconds) => {
    expect(goParseDuration(text)).toBe(nanoseconds);
  });

  // Go's error table; its invalid-UTF-8 rows become the same code points as JavaScript text.
  test.each([
    '',
    '3',
    '-',
    's',
    '.',
    '-.',
    '.s',
    '+.s',
    '1d',
    '\x85\x85',
    '\xffff',
    'hello \xffff world',
    '\uFFFD',
    '\uFFFD hello \uFFFD world',
    // overflow
    '9223372036854775810ns',
    '9223372036854775808ns',
    '-9223372036854775809ns',
    '9223372036854776us',
    '3000000h',
    '9223372036854775.808us',
    '9223372036854ms775us808ns',
  ])('%j is refused', (text) => {
    expect(goParseDuration(text)).toBeUndefined();
  });
});

describe('Go encoding/json output', () => {
  // encodeStringTests: control characters, \b and \f as Go 1.22 and later write them.
  const controls: Array<[string, string]> = [
    ['\x00', '"\\u0000"'],
    ['\x01', '"\\u0001"'],
    ['\x02', '"\\u0002"'],
    ['\x03', '"\\u0003"'],
    ['\x04', '"\\u0004"'],
    ['\x05', '"\\u0005"'],
    ['\x06', '"\\u0006"'],
    ['\x07', '"\\u0007"'],
    ['\x08', '"\\b"'],
    ['\x09', '"\\t"'],
    ['\x0a', '"\\n"'],
    ['\x0b', '"\\u000b"'],
    ['\x0c', '"\\f"'],
    ['\x0d', '"\\r"'],
    ['\x0e', '"\\u000e"'],
    ['\x0f', '"\\u000f"'],
    ['\x10', '"\\u0010"'],
    ['\x11', '"\\u0011"'],
    ['\x12', '"\\u0012"'],
    ['\x13', '"\\u0013"'],
    ['\x14', '"\\u0014"'],
    ['\x15', '"\\u0015"'],
    ['\x16', '"\\u0016"'],
    ['\x17', '"\\u0017"'],
    ['\x18', '"\\u0018"'],
    ['\x19', '"\\u0019"'],
    ['\x1a', '"\\u001a"'],
    ['\x1b', '"\\u001b"'],
    ['\x1c', '"\\u001c"'],
    ['\x1d', '"\\u001d"'],
    ['\x1e', '"\\u001e"'],
    ['\x1f', '"\\u001f"'],
  ];
  test.each(controls)('string %j → %s', (text, json) => {
    expect(goJsonStruct({ s: text })).toBe(`{"s":${json}}`);
  });

  test('HTML characters and line separators (TestHTMLEscape)', () => {
    const input = '{"M":"<html>foo &\u2028 \u2029</html>"}';
    expect(goJsonEscape(input)).toBe('{"M":"\\u003chtml\\u003efoo \\u0026\\u2028 \\u2029\\u003c/html\\u003e"}');
    expect(goJsonStruct({ M: '<html>foo &\u2028 \u2029</html>' })).toBe('{"M":"\\u003chtml\\u003efoo \\u0026\\u2028 \\u2029\\u003c/html\\u003e"}');
  });

  test('a struct keeps the order given; a map sorts its keys at every level, integer-like keys included', () => {
    const value = { b: 1, a: { z: true, '10': null, '9': 'x' }, c: [{ y: 1, x: 2 }], skipped: undefined };
    expect(goJsonStruct({ b: 1, a: 'x' })).toBe('{"b":1,"a":"x"}');
    expect(goJsonMap(value)).toBe('{"a":{"10":null,"9":"x","z":true},"b":1,"c":[{"x":2,"y":1}]}');
  });
});

describe('goFormatFloat, goParseFloat, goJsonIndent (fmt.Sprint, strconv.ParseFloat, json.MarshalIndent)', () => {
  test.each([
    [1, '1'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5, '1.5'],
  ])('fmt.Sprint(%d) is %s', (value, text) => {
    expect(goFormatFloat(value)).toBe(text);
  });

  test.each([
    ['1_000', 1000],
    ['inf', Infinity],
    ['0x1p-2', 0.25],
    [' 1', undefined],
    ['', undefined],
    ['1e400', undefined],
    ['0x10', undefined],
  ])('strconv.ParseFloat(%j) is %s', (text, value) => {
    expect(goParseFloat(text)).toBe(value);
  });

  test('json.MarshalIndent: sorted keys, empty containers inline, HTML escaped', () => {
    expect(goJsonIndent({ b: [], a: { c: '<x>' } })).toBe('{\n  "a": {\n    "c": "\\u003cx\\u003e"\n  },\n  "b": []\n}');
  });
});
