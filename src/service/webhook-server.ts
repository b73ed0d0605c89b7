// The composition root of `imgverify webhook`: the service's API app, TLS Secrets, leader election and metrics (src/service, src/kube) around the admission plugin, the cluster's policies, the policy engine, audit and the webhook configurations.
import type { Server as HttpsServer } from 'node:https';
import type { Logger } from 'pino';
import { createKubernetesApi, EventRecorder, loadKubeConfig, tlsSecretNames } from '../kube/index.js';
import { RegistryClient } from '../oci/index.js';
import { registryEngineFactory, type CompiledKyvernoPolicy, type PolicyEngine } from '../policy/index.js';
import { createApiApp, DEFAULT_SERVER_TIMEOUTS } from './app.js';
import { servingHosts } from './tls.js';
import { drainServer, listen } from './listeners.js';
import { createLogger } from './logging.js';
import { ServiceMetrics } from './metrics.js';
import { notaryConfigValidators } from './notary-backend.js';
import { listenSideServers } from './probes.js';
import { startKubernetesMode, type KubernetesServiceOptions } from './kubernetes-mode.js';
import { startTlsRotation } from './tls-rotation.js';
import { Teardown } from './teardown.js';
import { urlHost, type ListenAddress } from './address.js';
import {
  admissionPlugin,
  ANSWER_MARGIN_MS,
  AuditRecorder,
  DEFAULT_WEBHOOK_TIMEOUT_SECONDS,
  MAX_ADMISSION_REVIEW_BYTES,
  NamespaceLabels,
  PolicySource,
  WebhookMetrics,
  WebhookRegistration,
  webhookTimeouts,
  type FailurePolicy,
  type WebhookTarget,
} from '../webhook/index.js';

/** Where imgverify's webhook runs unless POD_NAMESPACE says otherwise; its Service name. */
export const DEFAULT_WEBHOOK_NAMESPACE = 'imgverify';
export const DEFAULT_WEBHOOK_SERVICE = 'imgverify';
/** The webhook's own Lease: `serve` (kyverno-notation-aws) and `webhook` in one namespace elect separate leaders. */
export const DEFAULT_WEBHOOK_LEASE = 'imgverify-webhook';
/** Our answer deadline when no policy asks for less (a policy's webhookTimeoutSeconds minus the margin wins when shorter). */
export const DEFAULT_ANSWER_TIMEOUT_MS = DEFAULT_WEBHOOK_TIMEOUT_SECONDS * 1000 - ANSWER_MARGIN_MS;
const DEFAULT_REGISTRATION_INTERVAL_MS = 60_000;
const DEFAULT_START_TIMEOUT_MS = 30_000;

export interface WebhookOptions {
  kubernetes: KubernetesServiceOptions & { namespace: string };
  serviceName: string;
  /** The HTTPS listener (the Service's targetPort). */
  listen: ListenAddress;
  metrics?: ListenAddress;
  health?: ListenAddress;
  /** Most milliseconds to answer; kept below each webhook's timeoutSeconds by ANSWER_MARGIN_MS. */
  answerTimeoutMs?: number;
  /** --kyverno-policies */
  kyvernoPolicies?: boolean;
  excludedNamespaces?: readonly string[];
  /** Registry → mirror (ghcr.io → 127.0.0.1:5000) for the engine; tests and air-gapped clusters. */
  registryMirrors?: Record<string, string>;
  /** Registries reached over plain HTTP (tests: the local docker-registry). */
  plainHttpForLocalhost?: boolean;
  registrationIntervalMs?: number;
  logger?: Logger;
}

export interface RunningWebhook {
  url: string;
  metricsUrl?: string;
  healthUrl?: string;
  policies: PolicySource;
  registration: WebhookRegistration;
  audit: AuditRecorder;
  close(): Promise<void>;
}

/** The answer deadline for each endpoint: the configured one, or less when the policies' webhook timeout is shorter. */
export function answerTimeouts(policies: readonly CompiledKyvernoPolicy[], target: WebhookTarget, configuredMs: number): (failurePolicy: FailurePolicy) => number {
  const timeouts = webhookTimeouts(policies, target);
  return (failurePolicy) => Math.max(ANSWER_MARGIN_MS, Math.min(configuredMs, (timeouts[failurePolicy] ?? DEFAULT_WEBHOOK_TIMEOUT_SECONDS) * 1000 - ANSWER_MARGIN_MS));
}

export async function startWebhook(options: WebhookOptions): Promise<RunningWebhook> {
  const logger = options.logger ?? createLogger();
  const { namespace } = options.kubernetes;
  const teardown = new Teardown(logger);
  try {
    const metrics = new ServiceMetrics({ cacheSize: () => 0 });
    const webhookMetrics = new WebhookMetrics(metrics.registry);
    const api = createKubernetesApi(loadKubeConfig({ local: options.kubernetes.local, ...(options.kubernetes.kubeconfigPath ? { kubeconfigPath: options.kubernetes.kubeconfigPath } : {}) }));
    let leading: AbortSignal | undefined;
    const target = (): WebhookTarget => ({ serviceName: options.serviceName, namespace, caBundle: '', ...(options.excludedNamespaces ? { excludedNamespaces: options.excludedNamespaces } : {}) });
    const policies = new PolicySource({ api, logger, kyvernoPolicies: options.kyvernoPolicies ?? false, writesStatus: () => leading !== undefined && !leading.aborted });
    const registration = new WebhookRegistration({
      api,
      namespace,
      serviceName: options.serviceName,
      caSecretName: tlsSecretNames(options.serviceName, namespace).ca,
      policies: () => policies.policies(),
      logger,
      checkIntervalMs: options.registrationIntervalMs ?? DEFAULT_REGISTRATION_INTERVAL_MS,
      ...(options.excludedNamespaces ? { excludedNamespaces: options.excludedNamespaces } : {}),
    });
    const kubernetes = await startKubernetesMode({
      kubernetes: { ...options.kubernetes, leaseName: options.kubernetes.leaseName ?? DEFAULT_WEBHOOK_LEASE },
      serviceName: options.serviceName,
      hosts: servingHosts(options.serviceName, namespace, undefined).filter((host) => host !== 'localhost'),
      imagePullSecrets: [],
      tls: true,
      validators: notaryConfigValidators,
      logger,
      registry: metrics.registry,
      onStartedLeading: (signal) => {
        leading = signal;
        registration.runAsLeader(signal);
        // The new leader writes the conditions the old one may not have.
        void policies.rebuild();
      },
    });
    teardown.add(() => kubernetes.close());

    // The engine as `imgverify apply` runs it (src/policy's factory), rebuilt per policy set and failure policy.
    const client = new RegistryClient({ ...(kubernetes.credentials ? { credentials: kubernetes.credentials } : {}), plainHttpForLocalhost: options.plainHttpForLocalhost ?? false });
    teardown.add(() => client.close());
    const engineOf = registryEngineFactory({ client, ...(options.registryMirrors ? { registryMirrors: options.registryMirrors } : {}) });
    let engines: Partial<Record<FailurePolicy, PolicyEngine>> = {};
    let answerTimeoutMs = answerTimeouts([], target(), options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
    const rebuildEngines = () => {
      const current = policies.policies();
      const engineFor = (failurePolicy: FailurePolicy) => {
        const selected = current.filter((p) => p.failurePolicy === failurePolicy);
        return selected.length === 0 ? undefined : engineOf(selected);
      };
      engines = { Fail: engineFor('Fail'), Ignore: engineFor('Ignore') };
      answerTimeoutMs = answerTimeouts(current, target(), options.answerTimeoutMs ?? DEFAULT_ANSWER_TIMEOUT_MS);
      logger.info({ policies: current.map((p) => (p.namespace ? `${p.namespace}/${p.name}` : p.name)) }, 'policies loaded');
      registration.trigger();
    };
    policies.subscribe(rebuildEngines);
    teardown.add(() => policies.stop());
    await policies.start(options.kubernetes.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);

    const namespaces = new NamespaceLabels({ api, logger, ...(options.kubernetes.retryMinMs !== undefined ? { retryMinMs: options.kubernetes.retryMinMs } : {}) });
    teardown.add(() => namespaces.stop());
    await namespaces.start(options.kubernetes.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);

    const audit = new AuditRecorder({ api, events: new EventRecorder(api, namespace, options.kubernetes.identity ?? options.serviceName, logger), logger });
    teardown.add(() => audit.close());

    const store = kubernetes.certificates;
    if (!store) throw new Error('Kubernetes mode gave no certificate store');
    const tls = await store.load();
    const unwatch = store.watch?.(() => registration.trigger());
    teardown.add(async () => unwatch?.());
    const { app, server } = createApiApp({ logger, bodyLimit: MAX_ADMISSION_REVIEW_BYTES, timeouts: DEFAULT_SERVER_TIMEOUTS, tls: { key: tls.key, cert: tls.cert } });
    await app.register(admissionPlugin, { engine: (failurePolicy) => engines[failurePolicy], answerTimeoutMs: (failurePolicy) => answerTimeoutMs(failurePolicy), recorder: audit, namespaceLabels: (name) => namespaces.of(name), metrics: webhookMetrics, logger });
    await app.ready();
    const bound = await listen(server, options.listen);
    let shuttingDown = false;
    teardown.add(async () => {
      shuttingDown = true;
      await app.close();
      await drainServer(server);
    });
    const rotation = startTlsRotation({ store, server: server as HttpsServer, current: tls, logger });
    teardown.add(async () => rotation.stop());

    const sideUrls = await listenSideServers(teardown, {
      ...(options.metrics ? { metrics: { address: options.metrics, registry: metrics.registry } } : {}),
      ...(options.health ? { health: { address: options.health, isReady: () => (shuttingDown ? { ready: false, reason: 'shutting down' } : { ready: true }) } } : {}),
    });
    const result: RunningWebhook = { url: `https://${urlHost(bound)}`, ...sideUrls, policies, registration, audit, close: teardown.close };
    logger.info({ url: result.url, metrics: result.metricsUrl, health: result.healthUrl, namespace }, 'admission webhook listening');
    return result;
  } catch (err) {
    await teardown.close();
    throw err;
  }
}
