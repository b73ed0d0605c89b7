// Where cached verdicts live: the store contract, and the in-memory LRU store (the default, and each replica's first level).
import { LRUCache } from 'lru-cache';

/** A verdict read back from a store, with the moment (epoch ms) it stops being reusable. */
export interface StoredVerdict<V> {
  value: V;
  expiresAt: number;
}

/**
 * A place verdicts are kept under the cache's keys for a TTL. A shared store (Redis) may fail or
 * be slow: `get` then answers undefined ("not cached") and `set` gives up, each within its bound,
 * and neither ever rejects, so a store can cost a verification but never decide one.
 */
export interface VerdictStore<V> {
  /** Short name for logs and metrics (`memory`, `redis`). */
  readonly name: string;
  get(key: string): Promise<StoredVerdict<V> | undefined>;
  /** Keep `value` for `ttlMs` (≥ 1). */
  set(key: string, value: V, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Bounded LRU with per-entry TTL; synchronous underneath (`peek`/`put`) for the cache's fast path. */
export class MemoryVerdictStore<V extends object> implements VerdictStore<V> {
  readonly name = 'memory';
  readonly #lru: LRUCache<string, V>;

  constructor(options: { maxSize: number; ttlMs: number }) {
    this.#lru = new LRUCache<string, V>({ max: Math.max(1, Math.floor(options.maxSize)), ttl: options.ttlMs, updateAgeOnGet: false, allowStale: false });
  }

  get size(): number {
    return this.#lru.size;
  }

  peek(key: string): V | undefined {
    return this.#lru.get(key);
  }

  put(key: string, value: V, ttlMs: number): void {
    this.#lru.set(key, value, { ttl: Math.floor(ttlMs) });
  }

  async get(key: string): Promise<StoredVerdict<V> | undefined> {
    const value = this.#lru.get(key);
    return value === undefined ? undefined : { value, expiresAt: Date.now() + this.#lru.getRemainingTTL(key) };
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    this.put(key, value, ttlMs);
  }

  clear(): void {
    this.#lru.clear();
  }

  async close(): Promise<void> {
    this.clear();
  }
}
