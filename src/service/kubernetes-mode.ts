// Kubernetes mode of `serve`: composes src/kube into what the service needs (config source, credentials, plugin config, token reviewer, serving certificates, readiness).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  certificateNotAfter,
  createKubernetesApi,
  createTokenReviewer,
  DEFAULT_NAMESPACE,
  EventRecorder,
  KubernetesConfigSource,
  KubernetesMetrics,
  KubernetesPullSecrets,
  LeaderElector,
  loadKubeConfig,
  readPluginConfig,
  TlsSecrets,
  type PemPair,
} from '../kube/index.js';
import type { ConfigValidators } from '../config/index.js';
import type { CredentialProvider } from '../oci/index.js';
import type { CertificateStore } from './certificates.js';
import { TLS_RENEW_BEFORE_MS } from './constants.js';
import { ServiceError } from './errors.js';
import { issueServingCa, issueServingPair, type ServingTls } from './tls.js';
import type { TokenReviewer } from './token-review.js';

/** What `serve` takes in Kubernetes mode (flags and env). */
export interface KubernetesServiceOptions {
  /** --kubeconfig: the kubeconfig; otherwise the in-cluster service account. */
  local: boolean;
  /** A kubeconfig file (--kubeconfig=PATH; otherwise $KUBECONFIG / ~/.kube/config). */
  kubeconfigPath?: string;
  /** POD_NAMESPACE (default kyverno-notation-aws). */
  namespace?: string;
  /** --pluginConfigMap: ConfigMap of POD_NAMESPACE holding plugin config; absent: none. */
  pluginConfigMap?: string;
  /** The flag was given: a missing ConfigMap is a startup error (the default name may be absent). */
  pluginConfigMapRequired?: boolean;
  /** --tokenAudiences */
  tokenAudiences?: readonly string[];
  /** --leader-elect: only the Lease holder writes the TLS Secrets; otherwise this replica does. */
  leaderElect?: boolean;
  /** The Lease replicas elect their leader with (default kyverno-notation-aws, the peer's); one per component in a namespace. */
  leaseName?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Pod name for the Lease holder identity (default: the host name, i.e. the pod name). */
  identity?: string;
  /** How long startup waits for the API server (CRD lists, the serving pair). */
  startTimeoutMs?: number;
  /** Test knobs: watch retry delay and the leader's certificate check interval. */
  retryMinMs?: number;
  tlsCheckIntervalMs?: number;
}

/**
 * The serving pair in the TLS Secret as a CertificateStore: every replica follows the Secret (the
 * leader writes it); load() gives the pair it holds now (waiting for the leader's first one) and
 * watch() pushes each new pair, so a rotation reaches every replica at once.
 */
export class SecretCertificateStore implements CertificateStore {
  readonly description: string;
  readonly #secrets: TlsSecrets;
  readonly #timeoutMs: number;

  constructor(secrets: TlsSecrets, namespace: string, timeoutMs: number) {
    this.#secrets = secrets;
    this.#timeoutMs = timeoutMs;
    this.description = `secret:${namespace}/${secrets.names.pair}`;
  }

  async load(): Promise<ServingTls> {
    return servingTls(this.#secrets.current() ?? (await this.#first()));
  }

  watch(listener: (next: ServingTls) => void): () => void {
    return this.#secrets.subscribe((pair) => listener(servingTls(pair)));
  }

  #first(): Promise<PemPair> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(
          new ServiceError('INVALID_TLS', `no serving certificate in the TLS Secret after ${this.#timeoutMs} ms: the leader creates it (is a replica running with --leader-elect, and may it write Secrets?)`),
        );
      }, this.#timeoutMs);
      const unsubscribe = this.#secrets.subscribe((pair) => {
        clearTimeout(timer);
        unsubscribe();
        resolve(pair);
      });
    });
  }
}

function servingTls(pair: PemPair): ServingTls {
  // TlsSecrets only hands over pairs whose certificate parses.
  return { cert: pair.cert, key: pair.key, notAfter: new Date(certificateNotAfter(pair.cert) ?? 0), generated: false };
}

export interface KubernetesMode {
  config: KubernetesConfigSource;
  credentials?: CredentialProvider;
  pluginConfig?: Record<string, string>;
  tokenReviewer: TokenReviewer;
  /** Undefined unless asked for (`tls`). */
  certificates?: CertificateStore;
  /** A warning for /readyz while the API server is unreachable (still ready: the last config serves). */
  readinessDetail(): string | undefined;
  close(): Promise<void>;
}

export interface StartKubernetesModeOptions {
  kubernetes: KubernetesServiceOptions;
  serviceName: string;
  hosts: readonly string[];
  imagePullSecrets: readonly string[];
  /** Serve the pair of the TLS Secrets (HTTPS without --tls-cert/--tls-key). */
  tls: boolean;
  validators: ConfigValidators;
  logger: Logger;
  registry: Registry;
  /** More work of the leader (the admission webhook's configurations and policy status), beside the TLS Secrets; `signal` aborts when leadership ends. */
  onStartedLeading?: (signal: AbortSignal) => void;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;

/** Connect to the cluster and start everything Kubernetes mode runs; close() stops it all. */
export async function startKubernetesMode(options: StartKubernetesModeOptions): Promise<KubernetesMode> {
  const { kubernetes, logger } = options;
  const namespace = kubernetes.namespace ?? DEFAULT_NAMESPACE;
  const startTimeoutMs = kubernetes.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const identity = `${kubernetes.identity ?? hostname()}_${randomBytes(4).toString('hex')}`;
  const api = createKubernetesApi(loadKubeConfig({ local: kubernetes.local, ...(kubernetes.kubeconfigPath ? { kubeconfigPath: kubernetes.kubeconfigPath } : {}) }));
  const metrics = new KubernetesMetrics(options.registry);
  const retry = kubernetes.retryMinMs !== undefined ? { retryMinMs: kubernetes.retryMinMs } : {};
  const cleanup: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const step of cleanup.reverse()) await step().catch((err: unknown) => logger.warn({ err }, 'error while stopping Kubernetes mode'));
    cleanup.length = 0;
  };

  try {
    const config = new KubernetesConfigSource({
      api,
      logger,
      validators: options.validators,
      metrics,
      events: new EventRecorder(api, namespace, identity, logger),
      startTimeoutMs,
      ...retry,
    });

    let credentials: CredentialProvider | undefined;
    if (options.imagePullSecrets.length > 0) {
      const secrets = new KubernetesPullSecrets({ api, namespace, names: options.imagePullSecrets, logger, startTimeoutMs, ...retry });
      cleanup.push(() => secrets.stop());
      await secrets.start();
      credentials = secrets.credentials;
    }
    const pluginConfig = kubernetes.pluginConfigMap
      ? await readPluginConfig(api, namespace, kubernetes.pluginConfigMap, { optional: !kubernetes.pluginConfigMapRequired })
      : undefined;
    if (pluginConfig) logger.info({ configMap: `${namespace}/${kubernetes.pluginConfigMap ?? ''}`, keys: Object.keys(pluginConfig) }, 'plugin config loaded');

    let certificates: CertificateStore | undefined;
    if (options.tls) {
      const tls = new TlsSecrets({
        api,
        namespace,
        serviceName: options.serviceName,
        hosts: options.hosts,
        issuer: { issueCa: issueServingCa, issueServing: issueServingPair },
        renewBeforeMs: TLS_RENEW_BEFORE_MS,
        logger,
        metrics,
        ...(kubernetes.tlsCheckIntervalMs !== undefined ? { checkIntervalMs: kubernetes.tlsCheckIntervalMs } : {}),
        ...retry,
      });
      cleanup.push(() => tls.stop());
      await tls.follow(startTimeoutMs);
      certificates = new SecretCertificateStore(tls, namespace, startTimeoutMs);
      if (kubernetes.leaderElect) {
        const elector = new LeaderElector({
          api,
          namespace,
          identity,
          logger,
          metrics,
          ...(kubernetes.leaseName !== undefined ? { leaseName: kubernetes.leaseName } : {}),
          ...(kubernetes.leaseDurationMs !== undefined ? { leaseDurationMs: kubernetes.leaseDurationMs } : {}),
          ...(kubernetes.renewDeadlineMs !== undefined ? { renewDeadlineMs: kubernetes.renewDeadlineMs } : {}),
          ...(kubernetes.retryPeriodMs !== undefined ? { retryPeriodMs: kubernetes.retryPeriodMs } : {}),
          onStartedLeading: (signal) => {
            tls.runAsLeader(signal);
            options.onStartedLeading?.(signal);
          },
        });
        cleanup.push(() => elector.stop());
        elector.start();
      } else {
        // One replica, no election: it keeps its own Secrets as the peer's single leader would.
        const alone = new AbortController();
        cleanup.push(async () => alone.abort());
        tls.runAsLeader(alone.signal);
        options.onStartedLeading?.(alone.signal);
      }
    }

    // The config source is started and closed by the service, as a file source is.
    return {
      config,
      ...(credentials ? { credentials } : {}),
      ...(pluginConfig ? { pluginConfig } : {}),
      tokenReviewer: createTokenReviewer({ api, metrics, ...(kubernetes.tokenAudiences ? { audiences: kubernetes.tokenAudiences } : {}) }),
      ...(certificates ? { certificates } : {}),
      readinessDetail: () => config.health().detail,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
