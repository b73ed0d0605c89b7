// Names, paths, defaults and limits of the admission webhook: our CRDs, the AdmissionReview protocol, the generated webhook configurations, audit bounds.

/** imgverify's own policy CRDs: Kyverno's policy spec under our group. */
export const POLICY_GROUP = 'imgverify.dev';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;
export const CLUSTER_POLICY_KIND = 'ClusterImageVerificationPolicy';
export const NAMESPACED_POLICY_KIND = 'ImageVerificationPolicy';
export const CLUSTER_POLICY_PLURAL = 'clusterimageverificationpolicies';
export const NAMESPACED_POLICY_PLURAL = 'imageverificationpolicies';

/** Kyverno's policy kinds, read directly with --kyverno-policies and converted by `imgverify convert`. */
export const KYVERNO_GROUP = 'kyverno.io';
export const KYVERNO_CLUSTER_POLICY_KIND = 'ClusterPolicy';
export const KYVERNO_NAMESPACED_POLICY_KIND = 'Policy';
/** The kyverno.io versions whose spec our CRDs carry unchanged. */
export const KYVERNO_POLICY_VERSIONS: readonly string[] = ['v1', 'v2beta1'];

/** The kind our CRDs give a Kyverno kind (and back). */
export const CONVERTED_KIND: Readonly<Record<string, string>> = {
  [KYVERNO_CLUSTER_POLICY_KIND]: CLUSTER_POLICY_KIND,
  [KYVERNO_NAMESPACED_POLICY_KIND]: NAMESPACED_POLICY_KIND,
};

/** AdmissionReview v1. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_REVIEW_KIND = 'AdmissionReview';

/**
 * The endpoints: one per webhook type and failure policy, as Kyverno splits its webhooks into a
 * `fail` and an `ignore` one, so the path says what to answer when we cannot decide in time.
 */
export const MUTATE_PATH = '/mutate';
export const VALIDATE_PATH = '/validate';
export const IGNORE_SUFFIX = '/ignore';

/**
 * An AdmissionReview carries the object and the old object (each at most ~1.5 MiB in etcd, 3 MiB
 * as the API server accepts a request), plus the envelope.
 */
export const MAX_ADMISSION_REVIEW_BYTES = 8 * 1024 * 1024;
/** Nesting deeper than this in an admitted object is refused (our comparisons walk it). */
export const MAX_OBJECT_DEPTH = 200;
/** Kyverno's default webhookTimeoutSeconds, and the API server's bounds of timeoutSeconds. */
export const DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10;
export const MIN_WEBHOOK_TIMEOUT_SECONDS = 1;
export const MAX_WEBHOOK_TIMEOUT_SECONDS = 30;
/** We answer this long before the API server gives up on us, so our answer (not its failurePolicy) decides. */
export const ANSWER_MARGIN_MS = 1_000;
/** Warnings returned to kubectl: how many, and how long each (the API server truncates longer ones). */
export const MAX_WARNINGS = 16;
export const MAX_WARNING_CHARS = 512;

/** Generated webhook configurations. */
export const MUTATING_CONFIGURATION_NAME = 'imgverify-mutating-webhook-cfg';
export const VALIDATING_CONFIGURATION_NAME = 'imgverify-validating-webhook-cfg';
export const MANAGED_BY_LABEL = 'webhook.imgverify.dev/managed-by';
export const MANAGED_BY_VALUE = 'imgverify';
/** The label every namespace carries (Kubernetes ≥ 1.21), used to exclude ours. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Most CA certificates kept in a caBundle during a CA rotation (the new one and the one before). */
export const MAX_CA_BUNDLE_CERTIFICATES = 2;

/** PolicyReports (wgpolicyk8s.io/v1alpha2), one per namespace, as Kyverno's aggregated reports. */
export const REPORT_GROUP = 'wgpolicyk8s.io';
export const REPORT_VERSION = 'v1alpha2';
export const POLICY_REPORT_PLURAL = 'policyreports';
export const CLUSTER_POLICY_REPORT_PLURAL = 'clusterpolicyreports';
export const REPORT_NAME = 'imgverify-audit';
export const REPORT_SOURCE = 'imgverify';
/** Results kept per report: the newest, older ones dropped (a report is one etcd object). */
export const MAX_REPORT_RESULTS = 1000;
/** Longest result message kept in a report. */
export const MAX_REPORT_MESSAGE_CHARS = 1024;
/** Writes of reports are coalesced over this window. */
export const REPORT_FLUSH_INTERVAL_MS = 2_000;
