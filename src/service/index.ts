// Public face of the service domain: start `imgverify serve` in-process, its options, and its building blocks.
// @peculiar/x509 needs the Reflect metadata API before it loads: every entry point imports it first.
import 'reflect-metadata';
export { startService, type RunningService, type ServiceOptions } from './server.js';
export * from './constants.js';
export { ServiceError, type ServiceErrorCode } from './errors.js';
export { parseListenAddress, urlHost, type ListenAddress } from './address.js';
export { createCheckImagesApp, type CheckImagesAppOptions, type CheckImagesLimits } from './app.js';
export { clampTtlSeconds, raceSignal, VerdictCache, type CachedVerdict, type VerdictCacheOptions, type VerdictKind } from './cache.js';
export { createLogger, REDACTED_PATHS } from './logging.js';
export { parseRedisUrl, redactRedisUrl, RedisVerdictStore, verdictStoreScope, type RedisTarget, type RedisVerdictStoreOptions } from './redis-store.js';
export { MemoryVerdictStore, type StoredVerdict, type VerdictStore } from './verdict-store.js';
export { ServiceMetrics, type RegistryOperationEvent, type VerificationMetricResult } from './metrics.js';
export { NotaryBackend, notaryConfigValidators, type NotaryBackendOptions } from './notary-backend.js';
export { loadPullSecrets, DOCKER_CONFIG_SECRET_KEY } from './pull-secrets.js';
export { checkImagesRequestSchema, parseCheckImagesRequest, type CheckImagesRequest, type RequestedImage } from './request.js';
export { ensureGeneratedTls, loadTlsFiles, servingHosts, type ServingTls } from './tls.js';
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
export { wildcardMatch } from './wildcard.js';
