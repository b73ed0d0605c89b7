// The port every verifier implements (Notary now; AWS Signer, cosign, attestations, the policy engine next), and the policy it is given.

import type { ImageVerdict } from './verdict.js';

/**
 * A policy compiled once when the configuration is loaded (never parsed again on use). Each
 * verifier extends it with what it needs; `kind` says which verifier it is for.
 */
export interface CompiledPolicy {
  readonly kind: string;
  /** The name requests select it by. */
  readonly name: string;
  /** Changes whenever anything that decides a verdict changes: part of every verdict cache key. */
  readonly cacheKey: string;
}

/** The artifact a verifier checks: pinned to the digest its tag resolved to, once. */
export interface PinnedImage {
  registry: string;
  repository: string;
  digest: string;
  /** What the tag resolved to: verify exactly this. */
  descriptor: { mediaType: string; digest: string; size: number };
  /** Plain HTTP / unverified TLS is allowed for this registry in this request. */
  insecure: boolean;
}

export interface ImageVerifier {
  /**
   * The verdict on `image` under `policy`. A failed verification is a verdict, never a throw;
   * it may reject only when `signal` aborts or on a bug.
   */
  verify(image: PinnedImage, policy: CompiledPolicy, signal: AbortSignal): Promise<ImageVerdict>;
}
