// Errors of the Notary verifier and signer: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';
import { PkiError, type PkiErrorCode } from '../pki/index.js';

export type NotaryErrorCode =
  /** No signature manifest refers to the artifact. */
  | 'SIGNATURE_NOT_FOUND'
  /** The envelope cannot be parsed or breaks the envelope spec (headers, encoding). */
  | 'MALFORMED_SIGNATURE'
  /** Envelope media type other than JWS or COSE. */
  | 'UNSUPPORTED_SIGNATURE_FORMAT'
  /** Signature algorithm or key not allowed by the spec. */
  | 'UNSUPPORTED_ALGORITHM'
  /** Integrity: the signature bytes do not verify with the leaf certificate's key. */
  | 'INVALID_SIGNATURE'
  /** A critical header or extended attribute nobody claims. */
  | 'UNKNOWN_CRITICAL_ATTRIBUTE'
  /** The payload's targetArtifact differs from the artifact being verified. */
  | 'TARGET_ARTIFACT_MISMATCH'
  /** The certificate chain does not chain to a certificate of the named trust stores. */
  | 'UNTRUSTED_SIGNER'
  /** The leaf certificate matches none of the trusted identities. */
  | 'UNTRUSTED_IDENTITY'
  /** The signature's expiry time has passed. */
  | 'SIGNATURE_EXPIRED'
  /** No timestamp where one is needed to establish an authentic signing time. */
  | 'TIMESTAMP_MISSING'
  /** Trust policy document breaks a rule of the spec. */
  | 'INVALID_TRUST_POLICY'
  /** No trust policy statement's registryScopes covers the artifact. */
  | 'NO_APPLICABLE_TRUST_POLICY'
  /** A trust store is missing, empty or holds certificates it must not. */
  | 'INVALID_TRUST_STORE'
  /** The signature needs a verification plugin imgverify does not provide. */
  | 'PLUGIN_REQUIRED'
  /** The user metadata asked for is not in the signature. */
  | 'USER_METADATA_MISMATCH'
  /** Bad input to sign or verify (reference, key, options). */
  | 'INVALID_INPUT'
  /** The verification deadline passed. */
  | 'VERIFICATION_TIMEOUT'
  /** A verification plugin failed, timed out or answered outside the plugin contract. */
  | 'PLUGIN_ERROR'
  /** More signatures than the configured limit were found and none of those tried passed. */
  | 'SIGNATURE_LIMIT_EXCEEDED'
  /** The verification's work budget (certificates parsed, signatures checked, bytes parsed) is spent. */
  | 'WORK_BUDGET_EXCEEDED'
  /** An unexpected failure inside the verifier; verification fails closed. */
  | 'INTERNAL_ERROR';

/**
 * Notary's own codes, and pki's where a Notary rule fails with the same meaning (a chain that breaks
 * the Notary certificate requirements is INVALID_CERTIFICATE_CHAIN; a TSA chain that does,
 * INVALID_TIMESTAMP).
 */
export class NotaryError extends BaseError<NotaryErrorCode | PkiErrorCode> {}

/** An error of notary or of the PKI primitives it builds on: the failures its handlers pass on as they are. */
export function isNotaryFailure(err: unknown): err is NotaryError | PkiError {
  return err instanceof NotaryError || err instanceof PkiError;
}

/** `read()`, with pki's INVALID_CERTIFICATE given the code of the caller's context (same message). */
export function recodeInvalidCertificate<T>(code: NotaryErrorCode, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof PkiError && err.code === 'INVALID_CERTIFICATE') throw new NotaryError(code, err.message, { cause: err });
    throw err;
  }
}
