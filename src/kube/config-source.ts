// The Kubernetes configuration source: TrustPolicy and TrustStore CRDs watched by informers, built into snapshots by the same code as file mode.
//
// Each object becomes the document the file source would read from a manifest, and
// config's buildSnapshot validates it: an invalid version of a resource is rejected whole and
// its last good version stays in use. A rejection is logged (resource and field), counted and
// recorded as a Kubernetes Event once per resourceVersion. While the API server is unreachable
// the informers retry and the last snapshot keeps serving.
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { SnapshotSource, type ConfigIssue, type ConfigValidators, type SourceRead, type SourceUnit } from '../config/index.js';
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

export class KubernetesConfigSource extends SnapshotSource {
  readonly #options: KubernetesConfigSourceOptions;
  readonly #watches: CollectionWatch<KubernetesObject>[];
  #debounce: NodeJS.Timeout | undefined;
  #watching = false;
  /** The objects of the last read by unit (`kind/name`), for the Events' uid. */
  #objects = new Map<string, KubernetesObject>();
  /** `kind/name@resourceVersion/field` of rejected versions already reported. */
  #reported = new Set<string>();

  constructor(options: KubernetesConfigSourceOptions) {
    super(
      { description: `kubernetes:${API_VERSION}`, label: `the TrustPolicy/TrustStore CRDs (${API_VERSION})`, origin: { kind: 'kubernetes' } },
      options.validators ? { validators: options.validators } : {},
    );
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
    this.subscribe((event) => this.#report(event.issues));
  }

  /** Connected when every watch is; otherwise why not, for /readyz and logs. */
  health(): KubernetesSourceHealth {
    const down = this.#watches.filter((w) => !w.connected);
    if (down.length === 0) return { connected: true };
    const reasons = down.map((w) => `${w.path}: ${w.lastError === undefined ? 'connecting' : errorText(w.lastError)}`);
    return { connected: false, detail: `Kubernetes API unreachable, serving the last configuration (generation ${this.current().generation}): ${reasons.join('; ')}` };
  }

  /** The first list of both CRDs (the informers keep running; changes count from watch()). */
  protected override async prepare(): Promise<void> {
    const timeoutMs = this.#options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const synced = await Promise.all(this.#watches.map((w) => w.start(timeoutMs)));
    if (!synced.every(Boolean)) {
      const reasons = this.#watches.filter((w) => !w.synced).map((w) => `${w.path}: ${w.lastError === undefined ? 'no answer' : errorText(w.lastError)}`);
      await this.close();
      throw new KubernetesError('KUBERNETES_API_ERROR', `cannot list the TrustPolicy/TrustStore CRDs within ${timeoutMs} ms (${reasons.join('; ')}); check the API server, the CRDs and the RBAC of the service account`);
    }
  }

  /** Every object of the informer caches, one unit each; the resourceVersions are the fingerprint. */
  protected async read(): Promise<SourceRead> {
    const objects = new Map<string, KubernetesObject>();
    const units: SourceUnit[] = [];
    for (const watch of this.#watches) {
      const resourceKind = PLURAL_KIND[watch.path.slice(watch.path.lastIndexOf('/') + 1)] ?? 'unknown';
      for (const object of watch.objects()) {
        const name = object.metadata?.name ?? '';
        const resourceVersion = object.metadata?.resourceVersion;
        const origin = { kind: 'kubernetes' as const, resourceKind, name, ...(resourceVersion ? { resourceVersion } : {}) };
        objects.set(`${resourceKind}/${name}`, object);
        units.push({ origin, status: 'parsed', documents: [{ origin, value: object }] });
      }
    }
    this.#objects = objects;
    const fingerprint = [...objects.entries()]
      .map(([key, object]) => `${key}@${object.metadata?.resourceVersion ?? ''}`)
      .sort()
      .join('\n');
    return { units, fingerprint };
  }

  protected watch(): void {
    this.#watching = true;
  }

  protected unwatch(): void {
    this.#watching = false;
    clearTimeout(this.#debounce);
  }

  override async close(): Promise<void> {
    await super.close();
    await Promise.all(this.#watches.map((w) => w.stop()));
  }

  #schedule(): void {
    if (!this.#watching || !this.#watches.every((w) => w.synced)) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => this.requestReload(), this.#options.debounceMs ?? CHANGE_DEBOUNCE_MS);
    this.#debounce.unref();
  }

  /** Log, count and record an Event for each rejected resource version, once. */
  #report(issues: readonly ConfigIssue[]): void {
    const current = new Set<string>();
    for (const issue of issues) {
      if (issue.severity !== 'error' || issue.origin.kind !== 'kubernetes' || !issue.origin.name) continue;
      const { resourceKind: kind = 'unknown', name, resourceVersion } = issue.origin;
      const key = `${kind}/${name}@${resourceVersion ?? ''}/${issue.field ?? ''}`;
      current.add(key);
      if (this.#reported.has(key)) continue;
      this.#reported.add(key);
      const uid = this.#objects.get(`${kind}/${name}`)?.metadata?.uid;
      const kept = this.current().resources.some((r) => r.kind === kind && r.name === name);
      const message = `${issue.field ? `${issue.field}: ` : ''}${issue.message}; ${kept ? 'the last good version stays in use' : 'it is not used'}`;
      this.#options.logger.error({ kind, name, resourceVersion, field: issue.field, code: issue.code }, `invalid ${kind} ${JSON.stringify(name)}: ${message}`);
      this.#options.metrics?.invalidResources.inc({ kind });
      void this.#options.events?.warn(
        { apiVersion: API_VERSION, kind, name, ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) },
        issue.code === 'DUPLICATE_RESOURCE' ? 'DuplicateResource' : 'InvalidResource',
        message,
      );
    }
    for (const key of this.#reported) if (!current.has(key)) this.#reported.delete(key);
  }
}
