// Defaults and limits of the /checkimages service (ports and flags as kyverno-notation-aws has them).

/** API port with TLS, and without (`--notls`), as the peer. */
export const DEFAULT_HTTPS_PORT = 9443;
export const DEFAULT_HTTP_PORT = 9080;
/** serve's plain HTTP listener beside HTTPS (the peer always serves :9080; startService has none unless asked). */
export const DEFAULT_HTTP_BIND_ADDRESS = `:${DEFAULT_HTTP_PORT}`;
export const DEFAULT_METRICS_BIND_ADDRESS = ':8080';
export const DEFAULT_HEALTH_PROBE_BIND_ADDRESS = ':8081';

export const CHECK_IMAGES_PATH = '/checkimages';
export const METRICS_PATH = '/metrics';
export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/** Per-request deadline: below Kyverno's webhook timeout (10 s default, 30 s max) minus its own work. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 25_000;
/** Largest request body accepted (Kyverno's images variable for a pod is a few KiB). */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
/** Most images (containers + initContainers + ephemeralContainers) one request may ask to verify. */
export const DEFAULT_MAX_IMAGES_PER_REQUEST = 100;
/** Longest string of one image's fields (a docker reference is at most ~520 characters). */
export const MAX_IMAGE_FIELD_CHARS = 1024;
/** Longest container name and trust policy name (Kubernetes object names are at most 253). */
export const MAX_NAME_CHARS = 253;
/** Most imageReferences patterns and attestation entries, and the longest pattern: wildcard matching is quadratic in its inputs. */
export const MAX_IMAGE_REFERENCE_PATTERNS = 256;
export const MAX_PATTERN_CHARS = 1024;
export const MAX_ATTESTATIONS = 256;
export const MAX_ATTESTATION_TYPES = 64;
/** Wildcard matching steps one request may take (~0.3 s at worst; a real policy needs well under 1% of it). */
export const MAX_WILDCARD_STEPS = 50_000_000;
/**
 * Most /checkimages requests handled at the same time; more are shed at once with a 503 and
 * Retry-After instead of queueing (memory and latency stay bounded under a flood). Kyverno's
 * admission controller sends a few dozen at most; each holds at most --maxImagesPerRequest images.
 */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;
/** Seconds a shed client is told to wait (Retry-After). */
export const SHED_RETRY_AFTER_SECONDS = 1;
/** A client must send its request headers within this (slowloris), like Go's http.Server ReadHeaderTimeout. */
export const DEFAULT_READ_HEADER_TIMEOUT_MS = 10_000;
/** ...and the whole request, headers and body, within this (Go's ReadTimeout); the verification deadline starts after. */
export const DEFAULT_READ_TIMEOUT_MS = 20_000;
/** Idle keep-alive connections of callers are closed after this. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;
/**
 * Images of one request verified at the same time: all of them (up to the image limit). What bounds the
 * work is per registry, not per request: the registry client's requests in flight per host (--registryConcurrency).
 */
export const DEFAULT_IMAGE_CONCURRENCY = DEFAULT_MAX_IMAGES_PER_REQUEST;
/** Signatures tried per image before giving up (the peer's --maxSignatureAttempts). */
export const DEFAULT_MAX_SIGNATURE_ATTEMPTS = 30;

export const DEFAULT_CACHE_ENABLED = true;
export const DEFAULT_CACHE_MAX_SIZE = 1000;
export const DEFAULT_CACHE_TTL_SECONDS = 3600;
/** Larger TTLs are clamped to this (30 days), so no timer or arithmetic can overflow. */
export const MAX_CACHE_TTL_SECONDS = 30 * 24 * 3600;
/** "Not verified" verdicts are kept only this long, so a signature pushed just after a denial counts soon. */
export const NEGATIVE_CACHE_TTL_MS = 30_000;

/** Shared verdict cache (--cacheBackend redis://…): a Redis command that takes longer is "not cached". */
export const REDIS_OPERATION_TIMEOUT_MS = 50;
export const REDIS_CONNECT_TIMEOUT_MS = 1_000;
/** ioredis forgets a command still unanswered after this (at least 10× the bound), so a frozen Redis cannot grow its queue. */
export const REDIS_COMMAND_BACKSTOP_MS = 1_000;
/** Reconnection backs off 100 ms per attempt up to this. */
export const REDIS_MAX_RECONNECT_DELAY_MS = 2_000;
export const REDIS_DEFAULT_PORT = 6379;
/** A stored verdict larger than this is neither written nor read (a verdict is a few KiB). */
export const REDIS_MAX_VALUE_BYTES = 1024 * 1024;
/** Bumped whenever the stored verdict's shape changes, so replicas of different versions never read each other's. */
export const REDIS_KEY_PREFIX = 'imgverify:verdict:v1:';
/** Env var with the Redis password when the --cacheBackend URL has none (keeps it out of the pod's args). */
export const ENV_REDIS_PASSWORD = 'REDIS_PASSWORD';

/** Kyverno's service accounts that may call the service when token review is on (peer default). */
export const DEFAULT_ALLOWED_USERS: readonly string[] = [
  'system:serviceaccount:kyverno:kyverno-admission-controller',
  'system:serviceaccount:kyverno:kyverno-reports-controller',
];

/** What the service's 406 for a registry that needs credentials says to do (the CLI names its own flags). */
export const SERVICE_CREDENTIALS_REMEDY =
  'give the service the registry\'s credentials with --imagePullSecrets (a Docker config.json, a .dockerconfigjson, or a kubernetes.io/dockerconfigjson Secret manifest)';

/** Env var naming the trust policy used when a request names none. */
export const ENV_DEFAULT_TRUST_POLICY = 'DEFAULT_TRUST_POLICY';
export const DEFAULT_SERVICE_NAME = 'svc';

/** The oldest TLS version the API accepts, whatever the process-wide default (node --tls-min-v1.0 cannot lower it). */
export const TLS_MIN_VERSION = 'TLSv1.2';

/** Self-signed serving certificates, as the peer: CA 365 days, pair 150 days, renewed 60 h before expiry. */
export const TLS_CA_VALIDITY_DAYS = 365;
export const TLS_SERVING_VALIDITY_DAYS = 150;
export const TLS_RENEW_BEFORE_MS = 60 * 3600 * 1000;
/** How often a running service checks whether its generated serving certificate needs renewal. */
export const TLS_RENEW_CHECK_INTERVAL_MS = 3600 * 1000;
/** Where the peer's first releases read their serving pair (cert-manager's Secret mounted: tls.crt, tls.key); serve's --tls-dir default. */
export const DEFAULT_TLS_MOUNT_DIR = '/certs';
/** A pair in files (--tls-cert/--tls-key, or mounted at --tls-dir) is read again this often besides the directory watch (the kubelet swaps Secret volumes by symlink). */
export const TLS_FILES_POLL_INTERVAL_MS = 10_000;
/** Quiet time after a change in a watched directory before the pair is read (an update writes two files). */
export const TLS_FILES_SETTLE_MS = 100;
/** A serving certificate (chain) or key file larger than this is refused. */
export const MAX_TLS_FILE_BYTES = 1024 * 1024;

/** Graceful shutdown: in-flight requests get this long to finish before connections are cut. */
export const SHUTDOWN_GRACE_MS = 30_000;
