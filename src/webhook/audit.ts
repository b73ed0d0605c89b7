// Audit records of admission: Kubernetes Events on the resource for rules that did not pass, and PolicyReports (wgpolicyk8s.io/v1alpha2) aggregated per namespace, bounded.
//
// Each replica buffers its results and merges them into the namespace's report every flush
// interval (read, merge by resource and rule, keep the newest MAX_REPORT_RESULTS, write with the
// resourceVersion read): replicas never overwrite each other's results, and a conflict is retried
// on the next flush. Events and reports are best effort: a failure is logged, never blocks admission.
import type { Logger } from 'pino';
import { apiStatus, callApi, type EventRecorder, type KubernetesApi } from '../kube/index.js';
import type { AdmissionRequestView, RuleResponse } from '../policy/index.js';
import type { AdmissionRecorder } from './admission.js';
import {
  CLUSTER_POLICY_REPORT_PLURAL,
  MAX_REPORT_MESSAGE_CHARS,
  MAX_REPORT_RESULTS,
  POLICY_REPORT_PLURAL,
  REPORT_FLUSH_INTERVAL_MS,
  REPORT_GROUP,
  REPORT_NAME,
  REPORT_SOURCE,
  REPORT_VERSION,
} from './constants.js';

/** One PolicyReportResult as wgpolicyk8s.io/v1alpha2 defines it. */
export interface PolicyReportResult {
  source: string;
  policy: string;
  rule: string;
  result: 'pass' | 'fail' | 'warn' | 'error' | 'skip';
  message: string;
  scored: boolean;
  category: string;
  timestamp: { seconds: number; nanos: number };
  resources: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string }[];
}

interface PolicyReport {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string> };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: PolicyReportResult[];
}

export interface AuditRecorderOptions {
  api: KubernetesApi;
  events: EventRecorder;
  logger: Logger;
  flushIntervalMs?: number;
  maxResults?: number;
  now?: () => Date;
}

/** Results of rules that did not pass become Events too: the answer a `kubectl describe` shows. */
const EVENT_STATUSES: ReadonlySet<RuleResponse['status']> = new Set(['fail', 'error', 'warn']);
/** Most Events in flight at once; more are dropped (and logged) rather than queued without bound. */
const MAX_EVENTS_IN_FLIGHT = 64;
const CATEGORY = 'Image Verification';

function resultKey(result: PolicyReportResult): string {
  const resource = result.resources[0];
  return `${resource?.uid ?? `${resource?.kind ?? ''}/${resource?.name ?? ''}`}|${result.policy}|${result.rule}`;
}

function metadataOf(object: unknown): { uid?: string; name?: string } {
  const metadata = typeof object === 'object' && object !== null ? (object as { metadata?: { uid?: unknown; name?: unknown } }).metadata : undefined;
  return { ...(typeof metadata?.uid === 'string' ? { uid: metadata.uid } : {}), ...(typeof metadata?.name === 'string' ? { name: metadata.name } : {}) };
}

/** Merge `fresh` into `existing` (a newer result for the same resource and rule replaces the older), newest `max` kept. */
export function mergeResults(existing: readonly PolicyReportResult[], fresh: readonly PolicyReportResult[], max: number): PolicyReportResult[] {
  const byKey = new Map<string, PolicyReportResult>();
  for (const result of [...existing, ...fresh]) {
    const key = resultKey(result);
    byKey.delete(key);
    byKey.set(key, result);
  }
  return [...byKey.values()].sort((a, b) => a.timestamp.seconds - b.timestamp.seconds || a.timestamp.nanos - b.timestamp.nanos).slice(-max);
}

export function summaryOf(results: readonly PolicyReportResult[]): PolicyReport['summary'] {
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const result of results) summary[result.result] += 1;
  return summary;
}

export class AuditRecorder implements AdmissionRecorder {
  readonly #options: AuditRecorderOptions;
  readonly #maxResults: number;
  /** Unflushed results by namespace ('' = cluster-scoped resources). */
  #pending = new Map<string, PolicyReportResult[]>();
  #eventsInFlight = 0;
  #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;

  constructor(options: AuditRecorderOptions) {
    this.#options = options;
    this.#maxResults = options.maxResults ?? MAX_REPORT_RESULTS;
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? REPORT_FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  record(request: AdmissionRequestView, rules: readonly RuleResponse[], blocked: boolean): void {
    const { uid, name: objectName } = metadataOf(request.object);
    const name = objectName ?? request.name ?? '';
    const apiVersion = request.kind.group ? `${request.kind.group}/${request.kind.version}` : request.kind.version;
    const now = this.#options.now?.() ?? new Date();
    const resource = { apiVersion, kind: request.kind.kind, name, ...(request.namespace ? { namespace: request.namespace } : {}), ...(uid ? { uid } : {}) };
    for (const rule of rules) {
      if (rule.status === 'skip') continue;
      // A refused resource does not exist: it gets Events (the denial says why), never a report line.
      if (!blocked) {
        const results = this.#pending.get(request.namespace ?? '') ?? [];
        results.push({
          source: REPORT_SOURCE,
          policy: rule.namespace ? `${rule.namespace}/${rule.policy}` : rule.policy,
          rule: rule.rule,
          result: rule.status,
          message: rule.message.length > MAX_REPORT_MESSAGE_CHARS ? `${rule.message.slice(0, MAX_REPORT_MESSAGE_CHARS - 1)}…` : rule.message,
          scored: true,
          category: CATEGORY,
          timestamp: { seconds: Math.floor(now.getTime() / 1000), nanos: 0 },
          resources: [resource],
        });
        // Bounded between flushes as the report itself is.
        this.#pending.set(request.namespace ?? '', results.slice(-this.#maxResults));
      }
      if (EVENT_STATUSES.has(rule.status) && name !== '') this.#event(resource, rule, blocked);
    }
  }

  #event(resource: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string }, rule: RuleResponse, blocked: boolean): void {
    if (this.#eventsInFlight >= MAX_EVENTS_IN_FLIGHT) {
      this.#options.logger.warn({ kind: resource.kind, name: resource.name, policy: rule.policy }, 'too many Events in flight: this one is dropped');
      return;
    }
    this.#eventsInFlight += 1;
    // Kyverno's PolicyViolation Event on the resource: `policy <policy>/<rule> <status>: <message>`.
    const message = `policy ${rule.policy}/${rule.rule} ${rule.status}${blocked ? ' (blocked)' : ''}: ${rule.message}`;
    void this.#options.events.warn(resource, 'PolicyViolation', message).finally(() => (this.#eventsInFlight -= 1));
  }

  /** Write the pending results into their namespaces' reports (tests call it; the timer does otherwise). */
  flush(): Promise<void> {
    return (this.#flushing ??= this.#flushAll().finally(() => (this.#flushing = undefined)));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flushAll(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    for (const [namespace, results] of pending) {
      try {
        await this.#merge(namespace, results);
      } catch (err) {
        this.#options.logger.warn({ err, namespace: namespace || '(cluster)' }, 'cannot write the PolicyReport; retrying at the next flush');
        // Put them back in front of what arrived meanwhile, still bounded.
        this.#pending.set(namespace, [...results, ...(this.#pending.get(namespace) ?? [])].slice(-this.#maxResults));
      }
    }
  }

  async #merge(namespace: string, fresh: readonly PolicyReportResult[]): Promise<void> {
    const { api } = this.#options;
    const plural = namespace ? POLICY_REPORT_PLURAL : CLUSTER_POLICY_REPORT_PLURAL;
    const where = namespace ? `${namespace}/${REPORT_NAME}` : REPORT_NAME;
    const target = { group: REPORT_GROUP, version: REPORT_VERSION, plural, name: REPORT_NAME };
    let existing: PolicyReport | undefined;
    try {
      existing = (await callApi(api, `read ${plural} ${where}`, (call) =>
        namespace ? api.custom.getNamespacedCustomObject({ ...target, namespace }, call) : api.custom.getClusterCustomObject(target, call),
      )) as PolicyReport;
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
    }
    const results = mergeResults(existing?.results ?? [], fresh, this.#maxResults);
    const body: PolicyReport = {
      apiVersion: `${REPORT_GROUP}/${REPORT_VERSION}`,
      kind: namespace ? 'PolicyReport' : 'ClusterPolicyReport',
      metadata: {
        ...(existing?.metadata ?? {}),
        name: REPORT_NAME,
        ...(namespace ? { namespace } : {}),
        labels: { ...existing?.metadata.labels, 'app.kubernetes.io/managed-by': REPORT_SOURCE },
      },
      summary: summaryOf(results),
      results,
    };
    if (existing) {
      await callApi(api, `update ${plural} ${where}`, (call) =>
        namespace ? api.custom.replaceNamespacedCustomObject({ ...target, namespace, body }, call) : api.custom.replaceClusterCustomObject({ ...target, body }, call),
      );
    } else {
      const { name: _name, ...collection } = target;
      await callApi(api, `create ${plural} ${where}`, (call) =>
        namespace ? api.custom.createNamespacedCustomObject({ ...collection, namespace, body }, call) : api.custom.createClusterCustomObject({ ...collection, body }, call),
      );
    }
  }
}
