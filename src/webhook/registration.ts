// The leader keeps the webhook configurations: generated from the policies, the serving CA as caBundle (the previous CA kept beside a rotated one), rewritten when either changes.
import { X509Certificate } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { V1MutatingWebhookConfiguration, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiStatus, callApi, TLS_CERT_KEY, type KubernetesApi } from '../kube/index.js';
import type { CompiledKyvernoPolicy } from '../policy/index.js';
import { MANAGED_BY_LABEL, MAX_CA_BUNDLE_CERTIFICATES, MUTATING_CONFIGURATION_NAME, VALIDATING_CONFIGURATION_NAME } from './constants.js';
import { webhookConfigurations, type WebhookTarget } from './configurations.js';

export interface WebhookRegistrationOptions {
  api: KubernetesApi;
  namespace: string;
  serviceName: string;
  /** The Secret holding the serving CA (`tls.crt`), which the leader of the TLS Secrets rotates. */
  caSecretName: string;
  excludedNamespaces?: readonly string[];
  /** The valid policies now. */
  policies: () => readonly CompiledKyvernoPolicy[];
  logger: Logger;
  /** Reconcile at least this often while leading. */
  checkIntervalMs: number;
  now?: () => Date;
}

const PEM_CERTIFICATES = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificates(pem: string): string[] {
  return pem.match(PEM_CERTIFICATES) ?? [];
}

/** Plain data as JSON has it (no undefined members, no class instances), for comparing what we read with what we write. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

/**
 * The caBundle: the CA in the Secret first, then the certificates of the bundle in use that are
 * other CAs still valid (a pair issued by the previous CA stays trusted while replicas switch),
 * at most MAX_CA_BUNDLE_CERTIFICATES.
 */
export function caBundle(currentCa: string, previousBundle: string, now: Date): string {
  const fresh = certificates(currentCa);
  const kept = certificates(previousBundle).filter((pem) => {
    if (fresh.includes(pem)) return false;
    try {
      return new Date(new X509Certificate(pem).validTo).getTime() > now.getTime();
    } catch {
      return false;
    }
  });
  return `${[...fresh, ...kept].slice(0, MAX_CA_BUNDLE_CERTIFICATES).join('\n')}\n`;
}

type Configuration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

function bundleOf(configuration: Configuration | undefined): string {
  const encoded = configuration?.webhooks?.[0]?.clientConfig.caBundle;
  return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
}

export class WebhookRegistration {
  readonly #options: WebhookRegistrationOptions;
  #leading: AbortSignal | undefined;
  #round: Promise<void> | undefined;
  #again = false;

  constructor(options: WebhookRegistrationOptions) {
    this.#options = options;
  }

  /** While `signal` is not aborted (leadership), reconcile now, on every trigger and every check interval. */
  runAsLeader(signal: AbortSignal): void {
    this.#leading = signal;
    const timer = setInterval(() => this.trigger(), this.#options.checkIntervalMs);
    timer.unref();
    signal.addEventListener('abort', () => clearInterval(timer), { once: true });
    this.trigger();
  }

  /** Something changed (policies, the serving CA): reconcile soon when leading; bursts coalesce into one more round. */
  trigger(): void {
    if (!this.#leading || this.#leading.aborted) return;
    if (this.#round) {
      this.#again = true;
      return;
    }
    this.#round = this.reconcile()
      .catch((err: unknown) => this.#options.logger.error({ err }, 'cannot write the webhook configurations; retrying'))
      .finally(() => {
        this.#round = undefined;
        if (this.#again) {
          this.#again = false;
          this.trigger();
        }
      });
  }

  /** Resolves when no round is running (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#round) await this.#round;
  }

  /** Write both configurations as the policies and the CA say now. */
  async reconcile(): Promise<void> {
    const { api, namespace } = this.#options;
    const registration = api.admissionRegistration;
    const secret = await callApi(api, `read Secret ${namespace}/${this.#options.caSecretName}`, (call) => api.core.readNamespacedSecret({ name: this.#options.caSecretName, namespace }, call));
    const ca = Buffer.from(secret.data?.[TLS_CERT_KEY] ?? '', 'base64').toString('utf8');
    if (certificates(ca).length === 0) throw new Error(`the CA Secret ${namespace}/${this.#options.caSecretName} holds no certificate yet`);
    const existing = await Promise.all([
      this.#read('MutatingWebhookConfiguration', (name, call) => registration.readMutatingWebhookConfiguration({ name }, call)),
      this.#read('ValidatingWebhookConfiguration', (name, call) => registration.readValidatingWebhookConfiguration({ name }, call)),
    ]);
    const target: WebhookTarget = {
      serviceName: this.#options.serviceName,
      namespace,
      caBundle: caBundle(ca, bundleOf(existing[0]), this.#options.now?.() ?? new Date()),
      ...(this.#options.excludedNamespaces ? { excludedNamespaces: this.#options.excludedNamespaces } : {}),
    };
    const wanted = webhookConfigurations(this.#options.policies(), target);
    await this.#write(wanted.mutating, existing[0], {
      create: (body, call) => registration.createMutatingWebhookConfiguration({ body }, call),
      replace: (name, body, call) => registration.replaceMutatingWebhookConfiguration({ name, body }, call),
    });
    await this.#write(wanted.validating, existing[1], {
      create: (body, call) => registration.createValidatingWebhookConfiguration({ body }, call),
      replace: (name, body, call) => registration.replaceValidatingWebhookConfiguration({ name, body }, call),
    });
  }

  async #read<T extends Configuration>(kind: string, read: (name: string, call: Parameters<Parameters<typeof callApi>[2]>[0]) => Promise<T>): Promise<T | undefined> {
    const name = kind === 'MutatingWebhookConfiguration' ? MUTATING_CONFIGURATION_NAME : VALIDATING_CONFIGURATION_NAME;
    try {
      return await callApi(this.#options.api, `read ${kind} ${name}`, (call) => read(name, call));
    } catch (err) {
      if (apiStatus(err) === 404) return undefined;
      throw err;
    }
  }

  async #write<T extends Configuration>(
    wanted: T,
    existing: T | undefined,
    calls: { create: (body: T, call: Parameters<Parameters<typeof callApi>[2]>[0]) => Promise<T>; replace: (name: string, body: T, call: Parameters<Parameters<typeof callApi>[2]>[0]) => Promise<T> },
  ): Promise<void> {
    const name = wanted.metadata?.name as string;
    const what = `${wanted.kind ?? 'webhook configuration'} ${name}`;
    if (!existing) {
      await callApi(this.#options.api, `create ${what}`, (call) => calls.create(wanted, call));
      this.#options.logger.info({ configuration: name, webhooks: wanted.webhooks?.length ?? 0 }, 'created the webhook configuration');
      return;
    }
    if (isDeepStrictEqual(plain(existing.webhooks ?? []), plain(wanted.webhooks ?? [])) && existing.metadata?.labels?.[MANAGED_BY_LABEL] !== undefined) return;
    const body = { ...wanted, metadata: { ...existing.metadata, labels: { ...existing.metadata?.labels, ...wanted.metadata?.labels } } } as T;
    await callApi(this.#options.api, `update ${what}`, (call) => calls.replace(name, body, call));
    this.#options.logger.info({ configuration: name, webhooks: wanted.webhooks?.length ?? 0 }, 'updated the webhook configuration');
  }
}
