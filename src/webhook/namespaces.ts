// The labels of every namespace, followed by an informer: policies' namespaceSelectors match on them, and an AdmissionReview does not carry them (nor may the request supply them).
import type { KubernetesListObject, V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { callApi, CollectionWatch, KubernetesError, type KubernetesApi } from '../kube/index.js';

export class NamespaceLabels {
  readonly #watch: CollectionWatch<V1Namespace>;
  #labels = new Map<string, Record<string, string>>();

  constructor(options: { api: KubernetesApi; logger: Logger; retryMinMs?: number }) {
    const { api } = options;
    this.#watch = new CollectionWatch<V1Namespace>({
      api,
      path: '/api/v1/namespaces',
      list: () => callApi(api, 'list namespaces', (call) => api.core.listNamespace({}, call)) as Promise<KubernetesListObject<V1Namespace>>,
      onChange: () => {
        this.#labels = new Map(this.#watch.objects().map((ns) => [ns.metadata?.name ?? '', { ...ns.metadata?.labels }]));
      },
      onConnectivity: (connected, error) => {
        if (!connected) options.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'cannot follow the namespaces: using the labels last seen');
      },
      ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
    });
  }

  /** The labels of `namespace` (empty for one not seen yet, as Kyverno's lister answers). */
  of(namespace: string): Record<string, string> {
    return this.#labels.get(namespace) ?? {};
  }

  async start(timeoutMs: number): Promise<void> {
    if (!(await this.#watch.start(timeoutMs))) {
      await this.stop();
      throw new KubernetesError('KUBERNETES_API_ERROR', `cannot list the namespaces within ${timeoutMs} ms; may the service account list and watch them?`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  stop(): Promise<void> {
    return this.#watch.stop();
  }
}
