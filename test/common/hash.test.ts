// hexDigest: the digests verification compares against, equal to createHash's for every algorithm it is asked for.
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { hexDigest } from '../../src/common/hash.js';

test.each(['sha256', 'sha512'])('%s of empty, short and 1 MiB inputs equals createHash', (algorithm) => {
  for (const data of [new Uint8Array(0), new TextEncoder().encode('{"schemaVersion":2}'), new Uint8Array(1 << 20).fill(7)]) {
    expect(hexDigest(algorithm, data)).toBe(createHash(algorithm).update(data).digest('hex'));
  }
  expect(hexDigest('sha256', new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

test('a string is digested as its UTF-8 bytes, as createHash.update(string) does', () => {
  for (const text of ['', 'ca:kyverno', 'é ✓ 𝄞', '\0key\nwith\nlines']) {
    expect(hexDigest('sha256', text)).toBe(createHash('sha256').update(new TextEncoder().encode(text)).digest('hex'));
  }
  // "abc", the FIPS 180-2 example.
  expect(hexDigest('sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
