// Line and column of a JSON syntax error, for messages about config files.
import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorPosition, jsonSyntaxErrorWhere } from '../../src/common/index.js';

describe('jsonSyntaxErrorPosition', () => {
  it.each([
    { name: 'valid', text: '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]}', position: undefined },
    { name: 'unterminated object', text: '{"auths": {', position: { line: 1, column: 12 } },
    { name: 'bare word on line 3', text: '{\n  "a": 1,\n  "b": x\n}', position: { line: 3, column: 8 } },
    { name: 'trailing comma', text: '[1,]', position: { line: 1, column: 4 } },
    { name: 'missing comma', text: '{\n "version": "1.0"\n "trustPolicies": []\n}', position: { line: 3, column: 2 } },
    { name: 'control character in a string', text: '"a\tb"', position: { line: 1, column: 3 } },
    { name: 'bad escape', text: '"\\x"', position: { line: 1, column: 3 } },
    { name: 'leading zero', text: '01', position: { line: 1, column: 2 } },
    { name: 'text after the value', text: '{} {}', position: { line: 1, column: 4 } },
    { name: 'empty', text: '', position: { line: 1, column: 1 } },
  ])('$name', ({ text, position }) => {
    expect(jsonSyntaxErrorPosition(text)).toEqual(position);
    let parses = true;
    try {
      JSON.parse(text);
    } catch {
      parses = false;
    }
    expect(parses).toBe(position === undefined);
  });

  it('nesting too deep to locate: no position', () => {
    expect(jsonSyntaxErrorWhere(`${'['.repeat(600)}x`)).toBe('');
  });
});
