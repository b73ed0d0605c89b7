// Errors of the Kubernetes domain: one class, a stable code per failure kind.
import { BaseError } from '../common/index.js';

export type KubernetesErrorCode =
  /** No kubeconfig (--kubeconfig) or no in-cluster service account. */
  | 'KUBECONFIG_UNAVAILABLE'
  /** The API server refused or failed a call, or did not answer in time. */
  | 'KUBERNETES_API_ERROR'
  /** A Secret or ConfigMap exists but does not hold what it should. */
  | 'INVALID_KUBERNETES_OBJECT'
  /** A Kubernetes-mode option cannot work (e.g. lease timings out of order). */
  | 'INVALID_KUBERNETES_OPTION';

export class KubernetesError extends BaseError<KubernetesErrorCode> {}
