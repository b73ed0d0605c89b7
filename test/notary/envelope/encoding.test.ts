// The strict base64 decoders against their definition: accepted exactly when re-encoding the bytes gives the text back.
import { expect, test } from 'vitest';
import { decodeBase64, decodeBase64UrlLenient } from '../../../src/notary/envelope/encoding.js';

const CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_=';

/** Every string of up to 3 characters from a few telling ones, then random ones of lengths 4-12. */
function texts(): string[] {
  const few = ['A', 'B', 'I', 'P', 'Q', 'g', 'w', '/', '_', '=', '-', '+', '8'];
  const out = [''];
  for (const a of few) {
    out.push(a);
    for (const b of few) {
      out.push(a + b);
      for (const c of few) out.push(a + b + c, `AAAA${a}${b}${c}`, `${a}${b}${c}=`, `${a}${b}==`, `${a}${b}${c}`);
    }
  }
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    for (let n = 4 + (next() % 9); n > 0; n--) text += CHARACTERS[next() % CHARACTERS.length];
    out.push(text);
  }
  return out;
}

test('decodeBase64 takes exactly the canonical padded base64', () => {
  let accepted = 0;
  for (const text of texts()) {
    const wellFormed = /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
    const canonical = wellFormed && Buffer.from(text, 'base64').toString('base64') === text;
    const decoded = decodeBase64(text);
    expect(decoded !== undefined, text).toBe(canonical);
    if (decoded) {
      accepted++;
      expect(Buffer.from(decoded).equals(Buffer.from(text, 'base64')), text).toBe(true);
    }
  }
  expect(accepted).toBeGreaterThan(1000);
});

test('decodeBase64UrlLenient calls canonical exactly the unpadded base64url that re-encodes to itself', () => {
  let canonicalSeen = 0;
  for (const text of texts()) {
    const wellFormed = /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1;
    const canonical = wellFormed && Buffer.from(text, 'base64url').toString('base64url') === text;
    const decoded = decodeBase64UrlLenient(text);
    expect(decoded?.canonical === true, text).toBe(canonical);
    if (decoded?.canonical) {
      canonicalSeen++;
      expect(Buffer.from(decoded.bytes).equals(Buffer.from(text, 'base64url')), text).toBe(true);
    }
  }
  expect(canonicalSeen).toBeGreaterThan(1000);
});
