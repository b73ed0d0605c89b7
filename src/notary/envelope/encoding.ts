// Strict base64 / base64url, so untrusted input parses exactly (Go-compatible JSON is src/common/go.ts).

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** RFC 7515 base64url without padding; undefined when `text` is not exactly that. */
function decodeBase64Url(text: string): Uint8Array | undefined {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  // Reject non-canonical trailing bits: re-encoding must give the same text.
  if (bytes.toString('base64url') !== text) return undefined;
  return new Uint8Array(bytes);
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
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
