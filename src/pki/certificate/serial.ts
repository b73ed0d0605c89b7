// Certificate serial numbers compared as RFC 3161 tokens, OCSP responses and CRLs name them.

/** Serial number bytes as lower-case hex without leading zero octets, so DER sign padding does not matter. */
export function normaliseSerial(bytes: Uint8Array): string {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return Buffer.from(bytes.subarray(start)).toString('hex');
}
