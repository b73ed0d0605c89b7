// Errors of the service domain (startup and options): one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type ServiceErrorCode =
  /** A flag or option has a value the service cannot use. */
  | 'INVALID_OPTION'
  /** The option needs the Kubernetes API, which file mode does not have. */
  | 'KUBERNETES_REQUIRED'
  /** The TLS certificate or key cannot be read or generated. */
  | 'INVALID_TLS'
  /** An --imagePullSecrets file cannot be read or is not a Docker config. */
  | 'INVALID_PULL_SECRET'
  /** A port cannot be bound. */
  | 'LISTEN_FAILED';

export class ServiceError extends BaseError<ServiceErrorCode> {}
