// The Kubernetes configuration source: TrustPolicy and TrustStore CRDs watched by informers, built into snapshots by the same code as file mode.
//
// Each object becomes the document the file source would read from a manifest, and
// config's buildSnapshot validates it: an invalid version of a resource is rejected whole and
// its last good version stays in use. A rejection is logged (resource and field), counted and
// recorded as a Kubernetes Event once per resourceVersion. While the API server is unreachable
// the informers retry and the last snapshot keeps serving.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import {
  buildSnapshot,
  EMPTY_SNAPSHOT,
  type ConfigIssue,
  type ConfigReloadEvent,
  type ConfigSnapshot,
  type ConfigSource,
  type ConfigValidators,
  type ManifestFile,
} from '../config/index.js';
import { callApi, type KubernetesApi } from './api.js';
import { CHANGE_DEBOUNCE_MS, CRD_GROUP, CRD_VERSION, TRUST_POLICY_PLURAL, TRUST_STORE_PLURAL } from './constants.js';
import { KubernetesError } from './errors.js';
import type { EventRecorder } from './events.js';
import type { KubernetesMetrics } from './metrics.js';
import { CollectionWatch } from './watch.js';

export interface KubernetesConfigSourceOptions {
  api: KubernetesApi;
  logger: Logger;
  validators?: ConfigValidators;
  metrics?: KubernetesMetrics;
  events?: EventRecorder;
  /** How long start() waits for the first list of both CRDs. */
  startTimeoutMs?: number;
  debounceMs?: number;
  resyncIntervalMs?: number;
  retryMinMs?: number;
  watchTimeoutSeconds?: number;
}

/** What /readyz says about the API server. */
export interface KubernetesSourceHealth {
  connected: boolean;
  detail?: string;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;
const PLURAL_KIND: Record<string, string> = { [TRUST_POLICY_PLURAL]: 'TrustPolicy', [TRUST_STORE_PLURAL]: 'TrustStore' };

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class KubernetesConfigSource implements ConfigSource {
  readonly description = `kubernetes:${API_VERSION}`;
  #options: KubernetesConfigSourceOptions;
  #watches: CollectionWatch<KubernetesObject>[];
  #snapshot: ConfigSnapshot = EMPTY_SNAPSHOT;
  #fingerprint: string | undefined;
  #listeners = new Set<(event: ConfigReloadEvent) => void>();
  #debounce: NodeJS.Timeout | undefined;
  /** `kind/name@resourceVersion` of rejected versions already reported. */
  #reported = new Set<string>();
  #ready = false;
  #closed = false;

  constructor(options: KubernetesConfigSourceOptions) {
    this.#options = options;
    const { api } = options;
    this.#watches = [TRUST_POLICY_PLURAL, TRUST_STORE_PLURAL].map(
      (plural) =>
        new CollectionWatch<KubernetesObject>({
          api,
          path: `/apis/${CRD_GROUP}/${CRD_VERSION}/${plural}`,
          list: () =>
            callApi(api, `list ${plural}.${CRD_GROUP}`, (call) => api.custom.listClusterCustomObject({ group: CRD_GROUP, version: CRD_VERSION, plural }, call)) as Promise<
              KubernetesListObject<KubernetesObject>
            >,
          onChange: () => this.#schedule(),
          onConnectivity: (connected, error) => {
            options.metrics?.apiConnected.set({ collection: plural }, connected ? 1 : 0);
            if (connected) options.logger.info({ collection: plural }, 'watching the Kubernetes API');
            else options.logger.warn({ collection: plural, reason: errorText(error) }, 'Kubernetes API unreachable: serving the last configuration, retrying');
          },
          ...(options.resyncIntervalMs !== undefined ? { resyncIntervalMs: options.resyncIntervalMs } : {}),
          ...(options.retryMinMs !== undefined ? { retryMinMs: options.retryMinMs } : {}),
          ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
        }),
    );
  }

  get ready(): boolean {
    return this.#ready;
  }

  current(): ConfigSnapshot {
    return this.#snapshot;
  }

  /** Connected when every watch is; otherwise why not, for /readyz and logs. */
  health(): KubernetesSourceHealth {
    const down = this.#watches.filter((w) => !w.connected);
    if (down.length === 0) return { connected: true };
    const reasons = down.map((w) => `${w.path}: ${w.lastError === undefined ? 'connecting' : errorText(w.lastError)}`);
    return { connected: false, detail: `Kubernetes API unreachable, serving the last configuration (generation ${this.#snapshot.generation}): ${reasons.join('; ')}` };
  }

  subscribe(listener: (event: ConfigReloadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async start(): Promise<ConfigSnapshot> {
    const timeoutMs = this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const synced = await Promise.all(this.#watches.map((w) => w.start(timeoutMs)));
    if (!synced.every(Boolean)) {
      const reasons = this.#watches.filter((w) => !w.synced).map((w) => `${w.path}: ${w.lastError === undefined ? 'no answer' : errorText(w.lastError)}`);
      await this.close();
      throw new KubernetesError('KUBERNETES_API_ERROR', `cannot list the TrustPolicy/TrustStore CRDs within ${timeoutMs} ms (${reasons.join('; ')}); check the API server, the CRDs and the RBAC of the service account`);
    }
    await this.reload();
    return this.#snapshot;
  }

  /** Rebuild from the informer caches now (also what watch events and the resync do, debounced). */
  async reload(): Promise<ConfigReloadEvent> {
    const started = performance.now();
    const previous = this.#snapshot;
    const objects = new Map<string, KubernetesObject>();
    const files: ManifestFile[] = [];
    for (const watch of this.#watches) {
      const plural = watch.path.slice(watch.path.lastIndexOf('/') + 1);
      for (const object of watch.objects()) {
        const file = `${plural}/${object.metadata?.name ?? ''}`;
        objects.set(file, object);
        files.push({ file, status: 'parsed', documents: [{ index: 0, value: object }] });
      }
    }
    const fingerprint = [...objects.entries()]
      .map(([file, object]) => `${file}@${object.metadata?.resourceVersion ?? ''}`)
      .sort()
      .join('\n');
    if (fingerprint === this.#fingerprint || this.#closed) {
      return { source: this.description, ok: true, snapshot: previous, previous, issues: previous.issues, durationMs: performance.now() - started };
    }
    const next = buildSnapshot(files, previous, this.#options.validators ? { validators: this.#options.validators } : {});
    this.#fingerprint = fingerprint;
    this.#snapshot = next;
    this.#ready = true;
    this.#report(next.issues, objects);
    const event: ConfigReloadEvent = {
      source: this.description,
      ok: !next.issues.some((i) => i.severity === 'error'),
      snapshot: next,
      previous,
      issues: next.issues,
      durationMs: performance.now() - started,
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the others or the watch.
      }
    }
    return event;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#debounce);
    await Promise.all(this.#watches.map((w) => w.stop()));
    this.#listeners.clear();
  }

  #schedule(): void {
    if (this.#closed || !this.#watches.every((w) => w.synced)) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.reload(), this.#options.debounceMs ?? CHANGE_DEBOUNCE_MS);
    this.#debounce.unref();
  }

  /** Log, count and record an Event for each rejected resource version, once. */
  #report(issues: readonly ConfigIssue[], objects: ReadonlyMap<string, KubernetesObject>): void {
    const current = new Set<string>();
    for (const issue of issues) {
      if (issue.severity !== 'error') continue;
      const object = objects.get(issue.file);
      if (!object?.metadata?.name) continue;
      const kind = PLURAL_KIND[issue.file.slice(0, issue.file.indexOf('/'))] ?? 'unknown';
      const key = `${kind}/${object.metadata.name}@${object.metadata.resourceVersion ?? ''}/${issue.field ?? ''}`;
      current.add(key);
      if (this.#reported.has(key)) continue;
      this.#reported.add(key);
      const kept = this.#snapshot.resources.some((r) => r.kind === kind && r.name === object.metadata?.name);
      const message = `${issue.field ? `${issue.field}: ` : ''}${issue.message}; ${kept ? 'the last good version stays in use' : 'it is not used'}`;
      this.#options.logger.error(
        { kind, name: object.metadata.name, resourceVersion: object.metadata.resourceVersion, field: issue.field, code: issue.code },
        `invalid ${kind} ${JSON.stringify(object.metadata.name)}: ${message}`,
      );
      this.#options.metrics?.invalidResources.inc({ kind });
      void this.#options.events?.warn(
        {
          apiVersion: API_VERSION,
          kind,
          name: object.metadata.name,
          ...(object.metadata.uid ? { uid: object.metadata.uid } : {}),
          ...(object.metadata.resourceVersion ? { resourceVersion: object.metadata.resourceVersion } : {}),
        },
        issue.code === 'DUPLICATE_RESOURCE' ? 'DuplicateResource' : 'InvalidResource',
        message,
      );
    }
    for (const key of this.#reported) if (!current.has(key)) this.#reported.delete(key);
  }
}
