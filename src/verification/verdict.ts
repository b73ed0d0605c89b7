// The scheme-neutral verdict on one image and the evidence each verification scheme adds to it.
import type { ErrorInfo } from './error-info.js';

/** What every kind of evidence has: its discriminant and the failures it recorded. */
export interface EvidenceBase {
  readonly kind: string;
  /** Every failure recorded while gathering this evidence (each signature's, in order), deciding or logged. */
  readonly errors: readonly ErrorInfo[];
}

/**
 * The evidence kinds, by discriminant. Each scheme's domain adds its own by declaration merging
 * (`notary` in src/notary/verifier/verdict.ts, `attestation` in src/attest/evidence.ts; `cosign`,
 * `policy` later), so this leaf names none of their types and `Evidence` stays a discriminated union.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in each scheme's domain
export interface EvidenceKinds {}

type Checked<T extends { [K in keyof T]: EvidenceBase & { kind: K } }> = T[keyof T];

/** One scheme's evidence about an image: `{ kind: 'notary', … }` today. */
export type Evidence = Checked<EvidenceKinds>;

/**
 * The verdict on one image (verdict = image level; outcome = one signature; result = one
 * validation type). The service's cache, verdict classes, 406 reason and metrics and the CLI's
 * printers read only this; scheme details live in `evidence`.
 */
export interface ImageVerdict {
  /** The reference as given. */
  reference: string;
  /** The digest that was resolved once and verified; absent only when the image was never resolved. */
  digest?: string;
  verified: boolean;
  /** For a verified image: the moment (ISO 8601) the verdict stops holding with nothing else changed. */
  validUntil?: string;
  /** Set when the image is not verified: the deciding error. */
  error?: ErrorInfo;
  /**
   * The check whose failure decided, in its scheme's own words (Notary: notation's validation
   * type — integrity, authenticity, authenticTimestamp, expiry, revocation); absent when the
   * failure came before any check (no signature, registry, policy).
   */
  failedCheck?: string;
  evidence: Evidence[];
}

/**
 * The deciding error as notation words a failed validation, beside our detail and code:
 * `authenticity validation failed. Failure reason: <detail> (<CODE>)`; without a failed check,
 * just the detail (the peer's wording, e.g. `no signature is associated with …`).
 */
export function describeFailure(verdict: ImageVerdict & { error: ErrorInfo }): string {
  const { error, failedCheck } = verdict;
  return failedCheck === undefined ? error.message : `${failedCheck} validation failed. Failure reason: ${error.message} (${error.code})`;
}

/** Every failure code of a verdict, the deciding one first. */
export function verdictErrors(verdict: ImageVerdict): ErrorInfo[] {
  return [...(verdict.error ? [verdict.error] : []), ...verdict.evidence.flatMap((evidence) => evidence.errors)];
}
