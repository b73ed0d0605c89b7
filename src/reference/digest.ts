// Syntax of content digests (`<algorithm>:<hex>`) for the algorithms the OCI image spec registers.
import { DIGEST_HEX_LENGTH } from './constants.js';

const DIGEST_SYNTAX = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** Why `value` is not a usable digest, or undefined when it is one. Pure; used by parsers. */
export function digestProblem(value: string): string | undefined {
  const match = DIGEST_SYNTAX.exec(value);
  if (!match) return `invalid digest format ${JSON.stringify(value)} (expected <algorithm>:<hex>)`;
  const algorithm = match[1] as string;
  const encoded = match[2] as string;
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) {
    return `unsupported digest algorithm "${algorithm}" (use ${Object.keys(DIGEST_HEX_LENGTH).join(' or ')})`;
  }
  if (encoded.length !== length || !/^[a-f0-9]+$/.test(encoded)) {
    return `invalid ${algorithm} digest: needs exactly ${length} lower-case hex characters, got ${JSON.stringify(encoded.length > 140 ? encoded.slice(0, 140) + '…' : encoded)}`;
  }
  return undefined;
}

/** Lower-case hex, by character code (no regex, no match array). */
function isLowerHex(value: string, from: number): boolean {
  for (let i = from; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/**
 * True when `value` is a well-formed sha256 or sha512 digest: digestProblem's answer without building its
 * message (every tag of every request is asked, and a tag is never a digest).
 */
export function isDigest(value: string): boolean {
  const colon = value.indexOf(':');
  if (colon < 0) return false;
  const algorithm = value.slice(0, colon);
  // Own members only: `constructor:…` names no algorithm.
  if (!Object.hasOwn(DIGEST_HEX_LENGTH, algorithm)) return false;
  return value.length === colon + 1 + (DIGEST_HEX_LENGTH[algorithm] as number) && isLowerHex(value, colon + 1);
}
