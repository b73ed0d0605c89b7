// Byte-string equality, the one comparison the DER, digest and nonce checks share.

/**
 * True when `a` and `b` hold the same bytes. Not constant-time: every caller compares public
 * values (DER names, certificate bytes, digests of public data), never secrets.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}
