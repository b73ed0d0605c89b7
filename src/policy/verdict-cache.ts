// The verifyImages `useCache` cache: an image's passing attestor verdict, reused for a bounded time so repeated admissions of
// the same digest skip the signature round trips (the tag is still resolved every time: the digest is part of the key).
import type { PinnedImage } from '../verification/index.js';
import type { CompiledKyvernoPolicy, ImageVerification } from './model.js';

/** Kyverno's defaults (imageVerifyCacheTTLDuration 60 m, imageVerifyCacheMaxSize 1000). */
export const DEFAULT_VERDICT_TTL_MS = 60 * 60 * 1000;
export const DEFAULT_VERDICT_MAX_ENTRIES = 1000;
/** Longest TTL accepted; anything longer is clamped. */
export const MAX_VERDICT_TTL_MS = 24 * 60 * 60 * 1000;

export interface VerdictCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** What decides an attestor verdict: the policy, the rule, the image as written, the digest reached and the compiled verifyImages entry. */
export interface VerdictKey {
  policy: CompiledKyvernoPolicy;
  rule: string;
  image: string;
  pinned: PinnedImage;
  verification: ImageVerification;
  mirrors: Record<string, string>;
  allowInsecure: boolean;
}

/** Passing verdicts only (a failure is verified again next time), LRU within `maxEntries`, each for at most the TTL. */
export class AttestorVerdictCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, number>();
  hits = 0;
  misses = 0;

  constructor(options: VerdictCacheOptions = {}) {
    this.#ttlMs = Math.max(0, Math.min(options.ttlMs ?? DEFAULT_VERDICT_TTL_MS, MAX_VERDICT_TTL_MS));
    this.#maxEntries = Math.max(0, options.maxEntries ?? DEFAULT_VERDICT_MAX_ENTRIES);
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  static key(key: VerdictKey): string {
    const { policy, pinned } = key;
    return JSON.stringify([policy.namespace ?? '', policy.name, policy.validationFailureAction, policy.failurePolicy, key.rule, key.image, pinned.registry, pinned.repository, pinned.digest, pinned.insecure, key.verification, key.mirrors, key.allowInsecure]);
  }

  /** Whether a pass for `key` is held and still fresh (counted as a hit or a miss). */
  passed(key: string): boolean {
    const expires = this.#entries.get(key);
    if (expires !== undefined && expires > this.#now()) {
      this.#entries.delete(key);
      this.#entries.set(key, expires);
      this.hits++;
      return true;
    }
    if (expires !== undefined) this.#entries.delete(key);
    this.misses++;
    return false;
  }

  recordPass(key: string): void {
    if (this.#maxEntries === 0 || this.#ttlMs === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, this.#now() + this.#ttlMs);
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}
