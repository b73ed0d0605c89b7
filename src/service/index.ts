// Public face of the service domain: start `imgverify serve` in-process, its options, and its building blocks.
export { startService, type RunningService } from './server.js';
export {
  resolveServiceOptions,
  type AuthOptions,
  type CacheOptions,
  type ConfigOptions,
  type LimitOptions,
  type ListenOptions,
  type RegistryOptions,
  type ResolvedLimits,
  type ServiceOptions,
  type TlsOptions,
} from './options.js';
export * from './constants.js';
export { ServiceError, type ServiceErrorCode } from './errors.js';
export { parseListenAddress, urlHost, type ListenAddress } from './address.js';
export { createApiApp, DEFAULT_SERVER_TIMEOUTS, type ApiAppOptions } from './app.js';
export { checkImagesPlugin, type CheckImagesPluginOptions } from './checkimages.js';
export { DirectoryCertificateStore, MountedPairCertificateStore, PemFilesCertificateStore, type CertificateStore } from './certificates.js';
export { closeServer, drainServer, listen } from './listeners.js';
export { startTlsRotation, type TlsRotation, type TlsRotationOptions } from './tls-rotation.js';
export { attestationsFor, selectImages, type AttestationRequest, type SelectableImage, type Selection } from './selection.js';
export { clampTtlSeconds, raceSignal, VerdictCache, type CachedVerdict, type VerdictCacheOptions, type VerdictKind } from './cache.js';
export { startKubernetesMode, type KubernetesMode, type KubernetesServiceOptions, SecretCertificateStore } from './kubernetes-mode.js';
export { createLogger, REDACTED_PATHS } from './logging.js';
export { parseRedisUrl, redactRedisUrl, RedisVerdictStore, verdictStoreScope, type RedisTarget, type RedisVerdictStoreOptions } from './redis-store.js';
export { MemoryVerdictStore, type StoredVerdict, type VerdictStore } from './verdict-store.js';
export { ServiceMetrics, type RegistryOperationEvent, type VerificationMetricResult } from './metrics.js';
export { NotaryBackend, notaryConfigValidators, type NotaryBackendOptions } from './notary-backend.js';
export { loadPullSecrets, DOCKER_CONFIG_SECRET_KEY } from './pull-secrets.js';
export { checkImagesRequestSchema, parseCheckImagesRequest, type CheckImagesRequest, type RequestedImage } from './request.js';
export { ensureGeneratedTls, issueServingCa, issueServingPair, loadTlsFiles, servingHosts, type PemKeyPair, type ServingTls } from './tls.js';
export { bearerToken, type TokenReviewer, type TokenReviewStatus } from './token-review.js';
export {
  checkImages,
  classifyVerdict,
  failureReason,
  isStoredVerdict,
  type ImageOutcome,
  type ResolveRequest,
  type VerificationBackend,
  verdictValidUntil,
} from './verification.js';
export { answerTimeouts, DEFAULT_ANSWER_TIMEOUT_MS, DEFAULT_WEBHOOK_LEASE, DEFAULT_WEBHOOK_NAMESPACE, DEFAULT_WEBHOOK_SERVICE, startWebhook, type RunningWebhook, type WebhookOptions } from './webhook-server.js';
