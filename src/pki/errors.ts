// Errors of the PKI primitives (X.509, RFC 3161, OCSP/CRL): one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type PkiErrorCode =
  /** The bytes are not a certificate (or a bundle of them) within the bounds: empty, not DER/PEM, truncated, too many. */
  | 'INVALID_CERTIFICATE'
  /** A certificate of the chain cannot be read, breaks the chain requirements, or has a key beyond the bounds. */
  | 'INVALID_CERTIFICATE_CHAIN'
  /** A certificate of the chain was not valid at the (authentic) signing time. */
  | 'CERTIFICATE_EXPIRED'
  /** The RFC 3161 timestamp token is malformed, does not verify, or does not cover the signature. */
  | 'INVALID_TIMESTAMP'
  /** The timestamp token's TSA does not chain to the trusted TSA certificates. */
  | 'UNTRUSTED_TIMESTAMP'
  /** The timestamp authority could not be reached, timed out or refused the request (signing). */
  | 'TIMESTAMP_UNAVAILABLE'
  /** A certificate of the chain is revoked. */
  | 'CERTIFICATE_REVOKED'
  /** Revocation status could not be determined (responder unreachable, bad response...). */
  | 'REVOCATION_UNKNOWN';

export class PkiError extends BaseError<PkiErrorCode> {}
