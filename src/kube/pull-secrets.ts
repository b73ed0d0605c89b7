// --imagePullSecrets in Kubernetes mode: registry credentials from dockerconfigjson/dockercfg Secrets of POD_NAMESPACE, following their changes.
import type { KubernetesListObject, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { credentialsFromDockerConfig, parseDockerConfig, type CredentialProvider, type DockerConfig } from '../oci/index.js';
import { callApi, type KubernetesApi } from './api.js';
import { DOCKER_CFG_KEY, DOCKER_CFG_TYPE, DOCKER_CONFIG_JSON_KEY, DOCKER_CONFIG_JSON_TYPE, MAX_PULL_SECRET_BYTES } from './constants.js';
import { KubernetesError } from './errors.js';
import { CollectionWatch } from './watch.js';

type Auths = NonNullable<DockerConfig['auths']>;

/**
 * The registry credentials one Secret holds. Only `auths` is used: a Secret names registries and
 * passwords, never credential helpers to execute.
 */
export function pullSecretAuths(secret: V1Secret): Auths {
  const name = secret.metadata?.name ?? '(unnamed)';
  const where = `Secret ${secret.metadata?.namespace ?? ''}/${name}`;
  const legacy = secret.type === DOCKER_CFG_TYPE;
  if (secret.type !== DOCKER_CONFIG_JSON_TYPE && !legacy) {
    throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `${where} has type ${JSON.stringify(secret.type ?? '')}; a pull secret is ${DOCKER_CONFIG_JSON_TYPE} or ${DOCKER_CFG_TYPE} (kubectl create secret docker-registry)`);
  }
  const key = legacy ? DOCKER_CFG_KEY : DOCKER_CONFIG_JSON_KEY;
  const encoded = secret.data?.[key];
  if (typeof encoded !== 'string') throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `${where} has no data["${key}"]`);
  if (encoded.length > (MAX_PULL_SECRET_BYTES * 4) / 3 + 4) {
    throw new KubernetesError('INVALID_KUBERNETES_OBJECT', `${where}: data["${key}"] is larger than ${MAX_PULL_SECRET_BYTES} bytes`);
  }
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    // .dockercfg is the pre-1.7 Docker format: the auths map itself, without the "auths" wrapper.
    const config = parseDockerConfig(legacy ? `{"auths":${text}}` : text, `${where} data["${key}"]`);
    return config.auths ?? {};
  } catch (err) {
    throw new KubernetesError('INVALID_KUBERNETES_OBJECT', err instanceof Error ? err.message : String(err), { cause: err });
  }
}

export interface PullSecretsOptions {
  api: KubernetesApi;
  namespace: string;
  /** Secret names, in precedence order: the first that has credentials for a registry wins. */
  names: readonly string[];
  logger: Logger;
  retryMinMs?: number;
  startTimeoutMs?: number;
}

/** Watches the named Secrets; `credentials` always answers from their current content. */
export class KubernetesPullSecrets {
  /** A CredentialProvider that reads the Secrets' current content at each call. */
  readonly credentials: CredentialProvider;
  #options: PullSecretsOptions;
  #watches: CollectionWatch<V1Secret>[];
  /** Last good auths per Secret name (a broken new version keeps the old credentials). */
  #auths = new Map<string, Auths>();
  #provider: CredentialProvider = async () => undefined;

  constructor(options: PullSecretsOptions) {
    this.#options = options;
    const { api, namespace } = options;
    this.credentials = (registry, signal) => this.#provider(registry, signal);
    this.#watches = options.names.map(
      (name) =>
        new CollectionWatch<V1Secret>({
          api,
          path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
          fieldSelector: `metadata.name=${name}`,
          list: () =>
            callApi(api, `read pull secret ${namespace}/${name}`, (call) =>
              api.core.listNamespacedSecret({ namespace, fieldSelector: `metadata.name=${name}` }, call),
            ) as Promise<KubernetesListObject<V1Secret>>,
          onChange: () => this.#rebuild(),
          ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
        }),
    );
  }

  async start(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.start(this.#options.startTimeoutMs ?? 10_000)));
    this.#rebuild();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#watches.map((w) => w.stop()));
  }

  #rebuild(): void {
    const { logger, names, namespace } = this.#options;
    for (const [index, name] of names.entries()) {
      const secret = this.#watches[index]?.objects()[0];
      if (!secret) {
        if (this.#watches[index]?.synced && this.#auths.delete(name)) logger.warn({ secret: `${namespace}/${name}` }, 'pull secret deleted: its credentials are no longer used');
        continue;
      }
      try {
        this.#auths.set(name, pullSecretAuths(secret));
      } catch (err) {
        logger.error({ secret: `${namespace}/${name}`, resourceVersion: secret.metadata?.resourceVersion, reason: err instanceof Error ? err.message : String(err) }, 'invalid pull secret: keeping its last good credentials');
      }
    }
    const merged: Auths = {};
    for (const name of names) {
      for (const [registry, entry] of Object.entries(this.#auths.get(name) ?? {})) if (!(registry in merged)) merged[registry] = entry;
    }
    this.#provider = credentialsFromDockerConfig({ auths: merged });
    logger.info({ secrets: names.filter((n) => this.#auths.has(n)), registries: Object.keys(merged).sort() }, 'pull secrets loaded');
  }
}
