// Verdict cache: LRU + TTL, short life for negative verdicts, nothing for transient errors, one flight per key.
import { LRUCache } from 'lru-cache';
import { MAX_CACHE_TTL_SECONDS, NEGATIVE_CACHE_TTL_MS } from './constants.js';

/** How long a computed value may be reused: `positive` for the TTL, `negative` briefly, `transient` never. */
export type VerdictKind = 'positive' | 'negative' | 'transient';

export interface VerdictCacheOptions<V> {
  enabled: boolean;
  maxSize: number;
  ttlSeconds: number;
  negativeTtlMs?: number;
  classify(value: V): VerdictKind;
  /** Epoch ms after which a positive verdict must not be served (e.g. the signature's expiry). */
  validUntil?(value: V): number | undefined;
  onHit?(): void;
  onMiss?(): void;
}

export interface CachedVerdict<V> {
  value: V;
  /** Answered from the cache. */
  cached: boolean;
  /** Joined a computation another request had started (single flight). */
  shared: boolean;
}

/** Clamp a TTL in seconds to something every timer and date computation can hold (the peer overflowed). */
export function clampTtlSeconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds > MAX_CACHE_TTL_SECONDS) return MAX_CACHE_TTL_SECONDS;
  return Math.max(1, Math.floor(seconds));
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Settle with `promise`, or reject as soon as `signal` aborts (the work itself goes on for other waiters). */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    // Nobody awaits `promise` any more: its own rejection (e.g. the aborted registry request) must not go unhandled and crash the process.
    promise.catch(() => undefined);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export class VerdictCache<V extends object> {
  readonly #options: VerdictCacheOptions<V>;
  readonly #lru: LRUCache<string, V> | undefined;
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #flights = new Map<string, Promise<V>>();
  readonly #closing = new AbortController();

  constructor(options: VerdictCacheOptions<V>) {
    this.#options = options;
    this.#ttlMs = clampTtlSeconds(options.ttlSeconds) * 1000;
    this.#negativeTtlMs = Math.min(options.negativeTtlMs ?? NEGATIVE_CACHE_TTL_MS, this.#ttlMs);
    this.#lru =
      options.enabled && options.maxSize > 0
        ? new LRUCache<string, V>({ max: Math.floor(options.maxSize), ttl: this.#ttlMs, updateAgeOnGet: false, allowStale: false })
        : undefined;
  }

  get size(): number {
    return this.#lru?.size ?? 0;
  }

  get inFlight(): number {
    return this.#flights.size;
  }

  clear(): void {
    this.#lru?.clear();
  }

  /** The cached value for `key`, counted as a hit; undefined (not counted) when none is cached. */
  cached(key: string): V | undefined {
    const hit = this.#lru?.get(key);
    if (hit !== undefined) this.#options.onHit?.();
    return hit;
  }

  /**
   * The value for `key`: from the cache, from a computation in flight for the same key, or by
   * running `compute`. The computation gets its own signal (aborted after `flightTimeoutMs` or
   * on close), so one caller giving up does not cancel it for the others; `signal` only stops
   * this caller's wait.
   */
  async get(
    key: string,
    compute: (signal: AbortSignal) => Promise<V>,
    options: { signal: AbortSignal; flightTimeoutMs: number },
  ): Promise<CachedVerdict<V>> {
    const hit = this.#lru?.get(key);
    if (hit !== undefined) {
      this.#options.onHit?.();
      return { value: hit, cached: true, shared: false };
    }
    const running = this.#flights.get(key);
    if (running) {
      this.#options.onHit?.();
      return { value: await raceSignal(running, options.signal), cached: false, shared: true };
    }
    this.#options.onMiss?.();
    const flightSignal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(options.flightTimeoutMs)]);
    const entry: { flight?: Promise<V> } = {};
    const flight: Promise<V> = (entry.flight = (async () => {
      // Yield first so the flight is registered before `compute` runs, even if it throws synchronously.
      await null;
      try {
        const value = await compute(flightSignal);
        const kind = this.#options.classify(value);
        if (this.#lru && kind !== 'transient') {
          // A pass is never kept beyond the moment it would stop being one (signature or certificate expiry).
          const until = kind === 'positive' ? this.#options.validUntil?.(value) : undefined;
          const ttl = Math.min(kind === 'positive' ? this.#ttlMs : this.#negativeTtlMs, until === undefined ? Infinity : until - Date.now());
          if (ttl >= 1) this.#lru.set(key, value, { ttl: Math.floor(ttl) });
        }
        return value;
      } finally {
        if (this.#flights.get(key) === entry.flight) this.#flights.delete(key);
      }
    })());
    this.#flights.set(key, flight);
    // The flight may outlive every waiter; its rejection is reported to waiters, never unhandled.
    flight.catch(() => undefined);
    return { value: await raceSignal(flight, options.signal), cached: false, shared: false };
  }

  /** Abort computations in flight and drop every entry. */
  close(): void {
    this.#closing.abort(new DOMException('the service is shutting down', 'AbortError'));
    this.clear();
  }
}
