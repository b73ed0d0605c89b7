// Prometheus metrics of the service: one registry per service instance (no global state).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorCode } from '../verification/index.js';

/** Latency buckets (seconds) from a warm cache hit (sub-ms) to a slow registry near the deadline. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25];

export type VerificationMetricResult = 'verified' | 'not_verified' | 'error';

/**
 * One registry operation of a verification (resolve, fetchManifest, fetchBlob, referrers), as
 * the backend observes it around the OCI client: `outcome` is `ok` or the OciError code. The
 * composition root swaps `registry` for its bounded label (registry-labels.ts) before recording it.
 */
export interface RegistryOperationEvent {
  registry: string;
  operation: string;
  outcome: string;
  durationMs: number;
}

type LabelValues<L extends string> = Partial<Record<L, string>>;

/**
 * Increments of a counter, added up here and handed to prom-client when the counter is read (its
 * `collect`, on every scrape and `get()`): prom-client hashes and validates the label set on each
 * `inc`, and the warm path counts several times an image. One entry per label set the callers use.
 */
class PendingIncrements<L extends string> {
  readonly #pending = new Map<string, { labels: LabelValues<L>; value: number }>();

  /** Count one for `labels`, whose values joined make `key`. */
  add(key: string, labels: LabelValues<L>): void {
    const entry = this.#pending.get(key);
    if (entry) entry.value += 1;
    else this.#pending.set(key, { labels, value: 1 });
  }

  flush(counter: Counter<L>): void {
    for (const entry of this.#pending.values()) {
      if (entry.value === 0) continue;
      counter.inc(entry.labels, entry.value);
      entry.value = 0;
    }
  }
}

export class ServiceMetrics {
  readonly registry = new Registry();
  /** /checkimages requests being handled now (the route's count; imgverify_checkimages_requests_in_flight reads it when scraped). */
  inFlight = 0;
  readonly requests: Counter<'status'>;
  /** /checkimages requests being handled now (the --maxConcurrentRequests bound). */
  readonly requestsInFlight: Gauge;
  readonly requestDuration: Histogram<'status'>;
  readonly requestCpu: Histogram<'status'>;
  readonly verifications: Counter<'result' | 'code'>;
  readonly verificationDuration: Histogram<'result'>;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly cacheEntries: Gauge;
  readonly cacheBackendErrors: Counter<'operation'>;
  readonly registryRequests: Counter<'registry' | 'operation' | 'outcome'>;
  readonly registryRequestDuration: Histogram<'registry' | 'operation'>;
  readonly configReloads: Counter<'result'>;
  readonly configGeneration: Gauge;
  readonly trustPolicies: Gauge;
  readonly #verifications = new PendingIncrements<'result' | 'code'>();
  readonly #cacheHits = new PendingIncrements<never>();
  readonly #cacheMisses = new PendingIncrements<never>();
  readonly #registryRequests = new PendingIncrements<'registry' | 'operation' | 'outcome'>();

  constructor(options: { cacheSize: () => number; defaultMetrics?: boolean }) {
    const registers = [this.registry];
    const [verifications, cacheHits, cacheMisses, registryRequests] = [this.#verifications, this.#cacheHits, this.#cacheMisses, this.#registryRequests];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'imgverify_' });
    this.requests = new Counter({
      name: 'imgverify_checkimages_requests_total',
      help: '/checkimages requests by HTTP status.',
      labelNames: ['status'],
      registers,
    });
    this.requestsInFlight = new Gauge({
      name: 'imgverify_checkimages_requests_in_flight',
      help: '/checkimages requests being handled; at --maxConcurrentRequests more are shed with 503 (counted in imgverify_checkimages_requests_total{status="503"}).',
      registers,
      collect: () => this.requestsInFlight.set(this.inFlight),
    });
    this.requestDuration = new Histogram({
      name: 'imgverify_checkimages_request_duration_seconds',
      help: 'Time to answer a /checkimages request, by HTTP status.',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.requestCpu = new Histogram({
      name: 'imgverify_checkimages_request_cpu_seconds',
      help: 'CPU (user + system) the process used while a /checkimages request was open, by HTTP status; requests answered at the same time each count the shared time.',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.verifications = new Counter({
      name: 'imgverify_verifications_total',
      help: 'Image verifications (cache hits included) by result (verified, not_verified, error) and error code.',
      labelNames: ['result', 'code'],
      registers,
      collect() {
        verifications.flush(this);
      },
    });
    this.verificationDuration = new Histogram({
      name: 'imgverify_verification_duration_seconds',
      help: 'Time of one image verification against the registry (cache misses only), by result.',
      labelNames: ['result'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cacheHits = new Counter({
      name: 'imgverify_cache_hits_total',
      help: 'Verdicts answered from the cache (or a verification in flight).',
      registers,
      collect() {
        cacheHits.flush(this);
      },
    });
    this.cacheMisses = new Counter({
      name: 'imgverify_cache_misses_total',
      help: 'Verdicts that needed a verification.',
      registers,
      collect() {
        cacheMisses.flush(this);
      },
    });
    this.cacheBackendErrors = new Counter({
      name: 'imgverify_cache_backend_errors_total',
      help: 'Shared cache (--cacheBackend) commands that failed or timed out, by operation (get, set); each counted as not cached.',
      labelNames: ['operation'],
      registers,
    });
    this.cacheEntries = new Gauge({
      name: 'imgverify_cache_entries',
      help: 'Verdicts held in the cache.',
      registers,
      collect() {
        this.set(options.cacheSize());
      },
    });
    this.registryRequests = new Counter({
      name: 'imgverify_registry_requests_total',
      help: 'Registry operations (resolve, fetchManifest, fetchBlob, referrers) by registry (one a trust policy scope names, else "other") and outcome (ok or the error code).',
      labelNames: ['registry', 'operation', 'outcome'],
      registers,
      collect() {
        registryRequests.flush(this);
      },
    });
    this.registryRequestDuration = new Histogram({
      name: 'imgverify_registry_request_duration_seconds',
      help: 'Latency of registry operations (including auth round trips and retries).',
      labelNames: ['registry', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.configReloads = new Counter({
      name: 'imgverify_config_reloads_total',
      help: 'Configuration reloads by result (success, error: some resource rejected or source unreadable).',
      labelNames: ['result'],
      registers,
    });
    this.configGeneration = new Gauge({ name: 'imgverify_config_generation', help: 'Generation of the configuration snapshot in use.', registers });
    this.trustPolicies = new Gauge({ name: 'imgverify_trust_policies', help: 'Trust policies loaded.', registers });
  }

  recordVerification(result: VerificationMetricResult, code: ErrorCode | undefined): void {
    this.#verifications.add(code === undefined ? result : `${result}\n${code}`, { result, code: code ?? '' });
  }

  recordCacheHit(): void {
    this.#cacheHits.add('', {});
  }

  recordCacheMiss(): void {
    this.#cacheMisses.add('', {});
  }

  recordRegistryOperation(event: RegistryOperationEvent): void {
    this.#registryRequests.add(`${event.registry}\n${event.operation}\n${event.outcome}`, { registry: event.registry, operation: event.operation, outcome: event.outcome });
    this.registryRequestDuration.observe({ registry: event.registry, operation: event.operation }, event.durationMs / 1000);
  }
}
