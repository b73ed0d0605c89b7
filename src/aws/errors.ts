// Errors of the AWS domain: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type AwsErrorCode =
  /** A verify-signature request the AWS Signer verifier refuses (the plugin's VALIDATION_ERROR / UNSUPPORTED_ERROR). */
  | 'AWS_SIGNER_INVALID_REQUEST'
  /** An `awskms://` key that cannot be used: not a KMS key URI, an endpoint of the policy's choosing, no region, not a signing key. */
  | 'AWS_KMS_INVALID_KEY'
  /** KMS did not give the public key now (credentials, network, throttling): never a verdict on the image. */
  | 'AWS_KMS_KEY_UNAVAILABLE';

export class AwsError extends BaseError<AwsErrorCode> {}
