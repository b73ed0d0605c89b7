// The service's options, grouped by concern (config, listen, TLS, cache incl. the shared Redis store, limits, registry incl. AWS Signer and ECR, auth, Kubernetes mode), and their checked, defaulted form.
import type { Logger, LevelWithSilent } from 'pino';
import type { AwsSignerVerifierChoice, AwsSignerVerifierOptions, EcrCredentialOptions } from '../aws/index.js';
import type { ConfigSource } from '../config/index.js';
import { parseListenAddress, type ListenAddress } from './address.js';
import type { CertificateStore } from './certificates.js';
import { clampTtlSeconds } from './cache.js';
import {
  DEFAULT_ALLOWED_USERS,
  DEFAULT_CACHE_ENABLED,
  DEFAULT_CACHE_MAX_SIZE,
  DEFAULT_CACHE_TTL_SECONDS,
  DEFAULT_HEALTH_PROBE_BIND_ADDRESS,
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTPS_PORT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_IMAGE_CONCURRENCY,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_MAX_IMAGES_PER_REQUEST,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_MAX_SIGNATURE_ATTEMPTS,
  DEFAULT_METRICS_BIND_ADDRESS,
  DEFAULT_READ_HEADER_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE_NAME,
} from './constants.js';
import { ServiceError } from './errors.js';
import type { KubernetesServiceOptions } from './kubernetes-mode.js';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';
import type { TokenReviewer } from './token-review.js';
import type { VerificationBackend } from './verification.js';

export interface ConfigOptions {
  /** Folder of TrustPolicy/TrustStore YAML manifests (file mode); or pass `source`. */
  dir?: string;
  /** A notation config dir (`--local`): its trust policy as one TrustPolicy named `defaultTrustPolicy`, else `notation`, and the stores it names. */
  notationDir?: string;
  /** Any ConfigSource; it is started and closed by the service (Kubernetes mode brings its own). */
  source?: ConfigSource;
  /** Trust policy for requests that name none (env DEFAULT_TRUST_POLICY). */
  defaultTrustPolicy?: string;
}

export interface ListenOptions {
  /** API `host:port` (default `:9443`, or `http` else `:9080` without TLS). */
  api?: string;
  /** With TLS, a plain HTTP listener of the same routes too, as the peer's `:9080` (serve's `--http-bind-address`; absent or `0`: none). */
  http?: string;
  /** `host:port` of /metrics (default `:8080`; `0` disables). */
  metrics?: string;
  /** `host:port` of /healthz and /readyz (default `:8081`; `0` disables). */
  health?: string;
}

/** HTTPS on the API port, unless `enabled: false` (`--notls`). */
export interface TlsOptions {
  /** Default true; false serves plain HTTP. */
  enabled?: boolean;
  /** Where the serving pair comes from; default: `certFile`/`keyFile` when given, else generated in `certDir`. */
  store?: CertificateStore;
  /** Serving certificate and key (PEM files). */
  certFile?: string;
  keyFile?: string;
  /** Where generated TLS material is kept (reused across restarts). Default: <tmpdir>/imgverify-serving-certs. */
  certDir?: string;
  /** A directory whose `tls.crt` and `tls.key` (cert-manager's Secret mounted; serve's `--tls-dir`, default /certs) are served when both are there, followed as they change. */
  mountDir?: string;
  /** Service name and namespace the generated certificate covers (`<svc>.<ns>.svc`). */
  serviceName?: string;
  namespace?: string;
}

export interface CacheOptions {
  enabled?: boolean;
  maxSize?: number;
  ttlSeconds?: number;
  /** Shared verdict cache `redis://[:password@]host:port/db` or `rediss://…` (TLS), flag --cacheBackend; memory only when absent. */
  backend?: string;
  /** Redis password when the URL has none (env REDIS_PASSWORD). */
  backendPassword?: string;
  /** Bound of one Redis command (default REDIS_OPERATION_TIMEOUT_MS, 50 ms). */
  backendTimeoutMs?: number;
}

export interface LimitOptions {
  requestTimeoutMs?: number;
  maxRequestBytes?: number;
  maxImagesPerRequest?: number;
  imageConcurrency?: number;
  /** /checkimages requests handled at once; more get a 503 with Retry-After (flag --maxConcurrentRequests). */
  maxConcurrentRequests?: number;
  /** Time a caller has to send its request headers (flag --readHeaderTimeout). */
  readHeaderTimeoutMs?: number;
  /** Time a caller has to send its whole request, headers and body (flag --readTimeout). */
  readTimeoutMs?: number;
  /** Idle keep-alive connections of callers are closed after this (flag --idleTimeout). */
  idleTimeoutMs?: number;
}

export interface RegistryOptions {
  /** `true`: honour a request's `insecure` for every registry; a list: for these hosts only. */
  allowInsecure?: boolean | readonly string[];
  /** Registries reached over plain HTTP (loopback ones always are). */
  plainHttp?: readonly string[];
  /** File mode: Docker config / dockerconfigjson Secret files; Kubernetes mode: names of pull Secrets in POD_NAMESPACE. */
  imagePullSecrets?: readonly string[];
  maxSignatureAttempts?: number;
  /** Requests in flight to one registry host at once (flag --registryConcurrency; default 64, halved while it answers 429). */
  maxRequestsPerRegistry?: number;
  /** Notation verification plugins (env PLUGINS_DIR, else $NOTATION_DIR/plugins), for signatures that name one. */
  pluginsDir?: string;
  /** Who verifies com.amazonaws.signer.notation.plugin signatures (flag --awsSignerVerifier; default builtin). */
  awsSignerVerifier?: AwsSignerVerifierChoice;
  /** Options of the built-in AWS Signer verifier (tests point its SDK client at a double). */
  awsSigner?: AwsSignerVerifierOptions;
  /** File with the plugin configuration (file mode's --pluginConfigMap): a ConfigMap manifest or a map of strings. */
  pluginConfigFile?: string;
  /** Options of the ECR credential provider, asked after the pull secrets (tests point its SDK client at a double). */
  ecr?: EcrCredentialOptions;
}

export interface AuthOptions {
  /** Token review: Kubernetes' TokenReview is needed (`tokenReviewer`, or Kubernetes mode's, where review is the default); file mode has none. */
  reviewKyvernoToken?: boolean;
  tokenReviewer?: TokenReviewer;
  allowedUsers?: readonly string[];
}

export interface ServiceOptions {
  config: ConfigOptions;
  listen?: ListenOptions;
  tls?: TlsOptions;
  cache?: CacheOptions;
  limits?: LimitOptions;
  registry?: RegistryOptions;
  auth?: AuthOptions;
  /**
   * Kubernetes mode: TrustPolicy/TrustStore CRDs, pull Secrets and plugin ConfigMap from the cluster,
   * token review by default, the serving pair from the TLS Secrets (HTTPS without certFile/keyFile).
   */
  kubernetes?: KubernetesServiceOptions;
  /** Verification backend; default: registry client + Notary verifier (NotaryBackend, with AWS Signer and ECR) from `registry`. */
  backend?: VerificationBackend;
  logger?: Logger;
  logLevel?: LevelWithSilent;
  /** Collect Node.js process metrics too (default true). */
  processMetrics?: boolean;
}

export interface ResolvedLimits {
  requestTimeoutMs: number;
  maxRequestBytes: number;
  maxImagesPerRequest: number;
  imageConcurrency: number;
  maxConcurrentRequests: number;
  readHeaderTimeoutMs: number;
  readTimeoutMs: number;
  idleTimeoutMs: number;
}

/** The options with defaults applied and every value checked: what the composition root builds from. */
export interface ResolvedServiceOptions {
  /** `http` only beside TLS (without TLS the API itself is plain HTTP). */
  listen: { api: ListenAddress; http?: ListenAddress; metrics?: ListenAddress; health?: ListenAddress };
  tls: false | (TlsOptions & { serviceName: string });
  /** `enabled` is false when `maxSize` is 0; `backend` only when caching is on (no Redis connection otherwise). */
  cache: { enabled: boolean; maxSize: number; ttlSeconds: number; backend?: RedisTarget };
  limits: ResolvedLimits;
  registry: RegistryOptions & { maxSignatureAttempts: number };
  /** Token review on; without `reviewer`, Kubernetes mode's TokenReview. */
  auth?: { reviewer?: TokenReviewer; allowedUsers: readonly string[] };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new ServiceError('INVALID_OPTION', `${name} must be a positive number, got ${String(value)}`);
  return v;
}

/** Check `options` and fill in the defaults; throws a ServiceError naming the flag at fault. */
export function resolveServiceOptions(options: ServiceOptions): ResolvedServiceOptions {
  const auth = options.auth ?? {};
  const review = auth.reviewKyvernoToken ?? options.kubernetes !== undefined;
  if (review && !auth.tokenReviewer && !options.kubernetes) {
    throw new ServiceError(
      'KUBERNETES_REQUIRED',
      '--reviewKyvernoToken=true needs the Kubernetes TokenReview API, which file mode (--config-dir) does not have; run with --reviewKyvernoToken=false, or in Kubernetes mode',
    );
  }
  const given = options.limits ?? {};
  const limits: ResolvedLimits = {
    requestTimeoutMs: positive('requestTimeout', given.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    maxRequestBytes: Math.floor(positive('maxRequestBytes', given.maxRequestBytes, DEFAULT_MAX_REQUEST_BYTES)),
    maxImagesPerRequest: Math.floor(positive('maxImagesPerRequest', given.maxImagesPerRequest, DEFAULT_MAX_IMAGES_PER_REQUEST)),
    imageConcurrency: Math.floor(positive('imageConcurrency', given.imageConcurrency, DEFAULT_IMAGE_CONCURRENCY)),
    maxConcurrentRequests: Math.floor(positive('maxConcurrentRequests', given.maxConcurrentRequests, DEFAULT_MAX_CONCURRENT_REQUESTS)),
    readHeaderTimeoutMs: positive('readHeaderTimeout', given.readHeaderTimeoutMs, DEFAULT_READ_HEADER_TIMEOUT_MS),
    readTimeoutMs: positive('readTimeout', given.readTimeoutMs, DEFAULT_READ_TIMEOUT_MS),
    idleTimeoutMs: positive('idleTimeout', given.idleTimeoutMs, DEFAULT_IDLE_TIMEOUT_MS),
  };
  if (limits.readHeaderTimeoutMs > limits.readTimeoutMs) {
    throw new ServiceError('INVALID_OPTION', `readHeaderTimeout (${limits.readHeaderTimeoutMs} ms) cannot be longer than readTimeout (${limits.readTimeoutMs} ms), which includes the headers`);
  }
  const perRegistry = options.registry?.maxRequestsPerRegistry;
  if (perRegistry !== undefined && (!Number.isSafeInteger(perRegistry) || perRegistry <= 0)) {
    throw new ServiceError('INVALID_OPTION', `registryConcurrency must be a whole number > 0, got ${perRegistry}`);
  }
  const cacheMaxSize = options.cache?.maxSize ?? DEFAULT_CACHE_MAX_SIZE;
  if (!Number.isInteger(cacheMaxSize) || cacheMaxSize < 0) throw new ServiceError('INVALID_OPTION', `cacheMaxSize must be a whole number ≥ 0, got ${cacheMaxSize}`);
  const cacheTtl = options.cache?.ttlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  if (Number.isNaN(cacheTtl) || cacheTtl <= 0) throw new ServiceError('INVALID_OPTION', `cacheTTLDurationSeconds must be positive, got ${cacheTtl}`);
  const cacheBackend = options.cache?.backend ? parseRedisUrl(options.cache.backend) : undefined;
  if (cacheBackend && cacheBackend.password === undefined && options.cache?.backendPassword) cacheBackend.password = options.cache.backendPassword;
  const cacheEnabled = (options.cache?.enabled ?? DEFAULT_CACHE_ENABLED) && cacheMaxSize > 0;

  const tls = options.tls?.enabled === false ? false : { ...options.tls, serviceName: options.tls?.serviceName ?? DEFAULT_SERVICE_NAME };
  const api = parseListenAddress(options.listen?.api ?? (tls ? `:${DEFAULT_HTTPS_PORT}` : (options.listen?.http ?? `:${DEFAULT_HTTP_PORT}`)), '--bind-address');
  if (!api) throw new ServiceError('INVALID_OPTION', '--bind-address cannot be 0: the API port is what the service is for');
  const http = tls && options.listen?.http !== undefined ? parseListenAddress(options.listen.http, '--http-bind-address') : undefined;
  const metrics = parseListenAddress(options.listen?.metrics ?? DEFAULT_METRICS_BIND_ADDRESS, '--metrics-bind-address');
  const health = parseListenAddress(options.listen?.health ?? DEFAULT_HEALTH_PROBE_BIND_ADDRESS, '--health-probe-bind-address');
  if (tls && (tls.certFile === undefined) !== (tls.keyFile === undefined)) {
    throw new ServiceError('INVALID_OPTION', '--tls-cert and --tls-key go together: pass both, or neither to generate a self-signed pair');
  }

  return {
    listen: { api, ...(http ? { http } : {}), ...(metrics ? { metrics } : {}), ...(health ? { health } : {}) },
    tls,
    cache: {
      enabled: cacheEnabled,
      maxSize: cacheMaxSize,
      ttlSeconds: clampTtlSeconds(cacheTtl),
      ...(cacheBackend && cacheEnabled ? { backend: cacheBackend } : {}),
    },
    limits,
    registry: { ...options.registry, maxSignatureAttempts: options.registry?.maxSignatureAttempts ?? DEFAULT_MAX_SIGNATURE_ATTEMPTS },
    ...(review ? { auth: { ...(auth.tokenReviewer ? { reviewer: auth.tokenReviewer } : {}), allowedUsers: auth.allowedUsers ?? DEFAULT_ALLOWED_USERS } } : {}),
  };
}
