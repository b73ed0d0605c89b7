// Verifies the signatures of one artifact held in a store: policy, discovery, one signature after another, the deciding error.
import type { ArtifactStore, Descriptor } from '../../oci/index.js';
import { NotaryError } from '../errors.js';
import type { ErrorInfo, ImageVerificationResult, SignatureVerification } from '../types.js';
import { deadline } from '../../common/index.js';
import { DEFAULT_MAX_SIGNATURES, MAX_SIGNATURES_LIMIT, SIGNATURE_PREFETCH } from './constants.js';
import { envelopeDescriptor, listSignatures, type SignatureCandidate } from './discovery.js';
import type { VerifyArtifactOptions } from './options.js';
import { Pacer } from './pace.js';
import { applicablePolicy, type AppliedPolicy } from './policy.js';
import { toErrorInfo } from '../../verification/index.js';
import { verifySignature, type SignatureCheckContext } from './signature.js';

/** What one verification run works on, after the reference is resolved. */
export interface ArtifactTarget {
  store: ArtifactStore;
  /** `registry/repository` (or the layout's scope). */
  repository: string;
  /** The reference as the caller gave it. */
  reference: string;
  /** The artifact verified (and reported). */
  descriptor: Descriptor;
  /** Artifacts whose signatures count, in order: the verified one first. */
  subjects: Descriptor[];
}

function resolvedMaxSignatures(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_SIGNATURES;
  if (!Number.isInteger(value) || value < 1 || value > MAX_SIGNATURES_LIMIT) {
    throw new NotaryError('INVALID_INPUT', `maxSignatures must be an integer from 1 to ${MAX_SIGNATURES_LIMIT}, got ${value}`);
  }
  return value;
}

function abortError(signal: AbortSignal | undefined, err?: unknown): NotaryError {
  if (err instanceof NotaryError && err.code === 'VERIFICATION_TIMEOUT') return err;
  const reason = signal?.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new NotaryError('VERIFICATION_TIMEOUT', `verification did not finish before its deadline${reason}`, { cause: err });
}

export function isAborted(err: unknown, signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted) || (err instanceof NotaryError && err.code === 'VERIFICATION_TIMEOUT');
}

/** The failure result of a whole verification, with the deciding error. */
export function failedResult(reference: string, error: ErrorInfo, extra: Partial<ImageVerificationResult> = {}): ImageVerificationResult {
  return { reference, verified: false, results: [], ...extra, error };
}

/** The error that decides a verification where no signature passed. */
function decidingError(artifact: string, results: SignatureVerification[], found: number, max: number): ErrorInfo {
  if (found > max) {
    return {
      code: 'SIGNATURE_LIMIT_EXCEEDED',
      message: `signature evaluation stopped. The configured limit of ${max} signatures to verify per artifact exceeded (${found} found); none of the signatures tried passed`,
    };
  }
  // A signature stops at its first enforced failure, which is its last recorded error.
  const first = results[0]?.errors.at(-1);
  if (results.length === 1 && first) return first;
  const codes = new Set(results.map((r) => r.errors.at(-1)?.code ?? 'INTERNAL_ERROR'));
  const code = codes.size === 1 ? [...codes][0] ?? 'INTERNAL_ERROR' : first?.code ?? 'INTERNAL_ERROR';
  const reason = first ? `; the newest signature failed with: ${first.message}` : '';
  return { code, message: `signature verification failed for all the signatures associated with ${artifact}${reason}` };
}

/** A candidate's manifest and envelope as fetched, or the failed result its retrieval gives. */
type FetchedCandidate = { envelope: Uint8Array; mediaType: string; manifestBytes: number } | { failed: SignatureVerification };

/**
 * Fetch one signature's manifest and envelope (under `fetchSignal`, which also ends fetches no longer
 * wanted); retrieval failures become a failed result. Throws only when the verification's `signal` aborted.
 */
async function fetchCandidate(store: ArtifactStore, candidate: SignatureCandidate, policyName: string, signal: AbortSignal | undefined, fetchSignal: AbortSignal | undefined): Promise<FetchedCandidate> {
  try {
    const options = fetchSignal ? { signal: fetchSignal } : {};
    const fetched = await store.fetchManifest(candidate.descriptor, options);
    const layer = envelopeDescriptor(fetched.manifest, candidate.subject);
    const envelope = await store.fetchBlob(layer, options);
    return { envelope, mediaType: layer.mediaType, manifestBytes: fetched.bytes.byteLength };
  } catch (err) {
    if (isAborted(err, signal)) throw abortError(signal, err);
    const info = toErrorInfo(err, 'INTERNAL_ERROR');
    return {
      failed: {
        signatureDigest: candidate.descriptor.digest,
        verified: false,
        errors: [info],
        validations: [{ type: 'integrity', action: 'enforce', passed: false, error: info }],
        trustPolicyStatement: policyName,
      },
    };
  }
}

/** Verify one fetched signature against the artifact it was listed for. */
async function verifyFetched(target: ArtifactTarget, candidate: SignatureCandidate, fetched: FetchedCandidate, context: SignatureCheckContext): Promise<SignatureVerification> {
  if ('failed' in fetched) return fetched.failed;
  context.budget?.spend('bytesParsed', fetched.manifestBytes + fetched.envelope.byteLength);
  const result = await verifySignature(
    { signatureDigest: candidate.descriptor.digest, envelopeMediaType: fetched.mediaType, envelope: fetched.envelope, target: candidate.subject },
    context,
  );
  if (candidate.subject.digest !== target.descriptor.digest) result.signedDigest = candidate.subject.digest;
  return result;
}

/**
 * The candidates verified in order, first pass wins, with the manifests and envelopes of up to
 * SIGNATURE_PREFETCH candidates fetched ahead; fetches still running when a signature passes are cancelled.
 */
async function verifyInOrder(target: ArtifactTarget, candidates: readonly SignatureCandidate[], context: SignatureCheckContext): Promise<SignatureVerification[]> {
  const { signal } = context;
  // A lone candidate is never fetched ahead of its turn, so nothing can be left to cancel: its fetch
  // runs under the verification's own signal (a linked one costs listeners and a signal per image).
  const stop = candidates.length > 1 ? new AbortController() : undefined;
  const fetching = stop ? deadline([signal, stop.signal]) : undefined;
  const fetchSignal = fetching?.signal ?? signal;
  const fetches: Promise<FetchedCandidate>[] = [];
  const fetchAhead = (until: number): void => {
    for (let index = fetches.length; index < Math.min(until, candidates.length); index++) {
      const started = fetchCandidate(target.store, candidates[index] as SignatureCandidate, context.policy.name, signal, fetchSignal);
      // Awaited in turn below, or never (a signature before it passed): it must not go unhandled.
      started.catch(() => undefined);
      fetches.push(started);
    }
  };
  const results: SignatureVerification[] = [];
  const pacer = new Pacer();
  try {
    for (let index = 0; index < candidates.length; index++) {
      fetchAhead(index + SIGNATURE_PREFETCH);
      // Paced: a store that answers from memory never yields otherwise, and other requests must not
      // wait for all of this image's signatures.
      await pacer.step();
      if (signal?.aborted) throw abortError(signal);
      const result = await verifyFetched(target, candidates[index] as SignatureCandidate, await (fetches[index] as Promise<FetchedCandidate>), context);
      results.push(result);
      if (result.verified) break;
    }
    return results;
  } finally {
    // Only fetched-ahead candidates never awaited can still be running; an abort costs a DOMException and its stack.
    if (fetches.length > results.length) stop?.abort();
    fetching?.dispose();
  }
}

/**
 * The verification workflow once the artifact is pinned: skip level, signature discovery, at most
 * `maxSignatures` signatures in order, first pass wins. Throws only VERIFICATION_TIMEOUT.
 */
export async function verifyTarget(target: ArtifactTarget, policy: AppliedPolicy, options: VerifyArtifactOptions): Promise<ImageVerificationResult> {
  const { descriptor, repository, reference } = target;
  const signal = options.signal;
  const artifact = `${repository}@${descriptor.digest}`;
  const base: Partial<ImageVerificationResult> = {
    reference,
    verifiedReference: artifact,
    digest: descriptor.digest,
    descriptor,
    level: policy.level,
  };
  if (policy.level === 'skip') {
    return { ...base, reference, verified: true, results: [] };
  }
  const max = resolvedMaxSignatures(options.maxSignatures);
  let candidates: SignatureCandidate[];
  try {
    candidates = await listSignatures(target.store, target.subjects, signal);
  } catch (err) {
    if (isAborted(err, signal)) throw abortError(signal, err);
    return failedResult(reference, toErrorInfo(err), base);
  }
  if (candidates.length === 0) {
    return failedResult(
      reference,
      { code: 'SIGNATURE_NOT_FOUND', message: `no signature is associated with "${artifact}", make sure the artifact was signed successfully` },
      base,
    );
  }
  const context: SignatureCheckContext = {
    policy,
    trustStore: options.trustStore,
    revocation: options.revocation,
    plugins: options.plugins,
    pluginConfig: options.pluginConfig,
    understoodCriticalAttributes: new Set(options.understoodCriticalAttributes ?? []),
    userMetadata: options.userMetadata,
    now: options.now ?? new Date(),
    signal,
    ...(options.budget ? { budget: options.budget } : {}),
  };
  const results = await verifyInOrder(target, candidates.slice(0, max), context);
  const passed = results.at(-1);
  if (passed?.verified) return { ...base, reference, verified: true, signature: passed, results };
  return { ...base, reference, verified: false, results, error: decidingError(artifact, results, candidates.length, max) };
}

/**
 * Verify the Notary signatures of `descriptor` in `store` against the trust policy. Never throws:
 * every failure, including an unexpected one or the deadline, is a failed result with a code.
 */
export async function verifyArtifact(store: ArtifactStore, descriptor: Descriptor, options: VerifyArtifactOptions): Promise<ImageVerificationResult> {
  const repository = options.repository ?? store.name;
  const reference = `${repository}@${descriptor.digest}`;
  try {
    const policy = applicablePolicy(options.trustPolicy, repository);
    return await verifyTarget({ store, repository, reference, descriptor, subjects: [descriptor] }, policy, options);
  } catch (err) {
    if (isAborted(err, options.signal)) return failedResult(reference, toErrorInfo(abortError(options.signal, err)));
    return failedResult(reference, toErrorInfo(err));
  }
}
