// The composition root of `imgverify serve`: builds config (a directory, or Kubernetes mode's CRDs), backend, cache (with the shared Redis store), the API app with its plugins, TLS and the side listeners, and tears them down.
import type { Server as HttpsServer } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ecrCredentials } from '../aws/index.js';
import type { CandidateOutcome } from '../attest/index.js';
import { FileConfigSource, formatIssue, NOTATION_TRUST_POLICY_NAME, NotationConfigSource, type ConfigSource, type ConfigValidators } from '../config/index.js';
import { parseTrustPolicyStatements, weakerGlobalScopeWarnings } from '../notary/index.js';
import { chainCredentials, type CredentialProvider } from '../oci/index.js';
import type { ImageVerdict } from '../verification/index.js';
import { urlHost, type ListenAddress } from './address.js';
import { createApiApp } from './app.js';
import { VerdictCache } from './cache.js';
import { DirectoryCertificateStore, hasMountedPair, MountedPairCertificateStore, PemFilesCertificateStore, type CertificateStore } from './certificates.js';
import { checkImagesPlugin } from './checkimages.js';
import { DEFAULT_SERVICE_NAME } from './constants.js';
import { ServiceError } from './errors.js';
import type { KubernetesMode } from './kubernetes-mode.js';
import { drainServer, listen } from './listeners.js';
import { createLogger } from './logging.js';
import { ServiceMetrics, type RegistryOperationEvent } from './metrics.js';
import { NotaryBackend, notaryConfigValidators } from './notary-backend.js';
import { resolveServiceOptions, type ResolvedServiceOptions, type ServiceOptions } from './options.js';
import { listenSideServers } from './probes.js';
import { readiness } from './readiness.js';
import { registryLabeller } from './registry-labels.js';
import { loadPluginConfig } from './plugin-config.js';
import { loadPullSecrets } from './pull-secrets.js';
import { servingHosts, type ServingTls } from './tls.js';
import { startTlsRotation } from './tls-rotation.js';
import { Teardown } from './teardown.js';
import { attestationOutcomeValidUntil, classifyAttestationOutcome, classifyVerdict, isStoredVerdict, verdictValidUntil, type VerificationBackend } from './verification.js';

export interface RunningService {
  /** Base URL of the API, e.g. `https://127.0.0.1:9443` (POST `${url}/checkimages`). */
  url: string;
  /** `http://host:port` of the plain HTTP listener beside HTTPS, when there is one (`listen.http`). */
  httpUrl?: string;
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
 * The Notary checks of the config (and their warnings) plus the service's own warning: a `*`
 * statement weaker than a scoped one is where a registry named another way ends up (issue 9 M2).
 */
const serviceConfigValidators: ConfigValidators = {
  ...notaryConfigValidators,
  trustPolicyDocument(document, source) {
    // The Notary check is this parse; its statements also say which `*` statement is weaker.
    const parsed = parseTrustPolicyStatements(document.trustPolicies, document.version, source);
    return [...parsed.warnings, ...weakerGlobalScopeWarnings(parsed)];
  },
};

/**
 * Start `imgverify serve` in this process. Resolves once every listener is bound and the
 * first configuration snapshot is loaded; rejects (with everything released) otherwise.
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const resolved = resolveServiceOptions(options);
  const { limits } = resolved;
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info' });
  const teardown = new Teardown(logger);
  try {
    const metrics = new ServiceMetrics({ cacheSize: () => cache.size, defaultMetrics: options.processMetrics ?? true });
    // A pair mounted where the peer read it (cert-manager) wins over generated or Secret-kept ones.
    const mountDir = resolved.tls && !resolved.tls.store && !resolved.tls.certFile && resolved.tls.mountDir !== undefined && (await hasMountedPair(resolved.tls.mountDir)) ? resolved.tls.mountDir : undefined;
    let kubernetes: KubernetesMode | undefined;
    if (options.kubernetes) {
      const namespace = options.kubernetes.namespace ?? options.tls?.namespace;
      const serviceName = options.tls?.serviceName ?? DEFAULT_SERVICE_NAME;
      // The Kubernetes client (and the Redis client below) load only in the mode that uses them.
      const { startKubernetesMode } = await import('./kubernetes-mode.js');
      kubernetes = await startKubernetesMode({
        kubernetes: { ...options.kubernetes, ...(namespace ? { namespace } : {}) },
        serviceName,
        hosts: servingHosts(serviceName, namespace, resolved.listen.api.host).filter((host) => !isIP(host) && host !== 'localhost'),
        imagePullSecrets: resolved.registry.imagePullSecrets ?? [],
        tls: resolved.tls !== false && !resolved.tls.store && !resolved.tls.certFile && mountDir === undefined,
        validators: serviceConfigValidators,
        logger,
        registry: metrics.registry,
      });
      const mode = kubernetes;
      teardown.add(() => mode.close());
    }
    // The notation dir holds one trust policy: requests naming none get it.
    const defaultTrustPolicy = options.config.defaultTrustPolicy ?? (options.config.notationDir !== undefined ? NOTATION_TRUST_POLICY_NAME : undefined);
    const config =
      options.config.source ??
      kubernetes?.config ??
      (() => {
        if (options.config.dir !== undefined && options.config.notationDir !== undefined) {
          throw new ServiceError('INVALID_OPTION', '--config-dir and --local are two sources of trust policies: use one');
        }
        if (options.config.notationDir !== undefined) {
          return new NotationConfigSource(options.config.notationDir, { validators: serviceConfigValidators, trustPolicyName: defaultTrustPolicy ?? NOTATION_TRUST_POLICY_NAME });
        }
        if (!options.config.dir) {
          throw new ServiceError(
            'INVALID_OPTION',
            'file mode needs --config-dir DIR (a folder of TrustPolicy and TrustStore YAML manifests) or --local (the notation config dir); Kubernetes mode runs in a pod, or with --kubeconfig from outside',
          );
        }
        return new FileConfigSource(options.config.dir, { validators: serviceConfigValidators });
      })();
    // Kubernetes mode: the --pluginConfigMap ConfigMap; otherwise (or when it is absent) the --pluginConfig file.
    const pluginConfig = kubernetes?.pluginConfig ?? (resolved.registry.pluginConfigFile ? await loadPluginConfig(resolved.registry.pluginConfigFile) : undefined);
    const { backend: cacheBackend, ...cacheOptions } = resolved.cache;
    const { RedisVerdictStore, verdictStoreScope } = cacheBackend ? await import('./redis-store.js') : {};
    const shared = cacheBackend && RedisVerdictStore && verdictStoreScope
      ? new RedisVerdictStore<ImageVerdict>({
          target: cacheBackend,
          scope: verdictStoreScope(resolved.registry, pluginConfig),
          accept: isStoredVerdict,
          ...(options.cache?.backendTimeoutMs !== undefined ? { operationTimeoutMs: options.cache.backendTimeoutMs } : {}),
          logger,
          onError: (operation) => metrics.cacheBackendErrors.inc({ operation }),
        })
      : undefined;
    if (shared) {
      teardown.add(() => shared.close());
      // Bounded: a Redis that is down delays the start by at most the connect timeout (its error is logged), then the service runs on memory.
      await shared.connected();
    }
    const cache = new VerdictCache<ImageVerdict>({
      ...cacheOptions,
      classify: classifyVerdict,
      validUntil: verdictValidUntil,
      ...(shared ? { shared } : {}),
      onHit: () => metrics.recordCacheHit(),
      onMiss: () => metrics.recordCacheMiss(),
    });
    teardown.add(async () => cache.close());
    // Attestation outcomes stay in memory (never in the shared store), with the image cache's bounds.
    const attestationCache = new VerdictCache<CandidateOutcome>({
      ...cacheOptions,
      classify: classifyAttestationOutcome,
      validUntil: attestationOutcomeValidUntil,
      onHit: () => metrics.recordCacheHit(),
      onMiss: () => metrics.recordCacheMiss(),
    });
    teardown.add(async () => attestationCache.close());

    let shuttingDown = false;
    const ready = () => {
      const sourceWarning = kubernetes?.readinessDetail();
      return readiness({
        loaded: config.ready,
        snapshot: config.current(),
        shuttingDown,
        ...(defaultTrustPolicy ? { defaultTrustPolicy } : {}),
        ...(sourceWarning ? { sourceWarning } : {}),
      });
    };
    config.subscribe((event) => {
      metrics.configReloads.inc({ result: event.ok ? 'success' : 'error' });
      metrics.configGeneration.set(event.snapshot.generation);
      metrics.trustPolicies.set(event.snapshot.trustPolicies.size);
      for (const issue of event.issues) {
        (issue.severity === 'error' ? logger.error.bind(logger) : logger.warn.bind(logger))({ source: event.source, code: issue.code }, formatIssue(issue));
      }
      logger.info(
        { source: event.source, generation: event.snapshot.generation, trustPolicies: [...event.snapshot.trustPolicies.keys()], ok: event.ok, durationMs: Math.round(event.durationMs) },
        event.snapshot === event.previous ? 'configuration unchanged: the one in use stays' : 'configuration loaded',
      );
      const state = readiness({ loaded: true, snapshot: event.snapshot, shuttingDown: false, ...(defaultTrustPolicy ? { defaultTrustPolicy } : {}) });
      if (!state.ready) logger.warn({ source: event.source, generation: event.snapshot.generation }, `not ready: ${state.reason}`);
    });
    teardown.add(() => config.close());
    await config.start();

    // Registry metrics are labelled only by registries the configuration names; every call is logged at debug.
    const registryLabel = registryLabeller(() => config.current(), [...(resolved.registry.plainHttp ?? []), ...(Array.isArray(resolved.registry.allowInsecure) ? resolved.registry.allowInsecure : [])]);
    const onRegistryOperation = (event: RegistryOperationEvent): void => {
      metrics.recordRegistryOperation({ registry: registryLabel(event.registry), operation: event.operation, outcome: event.outcome, durationMs: event.durationMs });
      // Several per image: the fields are built only when the line is written.
      if (logger.isLevelEnabled('debug')) {
        logger.debug({ registry: event.registry, operation: event.operation, outcome: event.outcome, durationMs: Math.round(event.durationMs * 10) / 10 }, 'registry call');
      }
    };
    const backend = options.backend ?? notaryBackend(resolved.registry, await pullSecretCredentials(resolved.registry, kubernetes, logger), pluginConfig, onRegistryOperation);
    teardown.add(async () => backend.close?.());

    let store: CertificateStore | undefined;
    let tls: ServingTls | undefined;
    if (resolved.tls) {
      const hosts = servingHosts(resolved.tls.serviceName, resolved.tls.namespace, resolved.listen.api.host);
      store =
        resolved.tls.store ??
        (resolved.tls.certFile && resolved.tls.keyFile ? new PemFilesCertificateStore(resolved.tls.certFile, resolved.tls.keyFile) : undefined) ??
        (mountDir !== undefined ? new MountedPairCertificateStore(mountDir) : undefined) ??
        kubernetes?.certificates ??
        new DirectoryCertificateStore(resolved.tls.certDir ?? join(tmpdir(), 'imgverify-serving-certs'), hosts);
      tls = await store.load();
    }

    const allow = resolved.registry.allowInsecure ?? false;
    const { app, server, plainServer } = createApiApp({
      logger,
      plainHttp: resolved.listen.http !== undefined,
      bodyLimit: limits.maxRequestBytes,
      timeouts: { readHeaderMs: limits.readHeaderTimeoutMs, readMs: limits.readTimeoutMs, idleMs: limits.idleTimeoutMs },
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}) });
    await app.register(checkImagesPlugin, {
      config,
      backend,
      cache,
      attestationCache,
      metrics,
      limits,
      ...(defaultTrustPolicy ? { defaultTrustPolicy } : {}),
      allowInsecure: (registry: string) => allow === true || (Array.isArray(allow) && allow.includes(registry)),
      ...(resolved.auth ? { tokenReview: { reviewer: resolved.auth.reviewer ?? (kubernetes as KubernetesMode).tokenReviewer, allowedUsers: resolved.auth.allowedUsers } } : {}),
    });
    await app.ready();
    const bound = await listen(server, resolved.listen.api);
    let plainBound: ListenAddress | undefined;
    teardown.add(async () => {
      shuttingDown = true;
      // fastify runs its onClose hooks and answers 503 to new requests on open connections; the
      // listeners are ours (serverFactory + listen), so closing them is ours too.
      await app.close();
      await Promise.all([drainServer(server), ...(plainBound && plainServer ? [drainServer(plainServer)] : [])]);
    });
    if (plainServer && resolved.listen.http) plainBound = await listen(plainServer, resolved.listen.http);

    if (store && tls) {
      const rotation = startTlsRotation({ store, server: server as HttpsServer, current: tls, logger });
      teardown.add(async () => rotation.stop());
    }

    const sideUrls = await listenSideServers(teardown, {
      ...(resolved.listen.metrics ? { metrics: { address: resolved.listen.metrics, registry: metrics.registry } } : {}),
      ...(resolved.listen.health ? { health: { address: resolved.listen.health, isReady: ready } } : {}),
    });
    const result: RunningService = {
      url: `${tls ? 'https' : 'http'}://${urlHost(bound)}`,
      ...(plainBound ? { httpUrl: `http://${urlHost(plainBound)}` } : {}),
      ...sideUrls,
      config,
      metrics,
      cache,
      logger,
      close: teardown.close,
    };
    if (tls?.caCertPath) result.caCertPath = tls.caCertPath;
    if (tls?.caCert) result.caCert = tls.caCert;

    logger.info(
      {
        url: result.url,
        ...(result.httpUrl ? { http: result.httpUrl } : {}),
        ...(store ? { tls: store.description } : {}),
        metrics: result.metricsUrl,
        health: result.healthUrl,
        config: config.description,
        trustPolicies: [...config.current().trustPolicies.keys()],
        ...(tls?.caCertPath ? { caCertPath: tls.caCertPath } : {}),
      },
      'Listening...',
    );
    return result;
  } catch (err) {
    await teardown.close();
    throw err;
  }
}

/** Pull secrets' credentials: Kubernetes mode's followed Secrets, or file mode's files. */
async function pullSecretCredentials(registry: ResolvedServiceOptions['registry'], kubernetes: KubernetesMode | undefined, logger: Logger): Promise<CredentialProvider | undefined> {
  return kubernetes ? kubernetes.credentials : loadPullSecrets(registry.imagePullSecrets ?? [], { warn: (message) => logger.warn(message) });
}

/** The default backend: registry client (pull secrets' credentials, then ECR's) and the Notary verifier (with AWS Signer's). */
function notaryBackend(
  registry: ResolvedServiceOptions['registry'],
  pullSecrets: CredentialProvider | undefined,
  pluginConfig: Record<string, string> | undefined,
  onRegistryOperation: (event: RegistryOperationEvent) => void,
): VerificationBackend {
  // Pull secrets win; ECR hosts (anchored patterns only) then get a token from the SDK's default credential chain.
  const ecr = ecrCredentials(registry.ecr);
  const credentials = pullSecrets ? chainCredentials(pullSecrets, ecr) : ecr;
  return new NotaryBackend({
    credentials,
    ...(registry.allowInsecure !== undefined ? { allowInsecureRegistry: registry.allowInsecure } : {}),
    ...(registry.plainHttp ? { plainHttpRegistries: registry.plainHttp } : {}),
    ...(registry.pluginsDir ? { pluginsDir: registry.pluginsDir } : {}),
    ...(registry.awsSignerVerifier ? { awsSignerVerifier: registry.awsSignerVerifier } : {}),
    ...(pluginConfig ? { pluginConfig } : {}),
    ...(registry.awsSigner ? { awsSigner: registry.awsSigner } : {}),
    maxSignatureAttempts: registry.maxSignatureAttempts,
    ...(registry.maxRequestsPerRegistry !== undefined ? { maxRequestsPerRegistry: registry.maxRequestsPerRegistry } : {}),
    onRegistryOperation,
  });
}
