// Verifies the images of one request: resolve each tag once, then a cached (single-flight) verdict per digest.
import type { TrustPolicyEntry } from '../config/index.js';
import { BaseError } from '../common/index.js';
import type { ImageVerificationResult } from '../notary/index.js';
import type { Descriptor } from '../oci/index.js';
import { formatReference, type Reference } from '../reference/index.js';
import { raceSignal, type VerdictCache, type VerdictKind } from './cache.js';
import type { ServiceMetrics } from './metrics.js';
import type { RequestedImage } from './request.js';

export interface ResolveRequest {
  reference: Reference;
  /** Plain HTTP / unverified TLS allowed for this registry in this request. */
  insecure: boolean;
  signal: AbortSignal;
}

export interface VerifyRequest {
  /** The artifact to verify, by digest (`registry`, `repository`, `digest`). */
  reference: Reference;
  /** What the tag resolved to: verify exactly this. */
  descriptor: Descriptor;
  trustPolicy: TrustPolicyEntry;
  insecure: boolean;
  signal: AbortSignal;
}

/**
 * The edge of the service towards registries and the Notary verifier. `resolve` runs on every
 * request (tags move); `verify` only on cache misses.
 */
export interface VerificationBackend {
  resolve(request: ResolveRequest): Promise<Descriptor>;
  verify(request: VerifyRequest): Promise<ImageVerificationResult>;
  close?(): Promise<void>;
}

/** Error codes that say "could not find out now", not "not trusted": never cached, retried next time. */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'REGISTRY_UNAVAILABLE',
  'TIMEOUT',
  'ABORTED',
  'VERIFICATION_TIMEOUT',
  'REVOCATION_UNKNOWN',
  'UNAUTHORIZED',
  'CREDENTIALS_UNAVAILABLE',
  'TOO_MANY_REQUESTS',
]);

/** Cache life of a verdict: verified for the TTL, not verified briefly, transient failures not at all. */
export function classifyVerdict(result: ImageVerificationResult): VerdictKind {
  if (result.verified) return 'positive';
  const codes = [result.error?.code, ...result.results.flatMap((r) => r.errors.map((e) => e.code))];
  return codes.some((code) => code !== undefined && TRANSIENT_ERROR_CODES.has(code)) ? 'transient' : 'negative';
}

/** When a verified result stops being one (the passing signature's `validUntil`), as epoch ms. */
export function verdictValidUntil(result: ImageVerificationResult): number | undefined {
  const until = result.signature?.validUntil;
  return until === undefined ? undefined : Date.parse(until);
}

/** The reason a failed verification gives in the 406 body (after `failed to verify image ...: `). */
export function failureReason(result: ImageVerificationResult): string {
  if (result.error) return result.error.message;
  const messages = [...new Set(result.results.flatMap((r) => r.errors.map((e) => e.message)))];
  return messages.length > 0 ? messages.join('; ') : 'signature verification failed';
}

export type ImageOutcome =
  | { status: 'verified'; image: RequestedImage; digest: string; cached: boolean; result: ImageVerificationResult }
  | { status: 'failed'; image: RequestedImage; reason: string; code: string }
  /** Not a verdict: a bug or an unexpected failure (answered 500, never a pass). */
  | { status: 'error'; image: RequestedImage; error: unknown };

export interface CheckImagesContext {
  backend: VerificationBackend;
  cache: VerdictCache<ImageVerificationResult>;
  metrics: ServiceMetrics;
  trustPolicy: TrustPolicyEntry;
  /** Whether this request may use insecure transport for `registry` (request flag ∧ --allowInsecureRegistry). */
  insecure(registry: string): boolean;
  /** Request deadline (and client disconnect). */
  signal: AbortSignal;
  requestTimeoutMs: number;
  concurrency: number;
}

function isAbort(err: unknown): boolean {
  return err instanceof DOMException || (err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError'));
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

function timeoutReason(timeoutMs: number): string {
  return `verification did not finish within the request timeout of ${seconds(timeoutMs)}; the image was not verified (check the registry's latency, or raise --requestTimeout)`;
}

function errorCodeOf(err: unknown): string {
  return err instanceof BaseError ? err.code : 'INTERNAL_ERROR';
}

/** The verdict cache's key: the artifact by digest and the trust policy's content (a policy change is a new key). */
function verdictKey(reference: Reference, digest: string, trustPolicy: TrustPolicyEntry): string {
  const target: Reference = { registry: reference.registry, repository: reference.repository, digest };
  return `${formatReference(target)}\n${trustPolicy.contentHash}`;
}

/** The outcome a verdict for `digest` gives the image, counted in the metrics. */
function verdictOutcome(image: RequestedImage, result: ImageVerificationResult, digest: string, cached: boolean, metrics: ServiceMetrics): ImageOutcome {
  if (result.verified) {
    metrics.recordVerification('verified', undefined);
    return { status: 'verified', image, digest: result.digest ?? digest, cached, result };
  }
  const code = result.error?.code ?? result.results.flatMap((r) => r.errors)[0]?.code ?? 'VERIFICATION_FAILED';
  metrics.recordVerification('not_verified', code);
  return { status: 'failed', image, reason: failureReason(result), code };
}

async function checkOne(image: RequestedImage, context: CheckImagesContext): Promise<ImageOutcome> {
  const { backend, cache, metrics, signal } = context;
  if (!image.reference) {
    metrics.recordVerification('not_verified', 'INVALID_REFERENCE');
    return { status: 'failed', image, reason: image.referenceError ?? 'invalid image reference', code: 'INVALID_REFERENCE' };
  }
  const reference = image.reference;
  if (reference.digest) {
    // A digest names immutable content: with its verdict cached there is nothing to ask the registry.
    const cached = cache.cached(verdictKey(reference, reference.digest, context.trustPolicy));
    if (cached) return verdictOutcome(image, cached, reference.digest, true, metrics);
  }
  const insecure = context.insecure(reference.registry);

  let descriptor: Descriptor;
  try {
    // Every request: a tag may have moved since the last one, and the digest is what we vouch for.
    descriptor = await raceSignal(backend.resolve({ reference, insecure, signal }), signal);
  } catch (err) {
    if (signal.aborted && isAbort(err)) {
      metrics.recordVerification('error', 'VERIFICATION_TIMEOUT');
      return { status: 'failed', image, reason: timeoutReason(context.requestTimeoutMs), code: 'VERIFICATION_TIMEOUT' };
    }
    if (err instanceof BaseError) {
      metrics.recordVerification('error', err.code);
      return { status: 'failed', image, reason: `failed to resolve digest: ${err.message}`, code: err.code };
    }
    metrics.recordVerification('error', 'INTERNAL_ERROR');
    return { status: 'error', image, error: err };
  }

  const target: Reference = { registry: reference.registry, repository: reference.repository, digest: descriptor.digest };
  const key = verdictKey(reference, descriptor.digest, context.trustPolicy);
  try {
    const verdict = await cache.get(
      key,
      async (flightSignal) => {
        const started = performance.now();
        let outcome: 'verified' | 'not_verified' | 'error' = 'error';
        try {
          const result = await backend.verify({ reference: target, descriptor, trustPolicy: context.trustPolicy, insecure, signal: flightSignal });
          outcome = result.verified ? 'verified' : 'not_verified';
          return result;
        } finally {
          metrics.verificationDuration.observe({ result: outcome }, (performance.now() - started) / 1000);
        }
      },
      { signal, flightTimeoutMs: context.requestTimeoutMs },
    );
    return verdictOutcome(image, verdict.value, descriptor.digest, verdict.cached || verdict.shared, metrics);
  } catch (err) {
    if (signal.aborted && isAbort(err)) {
      metrics.recordVerification('error', 'VERIFICATION_TIMEOUT');
      return { status: 'failed', image, reason: timeoutReason(context.requestTimeoutMs), code: 'VERIFICATION_TIMEOUT' };
    }
    if (isAbort(err)) {
      // The flight's own deadline (shared with an earlier request) passed.
      metrics.recordVerification('error', 'VERIFICATION_TIMEOUT');
      return { status: 'failed', image, reason: timeoutReason(context.requestTimeoutMs), code: 'VERIFICATION_TIMEOUT' };
    }
    metrics.recordVerification('error', errorCodeOf(err));
    if (err instanceof BaseError) return { status: 'failed', image, reason: err.message, code: err.code };
    return { status: 'error', image, error: err };
  }
}

/**
 * Verify every image with at most `concurrency` at a time. Outcomes come back in request
 * order so the 406 names the first failing container deterministically.
 */
export async function checkImages(images: readonly RequestedImage[], context: CheckImagesContext): Promise<ImageOutcome[]> {
  const outcomes: ImageOutcome[] = new Array<ImageOutcome>(images.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next;
      next += 1;
      if (index >= images.length) return;
      const image = images[index] as RequestedImage;
      try {
        outcomes[index] = await checkOne(image, context);
      } catch (err) {
        outcomes[index] = { status: 'error', image, error: err };
      }
    }
  };
  const workers = Math.max(1, Math.min(context.concurrency, images.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outcomes;
}
