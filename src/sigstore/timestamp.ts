// RFC 3161 timestamps over a signature, trusted through the root's timestamp authorities: the signing time they prove.
import { RFC3161Timestamp, crypto as sigstoreCrypto } from '@sigstore/core';
import { verifyRFC3161Timestamp } from '@sigstore/verify/dist/timestamp/tsa.js';
import { SigstoreError } from './errors.js';
import type { SigstoreTrust } from './trust.js';

/** Largest timestamp token accepted (a token with its TSA chain is a few KiB). */
export const MAX_TIMESTAMP_TOKEN_BYTES = 64 * 1024;

/**
 * The time an RFC 3161 token (a DER TimeStampToken or TimeStampResp) proves `signature` existed at.
 * Throws INVALID_TIMESTAMP for a token that cannot be read or is not over `signature`, UNTRUSTED_TIMESTAMP
 * when no timestamp authority of `trust` signed it.
 */
export function verifyRfc3161Timestamp(token: Uint8Array, signature: Uint8Array, trust: SigstoreTrust): Date {
  if (token.byteLength > MAX_TIMESTAMP_TOKEN_BYTES) {
    throw new SigstoreError('INVALID_TIMESTAMP', `the RFC 3161 timestamp is ${token.byteLength} bytes, more than the limit of ${MAX_TIMESTAMP_TOKEN_BYTES}`);
  }
  let timestamp: RFC3161Timestamp;
  try {
    timestamp = RFC3161Timestamp.parse(Buffer.from(token));
  } catch (err) {
    throw new SigstoreError('INVALID_TIMESTAMP', `the RFC 3161 timestamp cannot be parsed: ${(err as Error).message}`, { cause: err });
  }
  const authorities = trust.trustMaterial.timestampAuthorities;
  const signer = authorities.find(
    (ca) => ca.certChain[0] && sigstoreCrypto.bufferEqual(ca.certChain[0].serialNumber, timestamp.signerSerialNumber) && sigstoreCrypto.bufferEqual(ca.certChain[0].issuer, timestamp.signerIssuer),
  );
  if (!signer) throw new SigstoreError('UNTRUSTED_TIMESTAMP', `the RFC 3161 timestamp was signed by none of the timestamp authorities of ${trust.origin}`);
  try {
    verifyRFC3161Timestamp(timestamp, Buffer.from(signature), authorities);
  } catch (err) {
    throw new SigstoreError(
      'INVALID_TIMESTAMP',
      `the RFC 3161 timestamp of ${timestamp.signingTime.toISOString()} does not verify over the signature with the timestamp authorities of ${trust.origin} valid then`,
      { cause: err },
    );
  }
  return timestamp.signingTime;
}
