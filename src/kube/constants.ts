// Names, defaults and limits of Kubernetes mode: the peer's Lease and Secret names, timings of watches, leases and caches.

/** Group, version and plurals of the two CRDs (cluster-scoped), as kyverno-notation-aws defines them. */
export const CRD_GROUP = 'notation.nirmata.io';
export const CRD_VERSION = 'v1alpha1';
export const TRUST_POLICY_PLURAL = 'trustpolicies';
export const TRUST_STORE_PLURAL = 'truststores';

/** Namespace when POD_NAMESPACE is not set (the peer's install namespace). */
export const DEFAULT_NAMESPACE = 'kyverno-notation-aws';
/** The Lease replicas elect a leader with (the peer's name). */
export const LEASE_NAME = 'kyverno-notation-aws';
/** client-go's defaults: lease duration 15 s, renew deadline 10 s, retry period 2 s. */
export const DEFAULT_LEASE_DURATION_MS = 15_000;
export const DEFAULT_RENEW_DEADLINE_MS = 10_000;
export const DEFAULT_RETRY_PERIOD_MS = 2_000;

/** Secret name suffixes and data keys of the serving CA and pair: `<svc>.<ns>.svc.tls-ca`, `<svc>.<ns>.svc.tls-pair`. */
export const TLS_CA_SECRET_SUFFIX = 'svc.tls-ca';
export const TLS_PAIR_SECRET_SUFFIX = 'svc.tls-pair';
export const TLS_CERT_KEY = 'tls.crt';
export const TLS_KEY_KEY = 'tls.key';
/** How often the leader checks whether the serving pair needs rotating. */
export const DEFAULT_TLS_CHECK_INTERVAL_MS = 60_000;

/** Pull secret types and their keys (kubernetes.io/dockerconfigjson and the legacy kubernetes.io/dockercfg). */
export const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
export const DOCKER_CONFIG_JSON_KEY = '.dockerconfigjson';
export const DOCKER_CFG_TYPE = 'kubernetes.io/dockercfg';
export const DOCKER_CFG_KEY = '.dockercfg';
/** A pull secret's Docker config larger than this is refused. */
export const MAX_PULL_SECRET_BYTES = 256 * 1024;
/** Most keys of the plugin ConfigMap passed to plugins as pluginConfig. */
export const MAX_PLUGIN_CONFIG_ENTRIES = 256;

/** One API call (not a watch) gives up after this long. */
export const API_CALL_TIMEOUT_MS = 10_000;
/** The API server ends a watch after this many seconds; the informer resumes from its resourceVersion. */
export const WATCH_TIMEOUT_SECONDS = 300;
/** After a failed list or watch, retry after this delay, doubling up to the maximum. */
export const WATCH_RETRY_MIN_MS = 500;
export const WATCH_RETRY_MAX_MS = 30_000;
/** Rebuild from the informer caches this often even without events (client-go's resync). */
export const RESYNC_INTERVAL_MS = 60_000;
/** Coalesce bursts of watch events (kubectl apply -f dir) into one snapshot. */
export const CHANGE_DEBOUNCE_MS = 50;

/** TokenReview answers are kept this long, by a hash of the token (and the audiences asked). */
export const TOKEN_REVIEW_CACHE_TTL_MS = 10_000;
export const TOKEN_REVIEW_CACHE_MAX_ENTRIES = 1000;

/** Source component of the Events we record. */
export const EVENT_SOURCE = 'imgverify';
