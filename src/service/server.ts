// Starts the service in-process: config, verification backend, cache, API listener, metrics and probe listeners.
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger, LevelWithSilent } from 'pino';
import type { CandidateOutcome } from '../attest/index.js';
import { ecrCredentials, type AwsSignerVerifierChoice, type AwsSignerVerifierOptions, type EcrCredentialOptions } from '../aws/index.js';
import { chainCredentials } from '../oci/index.js';
import { FileConfigSource, formatIssue, type ConfigSource, type ConfigValidators } from '../config/index.js';
import { parseTrustPolicyStatements, weakerGlobalScopeWarnings } from '../notary/index.js';
import type { ImageVerdict } from '../verification/index.js';
import { parseListenAddress, urlHost, type ListenAddress } from './address.js';
import { createCheckImagesApp } from './app.js';
import { clampTtlSeconds, VerdictCache } from './cache.js';
import {
  DEFAULT_ALLOWED_USERS,
  DEFAULT_CACHE_ENABLED,
  DEFAULT_CACHE_MAX_SIZE,
  DEFAULT_CACHE_TTL_SECONDS,
  DEFAULT_HEALTH_PROBE_BIND_ADDRESS,
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTPS_PORT,
  DEFAULT_IMAGE_CONCURRENCY,
  DEFAULT_MAX_IMAGES_PER_REQUEST,
  DEFAULT_MAX_REQUEST_BYTES,
  DEFAULT_MAX_SIGNATURE_ATTEMPTS,
  DEFAULT_METRICS_BIND_ADDRESS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_SERVICE_NAME,
  SHUTDOWN_GRACE_MS,
  TLS_RENEW_BEFORE_MS,
  TLS_RENEW_CHECK_INTERVAL_MS,
} from './constants.js';
import { ServiceError } from './errors.js';
import { createLogger } from './logging.js';
import { ServiceMetrics } from './metrics.js';
import { NotaryBackend, notaryConfigValidators } from './notary-backend.js';
import { createMetricsServer, createProbeServer } from './probes.js';
import { loadPullSecrets } from './pull-secrets.js';
import { parseRedisUrl, RedisVerdictStore, verdictStoreScope } from './redis-store.js';
import { ensureGeneratedTls, loadTlsFiles, servingHosts, type ServingTls } from './tls.js';
import type { TokenReviewer } from './token-review.js';
import { attestationOutcomeValidUntil, classifyAttestationOutcome, classifyVerdict, isStoredVerdict, verdictValidUntil, type VerificationBackend } from './verification.js';

export interface ServiceOptions {
  /** Folder of TrustPolicy/TrustStore YAML manifests (file mode); or pass `configSource`. */
  configDir?: string;
  /** Any ConfigSource (a Kubernetes-backed one later); it is started and closed by the service. */
  configSource?: ConfigSource;
  /** Verification backend; default: registry client + Notary verifier (NotaryBackend). */
  backend?: VerificationBackend;

  /** Plain HTTP on the API port (default port 9080) instead of HTTPS (9443). */
  noTls?: boolean;
  /** Serving certificate and key (PEM files); else a self-signed CA and pair are generated in `certDir`. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Where generated TLS material is kept (reused across restarts). Default: <tmpdir>/imgverify-serving-certs. */
  certDir?: string;
  /** API `host:port` (default `:9443`, or `:9080` with noTls). */
  bindAddress?: string;
  /** `host:port` of /metrics (default `:8080`; `0` disables). */
  metricsBindAddress?: string;
  /** `host:port` of /healthz and /readyz (default `:8081`; `0` disables). */
  healthProbeBindAddress?: string;

  requestTimeoutMs?: number;
  maxRequestBytes?: number;
  maxImagesPerRequest?: number;
  imageConcurrency?: number;
  cacheEnabled?: boolean;
  cacheMaxSize?: number;
  cacheTtlSeconds?: number;
  /** Shared verdict cache `redis://[:password@]host:port/db` or `rediss://…` (TLS); memory only when absent. */
  cacheBackend?: string;
  /** Redis password when the URL has none (env REDIS_PASSWORD). */
  cacheBackendPassword?: string;

  /** Trust policy for requests that name none (env DEFAULT_TRUST_POLICY). */
  defaultTrustPolicy?: string;
  /** `true`: honour a request's `insecure` for every registry; a list: for these hosts only. */
  allowInsecureRegistry?: boolean | readonly string[];
  /** Registries reached over plain HTTP (loopback ones always are). */
  plainHttpRegistries?: readonly string[];
  /** Docker config / dockerconfigjson Secret files with registry credentials. */
  imagePullSecrets?: readonly string[];
  maxSignatureAttempts?: number;
  /** Notation verification plugins (env PLUGINS_DIR, else $NOTATION_DIR/plugins), for signatures that name one. */
  pluginsDir?: string;
  /** Who verifies com.amazonaws.signer.notation.plugin signatures (flag --awsSignerVerifier; default builtin). */
  awsSignerVerifier?: AwsSignerVerifierChoice;
  /** Options of the built-in AWS Signer verifier (tests point its SDK client at a double). */
  awsSigner?: AwsSignerVerifierOptions;
  /** Options of the ECR credential provider (tests point its SDK client at a double). */
  ecr?: EcrCredentialOptions;

  /** Token review: Kubernetes' TokenReview is needed (`reviewer`); file mode has none. */
  reviewKyvernoToken?: boolean;
  tokenReviewer?: TokenReviewer;
  allowedUsers?: readonly string[];

  /** Service name and namespace the generated certificate covers (`<svc>.<ns>.svc`). */
  serviceName?: string;
  namespace?: string;

  logger?: Logger;
  logLevel?: LevelWithSilent;
  /** Collect Node.js process metrics too (default true). */
  processMetrics?: boolean;
}

export interface RunningService {
  /** Base URL of the API, e.g. `https://127.0.0.1:9443` (POST `${url}/checkimages`). */
  url: string;
  /** `http://host:port/metrics`, when enabled. */
  metricsUrl?: string;
  /** `http://host:port` of /healthz and /readyz, when enabled. */
  healthUrl?: string;
  /** PEM path of the generated CA clients must trust (HTTPS with generated certificates). */
  caCertPath?: string;
  caCert?: string;
  config: ConfigSource;
  metrics: ServiceMetrics;
  cache: VerdictCache<ImageVerdict>;
  logger: Logger;
  /** Stop accepting, finish in-flight requests, release everything. Idempotent. */
  close(): Promise<void>;
}

/**
 * The Notary checks of the config plus the service's own warning: a `*` statement weaker than a
 * scoped one is where a registry named another way ends up (issue 9 M2).
 */
const serviceConfigValidators: ConfigValidators = {
  ...notaryConfigValidators,
  trustPolicyDocument(document, source) {
    // The Notary check is this parse; its statements also say which `*` statement is weaker.
    return weakerGlobalScopeWarnings(parseTrustPolicyStatements(document.trustPolicies, document.version, source));
  },
};

function positive(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new ServiceError('INVALID_OPTION', `${name} must be a positive number, got ${String(value)}`);
  return v;
}

async function listen(server: Server | HttpsServer, address: ListenAddress): Promise<ListenAddress> {
  const tryListen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(address.port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
  try {
    if (address.host !== undefined) await tryListen(address.host);
    else {
      // Every interface: dual-stack where IPv6 exists, IPv4 otherwise.
      await tryListen('::').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EAFNOSUPPORT' || err.code === 'EADDRNOTAVAIL') return tryListen('0.0.0.0');
        throw err;
      });
    }
  } catch (err) {
    throw new ServiceError('LISTEN_FAILED', `cannot listen on ${urlHost(address)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  return address.host === undefined ? { port } : { host: address.host, port };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Start `imgverify serve` in this process. Resolves once every listener is bound and the
 * first configuration snapshot is loaded; rejects (with everything released) otherwise.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  if (options.reviewKyvernoToken && !options.tokenReviewer) {
    throw new ServiceError(
      'KUBERNETES_REQUIRED',
      '--reviewKyvernoToken=true needs the Kubernetes TokenReview API, which file mode (--config-dir) does not have; run with --reviewKyvernoToken=false, or in Kubernetes mode',
    );
  }
  const requestTimeoutMs = positive('requestTimeout', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS);
  const limits = {
    requestTimeoutMs,
    maxRequestBytes: Math.floor(positive('maxRequestBytes', options.maxRequestBytes, DEFAULT_MAX_REQUEST_BYTES)),
    maxImagesPerRequest: Math.floor(positive('maxImagesPerRequest', options.maxImagesPerRequest, DEFAULT_MAX_IMAGES_PER_REQUEST)),
    imageConcurrency: Math.floor(positive('imageConcurrency', options.imageConcurrency, DEFAULT_IMAGE_CONCURRENCY)),
  };
  const cacheMaxSize = options.cacheMaxSize ?? DEFAULT_CACHE_MAX_SIZE;
  if (!Number.isInteger(cacheMaxSize) || cacheMaxSize < 0) throw new ServiceError('INVALID_OPTION', `cacheMaxSize must be a whole number ≥ 0, got ${cacheMaxSize}`);
  const cacheTtl = options.cacheTtlSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
  if (Number.isNaN(cacheTtl) || cacheTtl <= 0) throw new ServiceError('INVALID_OPTION', `cacheTTLDurationSeconds must be positive, got ${cacheTtl}`);
  const cacheBackend = options.cacheBackend ? parseRedisUrl(options.cacheBackend) : undefined;
  if (cacheBackend && cacheBackend.password === undefined && options.cacheBackendPassword) cacheBackend.password = options.cacheBackendPassword;
  const apiAddress = parseListenAddress(options.bindAddress ?? `:${options.noTls ? DEFAULT_HTTP_PORT : DEFAULT_HTTPS_PORT}`, '--bind-address');
  if (!apiAddress) throw new ServiceError('INVALID_OPTION', '--bind-address cannot be 0: the API port is what the service is for');
  const metricsAddress = parseListenAddress(options.metricsBindAddress ?? DEFAULT_METRICS_BIND_ADDRESS, '--metrics-bind-address');
  const probeAddress = parseListenAddress(options.healthProbeBindAddress ?? DEFAULT_HEALTH_PROBE_BIND_ADDRESS, '--health-probe-bind-address');
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined)) {
    throw new ServiceError('INVALID_OPTION', '--tls-cert and --tls-key go together: pass both, or neither to generate a self-signed pair');
  }

  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info' });
  const cleanup: (() => Promise<void>)[] = [];
  const release = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => logger.warn({ err }, 'error while shutting down'));
    cleanup.length = 0;
  };

  try {
    const config =
      options.configSource ??
      (() => {
        if (!options.configDir) throw new ServiceError('INVALID_OPTION', 'file mode needs --config-dir DIR: a folder of TrustPolicy and TrustStore YAML manifests');
        return new FileConfigSource(options.configDir, { validators: serviceConfigValidators });
      })();
    const metrics = new ServiceMetrics({ cacheSize: () => cache.size, defaultMetrics: options.processMetrics ?? true });
    const cacheEnabled = (options.cacheEnabled ?? DEFAULT_CACHE_ENABLED) && cacheMaxSize > 0;
    const shared = cacheBackend && cacheEnabled
      ? new RedisVerdictStore<ImageVerdict>({
          target: cacheBackend,
          // What decides a verdict besides the image digest and the trust policy (both in the key).
          scope: verdictStoreScope({
            maxSignatureAttempts: options.maxSignatureAttempts ?? DEFAULT_MAX_SIGNATURE_ATTEMPTS,
            pluginsDir: options.pluginsDir,
            allowInsecureRegistry: options.allowInsecureRegistry,
            plainHttpRegistries: options.plainHttpRegistries,
          }),
          accept: isStoredVerdict,
          logger,
          onError: (operation) => metrics.cacheBackendErrors.inc({ operation }),
        })
      : undefined;
    if (shared) {
      cleanup.push(() => shared.close());
      // Bounded: a Redis that is down delays the start by at most the connect timeout (its error is logged), then the service runs on memory.
      await shared.connected();
    }
    const cache = new VerdictCache<ImageVerdict>({
      enabled: cacheEnabled,
      maxSize: cacheMaxSize,
      ttlSeconds: clampTtlSeconds(cacheTtl),
      classify: classifyVerdict,
      validUntil: verdictValidUntil,
      ...(shared ? { shared } : {}),
      onHit: () => metrics.cacheHits.inc(),
      onMiss: () => metrics.cacheMisses.inc(),
    });
    cleanup.push(async () => cache.close());
    const attestationCache = new VerdictCache<CandidateOutcome>({
      enabled: options.cacheEnabled ?? DEFAULT_CACHE_ENABLED,
      maxSize: cacheMaxSize,
      ttlSeconds: clampTtlSeconds(cacheTtl),
      classify: classifyAttestationOutcome,
      validUntil: attestationOutcomeValidUntil,
      onHit: () => metrics.cacheHits.inc(),
      onMiss: () => metrics.cacheMisses.inc(),
    });
    cleanup.push(async () => attestationCache.close());

    config.subscribe((event) => {
      metrics.configReloads.inc({ result: event.ok ? 'success' : 'error' });
      metrics.configGeneration.set(event.snapshot.generation);
      metrics.trustPolicies.set(event.snapshot.trustPolicies.size);
      for (const issue of event.issues) {
        (issue.severity === 'error' ? logger.error.bind(logger) : logger.warn.bind(logger))({ source: event.source, code: issue.code }, formatIssue(issue));
      }
      logger.info(
        { source: event.source, generation: event.snapshot.generation, trustPolicies: [...event.snapshot.trustPolicies.keys()], ok: event.ok, durationMs: Math.round(event.durationMs) },
        'configuration loaded',
      );
    });
    cleanup.push(() => config.close());
    await config.start();

    let backend = options.backend;
    if (!backend) {
      // Pull secrets win; ECR hosts (anchored patterns only) then get a token from the SDK's default credential chain.
      const pullSecrets = await loadPullSecrets(options.imagePullSecrets ?? []);
      const ecr = ecrCredentials(options.ecr);
      const credentials = pullSecrets ? chainCredentials(pullSecrets, ecr) : ecr;
      backend = new NotaryBackend({
        credentials,
        ...(options.allowInsecureRegistry !== undefined ? { allowInsecureRegistry: options.allowInsecureRegistry } : {}),
        ...(options.plainHttpRegistries ? { plainHttpRegistries: options.plainHttpRegistries } : {}),
        ...(options.pluginsDir ? { pluginsDir: options.pluginsDir } : {}),
        ...(options.awsSignerVerifier ? { awsSignerVerifier: options.awsSignerVerifier } : {}),
        ...(options.awsSigner ? { awsSigner: options.awsSigner } : {}),
        maxSignatureAttempts: options.maxSignatureAttempts ?? DEFAULT_MAX_SIGNATURE_ATTEMPTS,
        onRegistryOperation: (event) => metrics.recordRegistryOperation(event),
      });
    }
    const ownBackend = backend;
    cleanup.push(async () => ownBackend.close?.());

    let tls: ServingTls | undefined;
    const hosts = servingHosts(options.serviceName ?? DEFAULT_SERVICE_NAME, options.namespace, apiAddress.host);
    const certDir = options.certDir ?? join(tmpdir(), 'imgverify-serving-certs');
    if (!options.noTls) {
      tls = options.tlsCertFile && options.tlsKeyFile ? await loadTlsFiles(options.tlsCertFile, options.tlsKeyFile) : await ensureGeneratedTls({ certDir, hosts });
    }

    const allow = options.allowInsecureRegistry ?? false;
    let shuttingDown = false;
    const { app, server } = createCheckImagesApp({
      config,
      backend,
      cache,
      attestationCache,
      metrics,
      logger,
      limits,
      ...(options.defaultTrustPolicy ? { defaultTrustPolicy: options.defaultTrustPolicy } : {}),
      allowInsecure: (registry) => allow === true || (Array.isArray(allow) && allow.includes(registry)),
      ...(options.reviewKyvernoToken && options.tokenReviewer
        ? { tokenReview: { reviewer: options.tokenReviewer, allowedUsers: options.allowedUsers ?? DEFAULT_ALLOWED_USERS } }
        : {}),
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    });
    await app.ready();
    const bound = await listen(server, apiAddress);
    cleanup.push(async () => {
      shuttingDown = true;
      // fastify runs its onClose hooks and answers 503 to new requests on open connections; the
      // listener is ours (serverFactory + listen), so closing it is ours too.
      await app.close();
      await new Promise<void>((resolve) => {
        const raw = server as Server;
        const grace = setTimeout(() => raw.closeAllConnections(), SHUTDOWN_GRACE_MS);
        // In-flight requests finish; their keep-alive connections are dropped as soon as they go idle.
        const sweep = setInterval(() => raw.closeIdleConnections(), 50);
        grace.unref();
        raw.close(() => {
          clearTimeout(grace);
          clearInterval(sweep);
          resolve();
        });
        raw.closeIdleConnections();
      });
    });

    if (tls?.generated) {
      const renew = setInterval(() => {
        if (!tls || tls.notAfter.getTime() - Date.now() > TLS_RENEW_BEFORE_MS) return;
        ensureGeneratedTls({ certDir, hosts }).then(
          (next) => {
            tls = next;
            (server as HttpsServer).setSecureContext({ key: next.key, cert: next.cert });
            logger.info({ notAfter: next.notAfter.toISOString() }, 'renewed the serving certificate');
          },
          (err: unknown) => logger.error({ err }, 'cannot renew the serving certificate'),
        );
      }, TLS_RENEW_CHECK_INTERVAL_MS);
      renew.unref();
      cleanup.push(async () => clearInterval(renew));
    }

    const result: RunningService = {
      url: `${tls ? 'https' : 'http'}://${urlHost(bound)}`,
      config,
      metrics,
      cache,
      logger,
      close: release,
    };
    if (tls?.caCertPath) result.caCertPath = tls.caCertPath;
    if (tls?.caCert) result.caCert = tls.caCert;

    if (metricsAddress) {
      const metricsServer = createMetricsServer(metrics.registry);
      const address = await listen(metricsServer, metricsAddress);
      cleanup.push(() => closeServer(metricsServer));
      result.metricsUrl = `http://${urlHost(address)}/metrics`;
    }
    if (probeAddress) {
      const probeServer = createProbeServer(() => {
        if (shuttingDown) return { ready: false, reason: 'shutting down' };
        return config.ready ? { ready: true } : { ready: false, reason: 'configuration not loaded' };
      });
      const address = await listen(probeServer, probeAddress);
      // Closed last (cleanup runs in reverse): probes answer "not ready" while requests drain.
      cleanup.unshift(() => closeServer(probeServer));
      result.healthUrl = `http://${urlHost(address)}`;
    }

    logger.info(
      {
        url: result.url,
        metrics: result.metricsUrl,
        health: result.healthUrl,
        config: config.description,
        trustPolicies: [...config.current().trustPolicies.keys()],
        ...(tls?.caCertPath ? { caCertPath: tls.caCertPath } : {}),
      },
      'Listening...',
    );
    let closing: Promise<void> | undefined;
    result.close = () => (closing ??= release());
    return result;
  } catch (err) {
    await release();
    throw err;
  }
}
