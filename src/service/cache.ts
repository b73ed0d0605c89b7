// Verdict cache: LRU + TTL, short life for negative verdicts, nothing for transient errors, one flight per key.
import { LRUCache } from 'lru-cache';
import { deadline, raceSignal, type Deadline } from '../common/index.js';
import { MAX_CACHE_TTL_SECONDS, NEGATIVE_CACHE_TTL_MS } from './constants.js';

// Callers of the service (verification.ts) race their waits with the same helper.
export { raceSignal } from '../common/index.js';

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

/** A computation in flight: its result, its own deadline, and how many callers still wait for it. */
interface Flight<V> {
  promise: Promise<V>;
  deadline: Deadline;
  /** Aborted when the last waiter gives up. */
  abandoned: AbortController;
  waiters: number;
  settled: boolean;
}

export class VerdictCache<V extends object> {
  readonly #options: VerdictCacheOptions<V>;
  readonly #lru: LRUCache<string, V> | undefined;
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #flights = new Map<string, Flight<V>>();
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
   * running `compute`. The computation gets its own signal (aborted after `flightTimeoutMs`, on
   * close, or when every caller waiting for it has given up), so one caller giving up does not
   * cancel it for the others; `signal` only stops this caller's wait.
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
      return { value: await this.#wait(key, running, options.signal), cached: false, shared: true };
    }
    this.#options.onMiss?.();
    // Strong references to the timer and the close signal (not AbortSignal.any, which loses them after a GC on Node 20).
    const abandoned = new AbortController();
    const flightDeadline = deadline([this.#closing.signal, abandoned.signal], {
      timeoutMs: options.flightTimeoutMs,
      timeoutMessage: `the verification did not finish within ${options.flightTimeoutMs} ms`,
    });
    const flight: Flight<V> = { promise: Promise.resolve() as Promise<never>, deadline: flightDeadline, abandoned, waiters: 0, settled: false };
    flight.promise = (async () => {
      // Yield first so the flight is registered before `compute` runs, even if it throws synchronously.
      await null;
      try {
        const value = await compute(flightDeadline.signal);
        const kind = this.#options.classify(value);
        if (this.#lru && kind !== 'transient') {
          // A pass is never kept beyond the moment it would stop being one (signature or certificate expiry).
          const until = kind === 'positive' ? this.#options.validUntil?.(value) : undefined;
          const ttl = Math.min(kind === 'positive' ? this.#ttlMs : this.#negativeTtlMs, until === undefined ? Infinity : until - Date.now());
          if (ttl >= 1) this.#lru.set(key, value, { ttl: Math.floor(ttl) });
        }
        return value;
      } finally {
        flight.settled = true;
        flightDeadline.dispose();
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      }
    })();
    this.#flights.set(key, flight);
    // The flight may outlive every waiter; its rejection is reported to waiters, never unhandled.
    flight.promise.catch(() => undefined);
    return { value: await this.#wait(key, flight, options.signal), cached: false, shared: false };
  }

  /** Wait for `flight` until `signal` aborts; the last waiter to give up abandons the flight (its sockets, its CPU). */
  async #wait(key: string, flight: Flight<V>, signal: AbortSignal): Promise<V> {
    flight.waiters += 1;
    try {
      return await raceSignal(flight.promise, signal);
    } finally {
      flight.waiters -= 1;
      if (flight.waiters === 0 && !flight.settled && signal.aborted) {
        // A later request for the key starts afresh rather than joining a flight that is being torn down.
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
        flight.abandoned.abort(new DOMException('every request waiting for this verification has gone', 'AbortError'));
      }
    }
  }

  /** Abort computations in flight and drop every entry. */
  close(): void {
    this.#closing.abort(new DOMException('the service is shutting down', 'AbortError'));
    this.clear();
  }
}
