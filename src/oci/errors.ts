// The error of the OCI domain (registries and layouts): one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type OciErrorCode =
  /** No manifest under that tag or digest. */
  | 'MANIFEST_NOT_FOUND'
  /** No blob with that digest. */
  | 'BLOB_NOT_FOUND'
  /** Content does not hash to the digest it was asked for (or its size differs). */
  | 'DIGEST_MISMATCH'
  /** A manifest, blob, page or list is larger than the configured limit. */
  | 'SIZE_LIMIT_EXCEEDED'
  /** The registry cannot be reached or keeps failing (network errors, 5xx, 429 after retries). */
  | 'REGISTRY_UNAVAILABLE'
  /** The registry refused our credentials or demands some (401/403). */
  | 'UNAUTHORIZED'
  /** A manifest or index that is not valid JSON or breaks the OCI/Docker schema. */
  | 'INVALID_MANIFEST'
  /** A manifest media type we do not handle (e.g. Docker schema 1). */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** A directory that is not a valid OCI image layout. */
  | 'INVALID_LAYOUT'
  /** Credentials could not be read (config.json unreadable, credential helper failed). */
  | 'CREDENTIALS_UNAVAILABLE'
  /** Connect, header or body timeout. */
  | 'TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'ABORTED'
  /** The registry answered something the distribution spec does not allow. */
  | 'REGISTRY_ERROR'
  /** A caller passed an argument we cannot use (bad digest string, bad option). */
  | 'INVALID_ARGUMENT';

export class OciError extends BaseError<OciErrorCode> {
  /** HTTP status of the response that caused the error, when there was one. */
  readonly status?: number;

  constructor(code: OciErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}
