// Errors of the attestation domain: one class, a stable code per way a required attestation fails.
import { BaseError } from '../common/index.js';

export type AttestErrorCode =
  /** No referrer of the image has the required artifact type. */
  | 'ATTESTATION_NOT_FOUND'
  /** Attestations of the type exist, but none carries a signature the trust policy accepts. */
  | 'ATTESTATION_UNTRUSTED'
  /** The newest trusted attestation of the type does not satisfy the conditions. */
  | 'ATTESTATION_CONDITIONS_FAILED'
  /** The attestation's content cannot be read: not one layer, too large, not JSON or YAML. */
  | 'INVALID_ATTESTATION';

export class AttestError extends BaseError<AttestErrorCode> {}
