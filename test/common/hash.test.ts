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
