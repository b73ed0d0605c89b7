// Errors of the webhook domain: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type WebhookErrorCode =
  /** The body is not an AdmissionReview v1 request we can answer (shape, size, depth). */
  | 'INVALID_ADMISSION_REVIEW'
  /** The policies could not be evaluated within the answer deadline. */
  | 'ADMISSION_TIMEOUT'
  /** The engine failed for another reason (a bug, an unexpected state). */
  | 'ADMISSION_FAILED'
  /** A document given to `imgverify convert` (or read from the cluster) is not a Kyverno or imgverify policy. */
  | 'INVALID_POLICY_DOCUMENT';

export class WebhookError extends BaseError<WebhookErrorCode> {}
