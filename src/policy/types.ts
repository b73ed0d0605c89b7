// The policy engine's port: the admission request it judges, the rule responses and patches it answers with.
import type { ErrorInfo } from '../verification/index.js';

/** One RFC 6902 operation, as Kyverno's jsonpatch writes them (`replace` for a digest, `add` for the annotation). */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/**
 * What the engine reads of an AdmissionReview request (Kubernetes admission/v1 names). `namespaceLabels` are the
 * labels of the request's namespace, which namespaceSelector matches (the webhook reads them from the API server;
 * the CLI from `--namespace-labels`/the test suite's values).
 */
export interface AdmissionRequestView {
  uid: string;
  kind: { group: string; version: string; kind: string };
  subResource?: string;
  namespace?: string;
  name?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  object: unknown;
  oldObject?: unknown;
  userInfo?: { username?: string; groups?: string[] };
  dryRun?: boolean;
  namespaceLabels?: Record<string, string>;
}

/** Kyverno's rule statuses (engineapi.RuleStatus). */
export type RuleStatus = 'pass' | 'fail' | 'skip' | 'error' | 'warn';

/** One rule's answer for one resource, as Kyverno's engineapi.RuleResponse (type is always ImageVerify here). */
export interface RuleResponse {
  policy: string;
  /** The namespace of a namespaced `Policy`; absent for a ClusterPolicy. */
  namespace?: string;
  rule: string;
  type: 'ImageVerify';
  status: RuleStatus;
  /** Kyverno's message, e.g. `failed to verify image <ref>: .attestors[0].entries[0]: …`. */
  message: string;
  /** Whether a `fail` blocks the request (the rule's `failureAction`, else the policy's `validationFailureAction`). */
  failureAction: 'Enforce' | 'Audit';
  failurePolicy: 'Fail' | 'Ignore';
  /** Our stable code of the deciding failure, beside Kyverno's message (absent on pass and skip). */
  error?: ErrorInfo;
}

export interface VerifiedImage {
  /** JSON pointer of the image field in the resource, e.g. `/spec/containers/0/image`. */
  path: string;
  /** The reference as the resource wrote it. */
  reference: string;
  /** The digest that was resolved once and verified. */
  digest: string;
}

export interface EngineResponse {
  /** One per rule (and autogen rule) that matched, in policy then rule order; per image for verifyImages. */
  rules: RuleResponse[];
  /** Digest replacements, then the `kyverno.io/verify-images` annotation; applied in order they give `patched`. */
  patches: JsonPatchOperation[];
  /** The resource after patches. */
  patched: unknown;
  verifiedImages: VerifiedImage[];
}

export interface PolicyEngine {
  /** Every matching policy's rules on the request; rejects only when `signal` aborts or on a bug (failures are responses). */
  evaluate(request: AdmissionRequestView, signal: AbortSignal): Promise<EngineResponse>;
}

/** A problem found while reading policies: `error`s keep the policy out, `warning`s (fields Kyverno's API server prunes) do not. */
export interface PolicyIssue {
  severity: 'error' | 'warning';
  /** The file (or stream) the document came from. */
  origin: string;
  /** The policy's name, when it has one. */
  policy?: string;
  /** The rule's name, when the issue is inside a rule. */
  rule?: string;
  /** The field, as kubectl names it: `spec.rules[0].verifyImages[0].attestors`. */
  field?: string;
  message: string;
}

/** `origin: policy/rule field: message`, the form the CLI prints. */
export function formatPolicyIssue(issue: PolicyIssue): string {
  const where = [issue.policy, issue.rule].filter((part) => part !== undefined).join('/');
  const head = where === '' ? issue.origin : `${issue.origin}: ${where}`;
  return `${head}${issue.field ? ` ${issue.field}` : ''}: ${issue.message}`;
}
