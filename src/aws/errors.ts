// Errors of the AWS domain: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type AwsErrorCode =
  /** A verify-signature request the AWS Signer verifier refuses (the plugin's VALIDATION_ERROR / UNSUPPORTED_ERROR). */
  | 'AWS_SIGNER_INVALID_REQUEST';

export class AwsError extends BaseError<AwsErrorCode> {}
