// The serving CA and pair in Secrets `<svc>.<ns>.svc.tls-ca` / `<svc>.<ns>.svc.tls-pair`: the leader creates and rotates them, every replica serves the current pair.
//
// As the peer (Kyverno's certificate renewer): a self-signed CA of 365 days and a serving pair
// of 150 days renewed 60 hours before it expires, both `kubernetes.io/tls` Secrets with data
// keys `tls.crt` and `tls.key`. Kyverno policies read the pair's `tls.crt` as the caBundle of
// their call to the service. Writes carry the resourceVersion read, so a leader that lost the
// Lease mid-way cannot overwrite its successor's work (409 Conflict).
import { X509Certificate } from 'node:crypto';
import type { KubernetesListObject, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiStatus, callApi, type KubernetesApi } from './api.js';
import { DEFAULT_TLS_CHECK_INTERVAL_MS, TLS_CA_SECRET_SUFFIX, TLS_CERT_KEY, TLS_KEY_KEY, TLS_PAIR_SECRET_SUFFIX } from './constants.js';
import type { KubernetesMetrics } from './metrics.js';
import { CollectionWatch } from './watch.js';

/** A certificate (PEM) and its private key (PEM). */
export interface PemPair {
  cert: string;
  key: string;
}

/** Issues the CA and serving certificates (the service's TLS code; real crypto, injected so this domain does not import the service). */
export interface CertificateIssuer {
  issueCa(now: Date): Promise<PemPair>;
  issueServing(ca: PemPair, hosts: readonly string[], now: Date): Promise<PemPair>;
}

export interface TlsSecretsOptions {
  api: KubernetesApi;
  namespace: string;
  serviceName: string;
  /** DNS names the serving certificate covers (the Service's names). */
  hosts: readonly string[];
  issuer: CertificateIssuer;
  /** Renew a certificate this long before it expires (60 h as the peer; the CA at twice that, so the pair never outlives it). */
  renewBeforeMs: number;
  logger: Logger;
  metrics?: KubernetesMetrics;
  checkIntervalMs?: number;
  retryMinMs?: number;
  now?: () => Date;
}

/** `<svc>.<ns>.svc.tls-ca` and `<svc>.<ns>.svc.tls-pair`, the peer's Secret names. */
export function tlsSecretNames(serviceName: string, namespace: string): { ca: string; pair: string } {
  return { ca: `${serviceName}.${namespace}.${TLS_CA_SECRET_SUFFIX}`, pair: `${serviceName}.${namespace}.${TLS_PAIR_SECRET_SUFFIX}` };
}

function decodePair(secret: V1Secret | undefined): PemPair | undefined {
  const cert = secret?.data?.[TLS_CERT_KEY];
  const key = secret?.data?.[TLS_KEY_KEY];
  if (typeof cert !== 'string' || typeof key !== 'string') return undefined;
  return { cert: Buffer.from(cert, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') };
}

/** When a PEM certificate expires (ms since the epoch); undefined when it cannot be parsed. */
export function certificateNotAfter(pem: string): number | undefined {
  try {
    return Date.parse(new X509Certificate(pem).validTo);
  } catch {
    return undefined;
  }
}

export class TlsSecrets {
  readonly names: { ca: string; pair: string };
  #options: TlsSecretsOptions;
  #watch: CollectionWatch<V1Secret> | undefined;
  #current: PemPair | undefined;
  #listeners = new Set<(pair: PemPair) => void>();

  constructor(options: TlsSecretsOptions) {
    this.#options = options;
    this.names = tlsSecretNames(options.serviceName, options.namespace);
  }

  /** The serving pair in the Secret now (undefined until the leader created it). */
  current(): PemPair | undefined {
    return this.#current;
  }

  /** Called with each new serving pair the Secret holds. */
  subscribe(listener: (pair: PemPair) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every replica: follow the pair Secret. Resolves once it was read (or `timeoutMs` passed). */
  async follow(timeoutMs: number): Promise<void> {
    const { api, namespace } = this.#options;
    const selector = `metadata.name=${this.names.pair}`;
    this.#watch = new CollectionWatch<V1Secret>({
      api,
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
      fieldSelector: selector,
      list: () => callApi(api, `read Secret ${namespace}/${this.names.pair}`, (call) => api.core.listNamespacedSecret({ namespace, fieldSelector: selector }, call)) as Promise<KubernetesListObject<V1Secret>>,
      onChange: () => this.#pairChanged(),
      ...(this.#options.retryMinMs !== undefined ? { retryMinMs: this.#options.retryMinMs } : {}),
    });
    await this.#watch.start(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.#watch?.stop();
    this.#listeners.clear();
  }

  /** The leader: reconcile now and then every check interval until `signal` aborts (leadership lost). */
  runAsLeader(signal: AbortSignal): void {
    const interval = this.#options.checkIntervalMs ?? DEFAULT_TLS_CHECK_INTERVAL_MS;
    const round = (): void => {
      if (signal.aborted) return;
      this.reconcile().then(
        () => undefined,
        (err: unknown) => this.#options.logger.error({ err }, 'cannot create or rotate the TLS Secrets; retrying'),
      ).finally(() => {
        if (signal.aborted) return;
        const timer = setTimeout(round, interval);
        timer.unref();
        signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
      });
    };
    round();
  }

  /** Make both Secrets valid for at least the renewal margin: create what is missing, rotate what expires soon. */
  async reconcile(): Promise<void> {
    const now = this.#options.now?.() ?? new Date();
    const margin = this.#options.renewBeforeMs;
    const caSecret = await this.#read(this.names.ca);
    let ca = decodePair(caSecret);
    const caExpiry = ca ? certificateNotAfter(ca.cert) : undefined;
    let caRotated = false;
    if (!ca || caExpiry === undefined || caExpiry - now.getTime() <= 2 * margin) {
      ca = await this.#options.issuer.issueCa(now);
      await this.#write(this.names.ca, caSecret, ca);
      this.#options.metrics?.certificateRotations.inc({ secret: 'ca' });
      this.#options.logger.info({ secret: this.names.ca, reason: caSecret ? 'expiring or unreadable' : 'missing' }, 'created the serving CA Secret');
      caRotated = true;
    }
    const pairSecret = await this.#read(this.names.pair);
    const pair = decodePair(pairSecret);
    const pairExpiry = pair ? certificateNotAfter(pair.cert) : undefined;
    if (caRotated || !pair || pairExpiry === undefined || pairExpiry - now.getTime() <= margin || !this.#issuedBy(pair.cert, ca.cert)) {
      const next = await this.#options.issuer.issueServing(ca, this.#options.hosts, now);
      await this.#write(this.names.pair, pairSecret, next);
      this.#options.metrics?.certificateRotations.inc({ secret: 'pair' });
      this.#options.logger.info({ secret: this.names.pair, notAfter: new Date(certificateNotAfter(next.cert) ?? 0).toISOString() }, pairSecret ? 'rotated the serving certificate Secret' : 'created the serving certificate Secret');
    }
  }

  #issuedBy(certPem: string, caPem: string): boolean {
    try {
      return new X509Certificate(certPem).checkIssued(new X509Certificate(caPem));
    } catch {
      return false;
    }
  }

  async #read(name: string): Promise<V1Secret | undefined> {
    const { api, namespace } = this.#options;
    try {
      return await callApi(api, `read Secret ${namespace}/${name}`, (call) => api.core.readNamespacedSecret({ name, namespace }, call));
    } catch (err) {
      if (apiStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async #write(name: string, existing: V1Secret | undefined, pair: PemPair): Promise<void> {
    const { api, namespace } = this.#options;
    const data = { [TLS_CERT_KEY]: Buffer.from(pair.cert).toString('base64'), [TLS_KEY_KEY]: Buffer.from(pair.key).toString('base64') };
    if (existing) {
      const body: V1Secret = { ...existing, type: 'kubernetes.io/tls', data };
      await callApi(api, `update Secret ${namespace}/${name}`, (call) => api.core.replaceNamespacedSecret({ name, namespace, body }, call));
      return;
    }
    const body: V1Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls', data };
    await callApi(api, `create Secret ${namespace}/${name}`, (call) => api.core.createNamespacedSecret({ namespace, body }, call));
  }

  #pairChanged(): void {
    const pair = decodePair(this.#watch?.objects()[0]);
    if (!pair || (this.#current && pair.cert === this.#current.cert && pair.key === this.#current.key)) return;
    if (certificateNotAfter(pair.cert) === undefined) {
      this.#options.logger.error({ secret: this.names.pair }, 'the serving certificate Secret holds no readable certificate; keeping the current one');
      return;
    }
    this.#current = pair;
    for (const listener of this.#listeners) listener(pair);
  }
}
