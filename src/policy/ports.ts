// What the engine needs from outside: a registry that resolves tags once, and a verifier per signature type.
import type { Descriptor } from '../oci/index.js';
import type { ErrorInfo, PinnedImage } from '../verification/index.js';
import type { Attestation, Attestor, ImageVerification, SignatureType } from './model.js';

/** The image as the resource names it, split (Kyverno's `image` variable; `reference` is `registry/path:tag`). */
export interface ImageInfo {
  registry: string;
  /** Repository path below the registry (`kyverno/test-verify-image`). */
  path: string;
  /** Last path segment. */
  name: string;
  tag: string;
  digest: string;
  /** `registry/path[:tag][@digest]`, Kyverno's ImageInfo.String(). */
  reference: string;
  /** `registry/path:tag` (tag `latest` when none). */
  referenceWithTag: string;
  /** JSON pointer of the field in the resource. */
  pointer: string;
}

export interface ImageResolver {
  /** Resolve `image` (its tag, or check its digest) in `registry` — the registry to reach, after mirrors. */
  resolve(image: { registry: string; repository: string; tag?: string; digest?: string; insecure: boolean }, signal: AbortSignal): Promise<Descriptor>;
}

export interface AttestorCheckRequest {
  /** The resolved digest; its `registry` is the one reached (mirrors applied). */
  image: PinnedImage;
  /** `registry/path@digest` as the resource's registry names it (messages name this). */
  reference: string;
  attestor: Attestor;
  verification: ImageVerification;
  /** `registry/repository` (a `repository` field) as it is reached: registry mirrors applied. */
  reach(repository: string): string;
}

/** A failed check carries the peer's words in `error.message` (they follow Kyverno's `.attestors[i].entries[j]…: ` prefix). */
export interface SignatureCheck {
  verified: boolean;
  error?: ErrorInfo;
}

export interface AttestationFetch {
  /** In-toto statements of the requested type whose signature verified (`{type, predicate, …}` with `type` = predicateType). */
  statements: Record<string, unknown>[];
  error?: ErrorInfo;
}

/** A signature scheme's verifier, as Kyverno's images.ImageVerifier (VerifySignature, FetchAttestations). */
export interface AttestorVerifier {
  verifySignature(request: AttestorCheckRequest, signal: AbortSignal): Promise<SignatureCheck>;
  fetchAttestations(request: AttestorCheckRequest & { attestation: Attestation }, signal: AbortSignal): Promise<AttestationFetch>;
}

export type AttestorVerifiers = Partial<Record<SignatureType, AttestorVerifier>>;
