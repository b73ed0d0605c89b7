// Kubernetes Events about our resources (an invalid TrustPolicy shows up in kubectl describe), written best-effort.
import type { Logger } from 'pino';
import { callApi, type KubernetesApi } from './api.js';
import { EVENT_SOURCE } from './constants.js';

export interface InvolvedObject {
  apiVersion: string;
  kind: string;
  name: string;
  /** A namespaced object's namespace: its Events are written there (the API server requires it). */
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
}

/** Longest Event message the API server keeps (it truncates at 1 KiB). */
const MAX_EVENT_MESSAGE_CHARS = 1024;

export class EventRecorder {
  readonly #api: KubernetesApi;
  readonly #namespace: string;
  readonly #instance: string;
  readonly #logger: Logger;

  /** Events go to `namespace` (ours: the RBAC grants create there) unless the object is namespaced; cluster-scoped objects have none of their own. */
  constructor(api: KubernetesApi, namespace: string, instance: string, logger: Logger) {
    this.#api = api;
    this.#namespace = namespace;
    this.#instance = instance;
    this.#logger = logger;
  }

  /** Record a Warning Event; a failure is logged, never thrown (an Event is a courtesy, not a dependency). */
  async warn(object: InvolvedObject, reason: string, message: string): Promise<void> {
    const now = new Date();
    const namespace = object.namespace ?? this.#namespace;
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${object.name}.`, namespace },
      involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: object.name, ...(object.namespace ? { namespace: object.namespace } : {}), ...(object.uid ? { uid: object.uid } : {}), ...(object.resourceVersion ? { resourceVersion: object.resourceVersion } : {}) },
      reason,
      message: message.length > MAX_EVENT_MESSAGE_CHARS ? `${message.slice(0, MAX_EVENT_MESSAGE_CHARS - 1)}…` : message,
      type: 'Warning',
      source: { component: EVENT_SOURCE },
      reportingComponent: EVENT_SOURCE,
      reportingInstance: this.#instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await callApi(this.#api, `create Event for ${object.kind} ${object.name}`, (options) => this.#api.core.createNamespacedEvent({ namespace, body }, options));
    } catch (err) {
      this.#logger.warn({ err, kind: object.kind, name: object.name, reason }, 'cannot record a Kubernetes Event');
    }
  }
}
