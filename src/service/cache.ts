// Verdict cache: LRU + TTL, short life for negative verdicts, nothing for transient errors, one flight per key; optionally a shared store behind.
import { setMaxListeners } from 'node:events';
import { deadline, raceSignal, type Deadline } from '../common/index.js';
import { MAX_CACHE_TTL_SECONDS, NEGATIVE_CACHE_TTL_MS } from './constants.js';
import { MemoryVerdictStore, type VerdictStore } from './verdict-store.js';

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
  /**
   * A store replicas share (Redis), asked after this process's memory and before verifying; what
   * is verified is written to both. Its failures only cost a verification.
   */
  shared?: VerdictStore<V>;
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
  /** The value, and whether it came from the shared store rather than a computation. */
  promise: Promise<{ value: V; stored: boolean }>;
  deadline: Deadline;
  /** Aborted when the last waiter gives up. */
  abandoned: AbortController;
  waiters: number;
  settled: boolean;
}

export class VerdictCache<V extends object> {
  readonly #options: VerdictCacheOptions<V>;
  readonly #memory: MemoryVerdictStore<V> | undefined;
  readonly #shared: VerdictStore<V> | undefined;
  readonly #ttlMs: number;
  readonly #negativeTtlMs: number;
  readonly #flights = new Map<string, Flight<V>>();
  readonly #closing = new AbortController();

  constructor(options: VerdictCacheOptions<V>) {
    this.#options = options;
    this.#ttlMs = clampTtlSeconds(options.ttlSeconds) * 1000;
    this.#negativeTtlMs = Math.min(options.negativeTtlMs ?? NEGATIVE_CACHE_TTL_MS, this.#ttlMs);
    const enabled = options.enabled && options.maxSize > 0;
    this.#memory = enabled ? new MemoryVerdictStore<V>({ maxSize: options.maxSize, ttlMs: this.#ttlMs }) : undefined;
    this.#shared = enabled ? options.shared : undefined;
    // One listener per flight in flight (every image of every request being verified): not a leak.
    setMaxListeners(0, this.#closing.signal);
  }

  /** Entries in this process's memory. */
  get size(): number {
    return this.#memory?.size ?? 0;
  }

  get inFlight(): number {
    return this.#flights.size;
  }

  /** Drop this process's entries (a shared store keeps its own, under keys that name what decided them). */
  clear(): void {
    this.#memory?.clear();
  }

  /** The cached value for `key` (memory, then the shared store), counted as a hit; undefined (not counted) when none is cached. */
  async cached(key: string): Promise<V | undefined> {
    const hit = this.#memory?.peek(key) ?? (await this.#fromShared(key));
    if (hit !== undefined) this.#options.onHit?.();
    return hit;
  }

  /** The value in this process's memory for `key`, counted as a hit; undefined (not counted) when none. Synchronous: the warm path asks it before `get`. */
  memoryHit(key: string): V | undefined {
    const hit = this.#memory?.peek(key);
    if (hit !== undefined) this.#options.onHit?.();
    return hit;
  }

  /** A shared store's entry, kept in memory for what is left of its life; never throws. */
  async #fromShared(key: string): Promise<V | undefined> {
    if (!this.#shared || !this.#memory) return undefined;
    const stored = await this.#shared.get(key).catch(() => undefined);
    if (!stored) return undefined;
    const kind = this.#options.classify(stored.value);
    if (kind === 'transient') return undefined;
    // Never longer here than this process would keep such a verdict, nor past the moment it stops being true.
    const until = kind === 'positive' ? this.#options.validUntil?.(stored.value) : undefined;
    const ttl = Math.min(stored.expiresAt, until ?? Infinity, Date.now() + (kind === 'positive' ? this.#ttlMs : this.#negativeTtlMs)) - Date.now();
    if (ttl < 1) return undefined;
    this.#memory.put(key, stored.value, ttl);
    return stored.value;
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
    const hit = this.memoryHit(key);
    if (hit !== undefined) return { value: hit, cached: true, shared: false };
    const running = this.#flights.get(key);
    if (running) {
      this.#options.onHit?.();
      const joined = await this.#wait(key, running, options.signal);
      return { value: joined.value, cached: joined.stored, shared: true };
    }
    if (!this.#shared) this.#options.onMiss?.();
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
        if (this.#shared) {
          const stored = await this.#fromShared(key);
          if (stored !== undefined) {
            this.#options.onHit?.();
            return { value: stored, stored: true };
          }
          this.#options.onMiss?.();
        }
        const value = await compute(flightDeadline.signal);
        const kind = this.#options.classify(value);
        if (this.#memory && kind !== 'transient') {
          // A pass is never kept beyond the moment it would stop being one (signature or certificate expiry).
          const until = kind === 'positive' ? this.#options.validUntil?.(value) : undefined;
          const ttl = Math.floor(Math.min(kind === 'positive' ? this.#ttlMs : this.#negativeTtlMs, until === undefined ? Infinity : until - Date.now()));
          if (ttl >= 1) {
            this.#memory.put(key, value, ttl);
            // Not awaited: the answer does not wait for the shared store, which bounds and swallows its own failures.
            void this.#shared?.set(key, value, ttl).catch(() => undefined);
          }
        }
        return { value, stored: false };
      } finally {
        flight.settled = true;
        flightDeadline.dispose();
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      }
    })();
    this.#flights.set(key, flight);
    // The flight may outlive every waiter; its rejection is reported to waiters, never unhandled.
    flight.promise.catch(() => undefined);
    const own = await this.#wait(key, flight, options.signal);
    return { value: own.value, cached: own.stored, shared: false };
  }

  /** Wait for `flight` until `signal` aborts; the last waiter to give up abandons the flight (its sockets, its CPU). */
  async #wait(key: string, flight: Flight<V>, signal: AbortSignal): Promise<{ value: V; stored: boolean }> {
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
