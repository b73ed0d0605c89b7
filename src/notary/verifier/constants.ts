// Defaults, limits and names used by the verifier.

/** Signatures tried per artifact, like kyverno-notation-aws's --maxSignatureAttempts and notation's default. */
export const DEFAULT_MAX_SIGNATURES = 30;
/** Hard ceiling on --max-signatures, so a caller cannot make one request fetch without bound. */
export const MAX_SIGNATURES_LIMIT = 1000;
/** The `verifyTimestamp` value that verifies timestamps only once the signing chain has expired. */
export const VERIFY_TIMESTAMP_AFTER_CERT_EXPIRY = 'afterCertExpiry';

/** The trust store type whose roots anchor timestamp authorities. */
export const TRUST_STORE_TYPE_TSA = 'tsa';
/** What an UNTRUSTED_TIMESTAMP message tells the user to do (pki's verifier appends it). */
export const TSA_TRUST_HINT = 'add the TSA root certificate to a trust store of type tsa named in the trust policy';

/**
 * Work per image verification (see WorkBudget): 30 signatures each with a 4-certificate chain and
 * a timestamp token with 4 certificates fit several times over; a chain of 16 anchored only by
 * appending a trusted root, on every signature, does not.
 */
export const DEFAULT_WORK_LIMITS = {
  certificatesParsed: 300,
  signaturesChecked: 600,
  bytesParsed: 16 * 1024 * 1024,
} as const;
