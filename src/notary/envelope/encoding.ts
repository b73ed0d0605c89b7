// Strict base64 / base64url, so untrusted input parses exactly (Go-compatible JSON is src/common/go.ts).

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Whether the last character of well-formed text whose final group holds `bytes` (1 or 2) bytes has
 * zero bits below them: the canonical encoding, the one text that re-encoding the bytes gives back.
 */
function zeroTrailingBits(last: string, alphabet: string, bytes: 1 | 2): boolean {
  return (alphabet.indexOf(last) & (bytes === 1 ? 0x0f : 0x03)) === 0;
}

/** RFC 7515 base64url without padding; undefined when `text` is not exactly that. */
function decodeBase64Url(text: string): Uint8Array | undefined {
  const rest = text.length % 4;
  if (!BASE64URL.test(text) || rest === 1) return undefined;
  // Reject non-canonical trailing bits (2 or 3 characters in the last group hold 1 or 2 bytes).
  if (rest !== 0 && !zeroTrailingBits(text[text.length - 1] as string, BASE64URL_ALPHABET, rest === 2 ? 1 : 2)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/**
 * base64url that also reads text RFC 7515 forbids: trailing `=` padding or a stray final
 * character. Such text changes the signing input, so it cannot carry a valid signature: the
 * envelope reads, then fails integrity (notation-go reports it as a signature integrity error).
 */
export function decodeBase64UrlLenient(text: string): { bytes: Uint8Array; canonical: boolean } | undefined {
  const strict = decodeBase64Url(text);
  if (strict) return { bytes: strict, canonical: true };
  if (!/^[A-Za-z0-9_-]*=*$/.test(text)) return undefined;
  return { bytes: new Uint8Array(Buffer.from(text.replace(/=+$/, ''), 'base64url')), canonical: false };
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** Standard base64 with padding (how Go's encoding/json writes []byte and RFC 7515 writes x5c). */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text) || text.length % 4 !== 0) return undefined;
  // Reject non-canonical trailing bits: `==` ends a group of 1 byte, `=` one of 2.
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding !== 0 && !zeroTrailingBits(text[text.length - padding - 1] as string, BASE64_ALPHABET, padding === 2 ? 1 : 2)) return undefined;
  return new Uint8Array(Buffer.from(text, 'base64'));
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
