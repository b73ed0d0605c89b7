// The error of the policy domain: a policy, resource or test suite that cannot be used as given.
import { BaseError } from '../common/index.js';

export type PolicyErrorCode =
  /** A policy document is not a valid Kyverno ClusterPolicy/Policy (schema or semantic rule), named by file, policy, rule, field. */
  | 'POLICY_INVALID'
  /** A resource to evaluate is not a Kubernetes object (no kind, apiVersion or name), or a test suite is malformed. */
  | 'POLICY_RESOURCE_INVALID'
  /** The rule needs a verifier this build or configuration does not have (the Cosign type before src/cosign exists). */
  | 'VERIFIER_UNAVAILABLE';

export class PolicyError extends BaseError<PolicyErrorCode> {}
