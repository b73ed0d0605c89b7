// bytesEqual: length and content both decide, views compare by their window, not their buffer.
import { describe, expect, test } from 'vitest';
import { bytesEqual } from '../../src/common/index.js';

const backing = new Uint8Array([9, 1, 2, 3, 9]);

describe('bytesEqual', () => {
  test.each<[string, Uint8Array, Uint8Array, boolean]>([
    ['two empty strings', new Uint8Array(0), new Uint8Array(0), true],
    ['same bytes', new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]), true],
    ['a Buffer and a Uint8Array with the same bytes', Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3]), true],
    ['a subarray view and a fresh array', backing.subarray(1, 4), new Uint8Array([1, 2, 3]), true],
    ['one byte differs', new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]), false],
    ['a prefix', new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]), false],
    ['empty against one zero byte', new Uint8Array(0), new Uint8Array([0]), false],
    ['a view against its whole buffer', backing.subarray(1, 4), backing, false],
  ])('%s → %s', (_name, a, b, expected) => {
    expect(bytesEqual(a, b)).toBe(expected);
    expect(bytesEqual(b, a)).toBe(expected);
  });
});
