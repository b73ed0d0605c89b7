// The policies the webhook enforces, from the cluster: our ClusterImageVerificationPolicy/ImageVerificationPolicy CRDs (and, opted in, Kyverno's own kinds) watched by informers, parsed by src/policy, invalid ones reported in their status.
//
// Each object is parsed on its own (its issues name it), as the Kyverno document it is: ours by
// changing apiVersion and kind back. A policy with an error is left out; the leader writes a
// `Ready` condition to each of our objects (True, or False with every issue and the field at
// fault), only when it changed, so replicas never fight over status.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { callApi, CHANGE_DEBOUNCE_MS, CollectionWatch, KubernetesError, type KubernetesApi } from '../kube/index.js';
import { formatPolicyIssue, parsePolicies, type CompiledKyvernoPolicy, type PolicyIssue } from '../policy/index.js';
import {
  CLUSTER_POLICY_KIND,
  CLUSTER_POLICY_PLURAL,
  KYVERNO_CLUSTER_POLICY_KIND,
  KYVERNO_GROUP,
  KYVERNO_NAMESPACED_POLICY_KIND,
  NAMESPACED_POLICY_KIND,
  NAMESPACED_POLICY_PLURAL,
  POLICY_GROUP,
  POLICY_VERSION,
} from './constants.js';

interface PolicyObject extends KubernetesObject {
  spec?: unknown;
  status?: { conditions?: Condition[] };
}

export interface Condition {
  type: 'Ready';
  status: 'True' | 'False';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: 'Valid' | 'Invalid';
  message: string;
}

interface Collection {
  group: string;
  version: string;
  plural: string;
  kind: string;
  /** The kyverno.io kind its documents are parsed as. */
  kyvernoKind: string;
  namespaced: boolean;
  /** Ours: the leader writes its status. */
  ours: boolean;
}

const OURS: readonly Collection[] = [
  { group: POLICY_GROUP, version: POLICY_VERSION, plural: CLUSTER_POLICY_PLURAL, kind: CLUSTER_POLICY_KIND, kyvernoKind: KYVERNO_CLUSTER_POLICY_KIND, namespaced: false, ours: true },
  { group: POLICY_GROUP, version: POLICY_VERSION, plural: NAMESPACED_POLICY_PLURAL, kind: NAMESPACED_POLICY_KIND, kyvernoKind: KYVERNO_NAMESPACED_POLICY_KIND, namespaced: true, ours: true },
];
const KYVERNO: readonly Collection[] = [
  { group: KYVERNO_GROUP, version: 'v1', plural: 'clusterpolicies', kind: KYVERNO_CLUSTER_POLICY_KIND, kyvernoKind: KYVERNO_CLUSTER_POLICY_KIND, namespaced: false, ours: false },
  { group: KYVERNO_GROUP, version: 'v1', plural: 'policies', kind: KYVERNO_NAMESPACED_POLICY_KIND, kyvernoKind: KYVERNO_NAMESPACED_POLICY_KIND, namespaced: true, ours: false },
];

export interface PolicySourceOptions {
  api: KubernetesApi;
  logger: Logger;
  /** --kyverno-policies: read kyverno.io ClusterPolicy/Policy too (when Kyverno itself is not installed). */
  kyvernoPolicies?: boolean;
  /** Whether this replica writes status (the leader). */
  writesStatus: () => boolean;
  debounceMs?: number;
  retryMinMs?: number;
  now?: () => Date;
}

/** The Ready condition a policy object's issues give it. */
export function readyCondition(issues: readonly PolicyIssue[], generation: number | undefined, now: Date): Condition {
  const errors = issues.filter((issue) => issue.severity === 'error');
  return {
    type: 'Ready',
    status: errors.length === 0 ? 'True' : 'False',
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    lastTransitionTime: now.toISOString(),
    reason: errors.length === 0 ? 'Valid' : 'Invalid',
    message: errors.length === 0 ? 'the policy is enforced' : errors.map(formatPolicyIssue).join('; '),
  };
}

export class PolicySource {
  readonly #options: PolicySourceOptions;
  readonly #collections: readonly Collection[];
  readonly #watches: CollectionWatch<PolicyObject>[];
  #policies: CompiledKyvernoPolicy[] = [];
  #listeners = new Set<() => void>();
  #debounce: NodeJS.Timeout | undefined;
  /** `plural/namespace/name` → the condition last written or read, to write only changes. */
  #conditions = new Map<string, Condition>();
  #rebuilding: Promise<void> = Promise.resolve();

  constructor(options: PolicySourceOptions) {
    this.#options = options;
    const { api } = options;
    this.#collections = options.kyvernoPolicies ? [...OURS, ...KYVERNO] : OURS;
    this.#watches = this.#collections.map(
      (collection) =>
        new CollectionWatch<PolicyObject>({
          api,
          path: `/apis/${collection.group}/${collection.version}/${collection.plural}`,
          list: () =>
            callApi(api, `list ${collection.plural}.${collection.group}`, (call) =>
              collection.namespaced
                ? api.custom.listCustomObjectForAllNamespaces({ group: collection.group, version: collection.version, plural: collection.plural }, call)
                : api.custom.listClusterCustomObject({ group: collection.group, version: collection.version, plural: collection.plural }, call),
            ) as Promise<KubernetesListObject<PolicyObject>>,
          onChange: () => this.#schedule(),
          onConnectivity: (connected, error) => {
            if (!connected) options.logger.warn({ collection: collection.plural, reason: error instanceof Error ? error.message : String(error) }, 'Kubernetes API unreachable: enforcing the last policies, retrying');
          },
          ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
        }),
    );
  }

  /** The valid policies now. */
  policies(): readonly CompiledKyvernoPolicy[] {
    return this.#policies;
  }

  /** Called after every rebuild; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The first lists of every collection, or a KUBERNETES_API_ERROR after `timeoutMs`. */
  async start(timeoutMs: number): Promise<void> {
    const synced = await Promise.all(this.#watches.map((w) => w.start(timeoutMs)));
    if (!synced.every(Boolean)) {
      await this.stop();
      const missing = this.#watches.filter((w) => !w.synced).map((w) => w.path);
      throw new KubernetesError('KUBERNETES_API_ERROR', `cannot list the policies within ${timeoutMs} ms (${missing.join(', ')}); are the CRDs installed and may the service account list them?`);
    }
    await this.rebuild();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#debounce);
    await Promise.all(this.#watches.map((w) => w.stop()));
  }

  /** Parse every object again, then write the changed conditions (leader only) and tell the listeners; one rebuild at a time. */
  rebuild(): Promise<void> {
    const next = this.#rebuilding.then(() => this.#rebuildOnce());
    this.#rebuilding = next.catch((err: unknown) => this.#options.logger.error({ err }, 'cannot rebuild the policies'));
    return next;
  }

  async #rebuildOnce(): Promise<void> {
    const policies: CompiledKyvernoPolicy[] = [];
    const statusWrites: Promise<void>[] = [];
    const now = this.#options.now?.() ?? new Date();
    this.#watches.forEach((watch, index) => {
      const collection = this.#collections[index] as Collection;
      for (const object of watch.objects()) {
        const name = object.metadata?.name ?? '';
        const namespace = object.metadata?.namespace;
        const origin = `${collection.kind} ${namespace ? `${namespace}/` : ''}${name}`;
        const document = { ...object, apiVersion: `${KYVERNO_GROUP}/v1`, kind: collection.kyvernoKind, status: undefined };
        const parsed = parsePolicies([{ origin, text: JSON.stringify(document) }]);
        const failed = parsed.issues.some((issue) => issue.severity === 'error');
        for (const issue of parsed.issues) (issue.severity === 'error' ? this.#options.logger.error.bind(this.#options.logger) : this.#options.logger.warn.bind(this.#options.logger))({ policy: origin }, formatPolicyIssue(issue));
        if (!failed) policies.push(...parsed.policies);
        if (collection.ours && this.#options.writesStatus()) statusWrites.push(this.#writeStatus(collection, object, readyCondition(parsed.issues, object.metadata?.generation, now)));
      }
    });
    this.#policies = policies;
    await Promise.all(statusWrites);
    for (const listener of this.#listeners) listener();
  }

  #schedule(): void {
    if (!this.#watches.every((w) => w.synced)) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.rebuild(), this.#options.debounceMs ?? CHANGE_DEBOUNCE_MS);
    this.#debounce.unref();
  }

  async #writeStatus(collection: Collection, object: PolicyObject, wanted: Condition): Promise<void> {
    const name = object.metadata?.name ?? '';
    const namespace = object.metadata?.namespace;
    const key = `${collection.plural}/${namespace ?? ''}/${name}`;
    // The watched object carries the condition we wrote once its event arrived; until then our own record does.
    const current = object.status?.conditions?.find((c) => c.type === 'Ready') ?? this.#conditions.get(key);
    if (current && current.status === wanted.status && current.message === wanted.message && current.observedGeneration === wanted.observedGeneration) return;
    const condition = current && current.status === wanted.status ? { ...wanted, lastTransitionTime: current.lastTransitionTime } : wanted;
    const body = { ...object, status: { ...object.status, conditions: [...(object.status?.conditions ?? []).filter((c) => c.type !== 'Ready'), condition] } };
    const { api } = this.#options;
    const target = { group: collection.group, version: collection.version, plural: collection.plural, name, body };
    try {
      await callApi(api, `update status of ${collection.kind} ${name}`, (call) =>
        namespace ? api.custom.replaceNamespacedCustomObjectStatus({ ...target, namespace }, call) : api.custom.replaceClusterCustomObjectStatus(target, call),
      );
      this.#conditions.set(key, condition);
    } catch (err) {
      // A newer version is on its way through the watch; its rebuild writes again.
      this.#options.logger.warn({ err, policy: key }, 'cannot write the policy status');
    }
  }
}
