// Errors of the Sigstore domain: one class whose code is either a sigstore rule of its own or a shared code whose meaning is the same.
import { BaseError } from '../common/index.js';

/**
 * Codes this domain shares with Notary because they mean the same thing to a caller (an identity not
 * trusted, a chain that does not reach a root, a certificate not valid at the signing time …).
 */
export type SharedSigstoreCode =
  | 'UNTRUSTED_IDENTITY'
  | 'INVALID_CERTIFICATE_CHAIN'
  | 'CERTIFICATE_EXPIRED'
  | 'INVALID_SIGNATURE'
  | 'TARGET_ARTIFACT_MISMATCH'
  | 'TIMESTAMP_MISSING'
  | 'INVALID_TIMESTAMP'
  | 'UNTRUSTED_TIMESTAMP';

/** The codes CODE_INFO lists under the `sigstore` domain (test/verification/codes.test.ts checks they are exactly these). */
export type SigstoreOwnCode =
  /** A trusted_root.json (or TUF target) that cannot be read, parsed or used: the configuration is wrong. */
  | 'TRUSTED_ROOT_INVALID'
  /** A TUF repository that could not be reached now. */
  | 'TRUSTED_ROOT_UNAVAILABLE'
  /** An identity policy that cannot be applied (a bad regular expression, an unknown extension name, unreadable roots or keys). */
  | 'SIGSTORE_POLICY_INVALID'
  /** The leaf's (or an intermediate's) extended key usage does not allow code signing. */
  | 'CERTIFICATE_USAGE_INVALID'
  /** No embedded SCT although SCTs are required. */
  | 'SCT_MISSING'
  /** An SCT from an unknown CT log, or whose signature does not verify. */
  | 'SCT_INVALID'
  /** No transparency log entry although the log is required. */
  | 'TLOG_ENTRY_MISSING'
  /** The log entry's body is not about this signature, key or certificate and artifact. */
  | 'TLOG_ENTRY_MISMATCH'
  /** The entry's log is not among the trusted logs, or its key was not valid at the entry's time. */
  | 'TLOG_KEY_UNKNOWN'
  /** The signed entry timestamp (inclusion promise) does not verify. */
  | 'TLOG_SET_INVALID'
  /** The inclusion proof or its signed checkpoint does not verify. */
  | 'TLOG_INCLUSION_PROOF_INVALID'
  /** A Sigstore bundle that is not JSON, breaks the bundle schema, or is too large. */
  | 'BUNDLE_INVALID';

export type SigstoreErrorCode = SigstoreOwnCode | SharedSigstoreCode;

export class SigstoreError extends BaseError<SigstoreErrorCode> {}
