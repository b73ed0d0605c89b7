// Verifies the images of one request: resolve each tag once, then a cached (single-flight) verdict per digest.
import type { AttestationCache, AttestationRequirement, AttestationsVerdict, CandidateOutcome } from '../attest/index.js';
import type { TrustPolicyEntry } from '../config/index.js';
import { BaseError } from '../common/index.js';
import type { Descriptor } from '../oci/index.js';
import { formatReference, type Reference } from '../reference/index.js';
import {
  CODE_INFO,
  describeFailure,
  toErrorInfo,
  verdictErrors,
  type CompiledPolicy,
  type ErrorCode,
  type ImageVerdict,
  type ImageVerifier,
  type PinnedImage,
} from '../verification/index.js';
import { raceSignal, type CachedVerdict, type VerdictCache, type VerdictKind } from './cache.js';
import type { ServiceMetrics } from './metrics.js';
import type { RequestedImage } from './request.js';

export interface ResolveRequest {
  reference: Reference;
  /** Plain HTTP / unverified TLS allowed for this registry in this request. */
  insecure: boolean;
  signal: AbortSignal;
}

/**
 * The edge of the service towards registries and the verifiers. `resolve` runs on every
 * request (tags move); `verify` (the ImageVerifier port) only on cache misses.
 */
export interface VerificationBackend extends ImageVerifier {
  resolve(request: ResolveRequest): Promise<Descriptor>;
  /**
   * The required attestations of a verified image, each artifact's signature checked against
   * `policy` as the image's was. A backend without it fails every image that requires one.
   */
  verifyAttestations?(image: PinnedImage, requirements: readonly AttestationRequirement[], policy: CompiledPolicy, options: AttestationCheckOptions): Promise<AttestationsVerdict>;
  close?(): Promise<void>;
}

export interface AttestationCheckOptions {
  cache?: AttestationCache;
  flightTimeoutMs: number;
  signal: AbortSignal;
}

/** Cache life of an attestation outcome, by the rule of verdicts: passed for the TTL (at most its signature's life), failed briefly, transient never. */
export function classifyAttestationOutcome(outcome: CandidateOutcome): VerdictKind {
  if (outcome.passed) return 'positive';
  return outcome.error && CODE_INFO[outcome.error.code].transient ? 'transient' : 'negative';
}

export function attestationOutcomeValidUntil(outcome: CandidateOutcome): number | undefined {
  return outcome.validUntil === undefined ? undefined : Date.parse(outcome.validUntil);
}

/** Cache life of a verdict: verified for the TTL, not verified briefly, transient failures (CODE_INFO) not at all. */
export function classifyVerdict(verdict: ImageVerdict): VerdictKind {
  if (verdict.verified) return 'positive';
  return verdictErrors(verdict).some((error) => CODE_INFO[error.code].transient) ? 'transient' : 'negative';
}

/** When a verified verdict stops being one, as epoch ms. */
export function verdictValidUntil(verdict: ImageVerdict): number | undefined {
  return verdict.validUntil === undefined ? undefined : Date.parse(verdict.validUntil);
}

/** The reason a failed verification gives in the 406 body (after `failed to verify image ...: `). */
export function failureReason(verdict: ImageVerdict): string {
  if (verdict.error) return describeFailure({ ...verdict, error: verdict.error });
  const messages = [...new Set(verdict.evidence.flatMap((evidence) => evidence.errors.map((e) => e.message)))];
  return messages.length > 0 ? messages.join('; ') : 'signature verification failed';
}

export type ImageOutcome =
  | { status: 'verified'; image: RequestedImage; digest: string; cached: boolean; verdict: ImageVerdict }
  /** `digest` and `cached` are set when the image was resolved and a verdict decided. */
  | { status: 'failed'; image: RequestedImage; reason: string; code: ErrorCode; digest?: string; cached?: boolean }
  /** Not a verdict: a bug or an unexpected failure (answered 500, never a pass). */
  | { status: 'error'; image: RequestedImage; error: unknown };

export interface CheckImagesContext {
  backend: VerificationBackend;
  cache: VerdictCache<ImageVerdict>;
  /** Outcomes of attestation artifacts (see src/attest outcomeKey); none: every request checks them afresh. */
  attestationCache?: AttestationCache;
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

/**
 * The verdict cache's key: the artifact by digest, the policy's cache key (a policy change is a new key), and
 * whether the registry was reached without TLS verification (a verdict got that way never answers a request
 * that would have been refused over verified TLS).
 */
function verdictKey(reference: Reference, digest: string, policy: CompiledPolicy, insecure: boolean): string {
  const target: Reference = { registry: reference.registry, repository: reference.repository, digest };
  return `${formatReference(target)}\n${policy.cacheKey}\ninsecure=${insecure}`;
}

/**
 * Whether a verdict read back from a shared store can answer `key`: verdict-shaped, and (when it
 * names a digest) about the digest in the key. A store holding anything else answers "not cached".
 */
export function isStoredVerdict(value: unknown, key: string): value is ImageVerdict {
  if (typeof value !== 'object' || value === null) return false;
  const verdict = value as Partial<Record<keyof ImageVerdict, unknown>>;
  if (typeof verdict.verified !== 'boolean' || typeof verdict.reference !== 'string' || !Array.isArray(verdict.evidence)) return false;
  if (verdict.validUntil !== undefined && (typeof verdict.validUntil !== 'string' || Number.isNaN(Date.parse(verdict.validUntil)))) return false;
  const target = key.slice(0, key.indexOf('\n'));
  const digest = target.slice(target.lastIndexOf('@') + 1);
  if (verdict.verified) return verdict.digest === digest;
  return verdict.digest === undefined || verdict.digest === digest;
}

/** The outcome a verdict for `digest` gives the image, counted in the metrics. */
function verdictOutcome(image: RequestedImage, verdict: ImageVerdict, digest: string, cached: boolean, metrics: ServiceMetrics): ImageOutcome {
  if (verdict.verified) {
    metrics.recordVerification('verified', undefined);
    return { status: 'verified', image, digest: verdict.digest ?? digest, cached, verdict };
  }
  // A verdict that is not verified names a code (notary's always does); INTERNAL_ERROR keeps it closed if one ever does not.
  const code = verdictErrors(verdict)[0]?.code ?? 'INTERNAL_ERROR';
  metrics.recordVerification('not_verified', code);
  return { status: 'failed', image, reason: failureReason(verdict), code, digest, cached };
}

/** The policy compiled when the config was loaded; a policy that could not be compiled fails every image (as it failed on use before). */
function compiledPolicy(trustPolicy: TrustPolicyEntry): CompiledPolicy | { code: ErrorCode; message: string } {
  if (trustPolicy.compiled) return trustPolicy.compiled;
  return trustPolicy.compileError ?? { code: 'INVALID_TRUST_POLICY', message: `trust policy ${JSON.stringify(trustPolicy.name)} was not compiled when the configuration was loaded` };
}

/** The image's verdict once its required attestations are checked (the image's own cached verdict is never altered). */
async function withAttestations(
  verdict: ImageVerdict,
  pinned: PinnedImage,
  image: RequestedImage,
  policy: CompiledPolicy,
  context: CheckImagesContext,
): Promise<ImageVerdict> {
  const { backend } = context;
  // The attestation domain (conditions, JMESPath, RE2) loads with the first image that requires attestations.
  const { applyAttestations } = await import('../attest/verify.js');
  if (!backend.verifyAttestations) {
    const types = image.attestations.map((a) => a.type).join(', ');
    return applyAttestations(verdict, { verified: false, error: { code: 'INTERNAL_ERROR', message: `this verification backend cannot verify attestations (${types})` }, evidence: [] });
  }
  const result = await backend.verifyAttestations(pinned, image.attestations, policy, {
    ...(context.attestationCache ? { cache: context.attestationCache } : {}),
    flightTimeoutMs: context.requestTimeoutMs,
    signal: context.signal,
  });
  return applyAttestations(verdict, result);
}

/** The verdict of `key` from the cache, a flight in progress, or the backend's verification (timed). */
function verifiedOnce(key: string, pinned: PinnedImage, policy: CompiledPolicy, context: CheckImagesContext): Promise<CachedVerdict<ImageVerdict>> {
  const { backend, metrics } = context;
  return context.cache.get(
    key,
    async (flightSignal) => {
      const started = performance.now();
      let outcome: 'verified' | 'not_verified' | 'error' = 'error';
      try {
        const verdict = await backend.verify(pinned, policy, flightSignal);
        outcome = verdict.verified ? 'verified' : 'not_verified';
        return verdict;
      } finally {
        metrics.verificationDuration.observe({ result: outcome }, (performance.now() - started) / 1000);
      }
    },
    { signal: context.signal, flightTimeoutMs: context.requestTimeoutMs },
  );
}

async function checkOne(image: RequestedImage, context: CheckImagesContext): Promise<ImageOutcome> {
  const { backend, cache, metrics, signal } = context;
  if (!image.reference) {
    metrics.recordVerification('not_verified', 'INVALID_REFERENCE');
    return { status: 'failed', image, reason: image.referenceError ?? 'invalid image reference', code: 'INVALID_REFERENCE' };
  }
  const reference = image.reference;
  const policy = compiledPolicy(context.trustPolicy);
  if ('code' in policy) {
    metrics.recordVerification('not_verified', policy.code);
    return { status: 'failed', image, reason: policy.message, code: policy.code };
  }
  const insecure = context.insecure(reference.registry);
  if (reference.digest && image.attestations.length === 0) {
    // A digest names immutable content: with its verdict cached there is nothing to ask the registry.
    const cached = await cache.cached(verdictKey(reference, reference.digest, policy, insecure));
    if (cached) return verdictOutcome(image, cached, reference.digest, true, metrics);
  }

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
      const info = toErrorInfo(err);
      metrics.recordVerification('error', info.code);
      return { status: 'failed', image, reason: `failed to resolve digest: ${info.message}`, code: info.code };
    }
    metrics.recordVerification('error', 'INTERNAL_ERROR');
    return { status: 'error', image, error: err };
  }

  const pinned = { registry: reference.registry, repository: reference.repository, digest: descriptor.digest, descriptor, insecure };
  const key = verdictKey(reference, descriptor.digest, policy, insecure);
  try {
    // A verdict in memory (the warm path) without the async get and its closure.
    const hit = cache.memoryHit(key);
    const verdict = hit !== undefined ? { value: hit, cached: true, shared: false } : await verifiedOnce(key, pinned, policy, context);
    const value = verdict.value.verified && image.attestations.length > 0 ? await withAttestations(verdict.value, pinned, image, policy, context) : verdict.value;
    return verdictOutcome(image, value, descriptor.digest, verdict.cached || verdict.shared, metrics);
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
    const info = toErrorInfo(err);
    metrics.recordVerification('error', info.code);
    if (err instanceof BaseError) return { status: 'failed', image, reason: info.message, code: info.code };
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
