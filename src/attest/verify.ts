// Verifies the attestations an image must have: discovery, the Notary signature of each artifact, content and conditions.
import { BaseError } from '../common/index.js';
import { hexDigest } from '../common/hash.js';
import { ConditionsError, evaluateConditions, parseConditions } from '../conditions/index.js';
import type { ArtifactStore, Descriptor } from '../oci/index.js';
import { CODE_INFO, describeFailure, toErrorInfo, type ErrorInfo, type ImageVerdict } from '../verification/index.js';
import { MAX_ATTESTATION_CANDIDATES, MAX_REQUIRED_TYPES } from './constants.js';
import { readAttestation } from './content.js';
import { attestationContext } from './context.js';
import { selectAttestations } from './discovery.js';
import { unescapeVariables } from './escape.js';
import type { AttestationEvidence, CandidateOutcome } from './evidence.js';

/** One attestation type an image must have, and the Kyverno `{any, all}` condition blocks its content must satisfy (all of them). */
export interface AttestationRequirement {
  type: string;
  /** Condition blocks as the policy wrote them (parsed here); none: the attestation only has to exist and be trusted. */
  conditions: readonly unknown[];
}

/** The image whose attestations are verified: pinned to its digest, in the store that holds its referrers. */
export interface AttestationSubject {
  store: ArtifactStore;
  /** `registry/repository`: names the image in reasons and keys the cache. */
  repository: string;
  descriptor: Descriptor;
}

/** Where outcomes are kept between requests (the service's VerdictCache has this shape): single flight per key. */
export interface AttestationCache {
  get(
    key: string,
    compute: (signal: AbortSignal) => Promise<CandidateOutcome>,
    options: { signal: AbortSignal; flightTimeoutMs: number },
  ): Promise<{ value: CandidateOutcome; cached: boolean; shared: boolean }>;
}

export interface AttestationVerifierOptions {
  /**
   * The Notary verdict on an attestation artifact of the subject: the image's trust policy, its
   * statement selected by the image's repository. Rejects only when `signal` aborts.
   */
  verifySignature(artifact: Descriptor, signal: AbortSignal): Promise<ImageVerdict>;
  /** Changes whenever the trust policy or its trust stores change (the policy's cache key). */
  policyKey: string;
  cache?: AttestationCache;
  /** Deadline of one cached computation (shared by the requests that wait for it). */
  flightTimeoutMs?: number;
  /** Artifacts of a type tried at most (default MAX_ATTESTATION_CANDIDATES). */
  maxCandidates?: number;
}

/** The outcome of every required type of one image. */
export interface AttestationsVerdict {
  verified: boolean;
  /** The first failing type's deciding error, in requirement order. */
  error?: ErrorInfo;
  evidence: AttestationEvidence[];
}

const DEFAULT_FLIGHT_TIMEOUT_MS = 60_000;

type ParsedConditions = ReturnType<typeof parseConditions>;

/** The cache key of one artifact's outcome: everything that decides it. */
export function outcomeKey(subject: AttestationSubject, artifact: string, policyKey: string, requirement: AttestationRequirement): string {
  const conditions = hexDigest('sha256', JSON.stringify({ type: requirement.type, conditions: requirement.conditions }));
  return ['attestation', `${subject.repository}@${subject.descriptor.digest}`, artifact, policyKey, conditions].join('\n');
}

function isTransient(error: ErrorInfo | undefined): boolean {
  return error !== undefined && CODE_INFO[error.code].transient;
}

function signatureFailure(verdict: ImageVerdict): ErrorInfo {
  const error = verdict.error ?? { code: 'INTERNAL_ERROR' as const, message: 'signature verification failed' };
  return { code: error.code, message: describeFailure({ ...verdict, error }) };
}

/** Signature, then content, then conditions of one artifact; never throws but on abort. */
async function evaluateCandidate(
  subject: AttestationSubject,
  artifact: Descriptor,
  conditions: ParsedConditions | undefined,
  options: AttestationVerifierOptions,
  signal: AbortSignal,
): Promise<CandidateOutcome> {
  const verdict = await options.verifySignature(artifact, signal);
  if (!verdict.verified) return { artifact: artifact.digest, trusted: false, passed: false, error: signatureFailure(verdict), messages: [] };
  const trusted = { artifact: artifact.digest, trusted: true, ...(verdict.validUntil !== undefined ? { validUntil: verdict.validUntil } : {}) };
  let context: Record<string, unknown>;
  try {
    context = attestationContext((await readAttestation(subject.store, artifact, signal)).document);
  } catch (err) {
    if (signal.aborted) throw err;
    return { ...trusted, passed: false, error: toErrorInfo(err), messages: [] };
  }
  if (!conditions) return { ...trusted, passed: true, messages: [] };
  try {
    const result = evaluateConditions(conditions, context);
    if (result.passed) return { ...trusted, passed: true, messages: [] };
    const detail = result.messages.length > 0 ? result.messages.join('; ') : 'the conditions are not met';
    return { ...trusted, passed: false, error: { code: 'ATTESTATION_CONDITIONS_FAILED', message: `failed to evaluate conditions: ${detail}` }, messages: result.messages };
  } catch (err) {
    if (!(err instanceof ConditionsError)) throw err;
    const info = toErrorInfo(err, 'ATTESTATION_CONDITIONS_FAILED');
    return { ...trusted, passed: false, error: { code: info.code, message: `failed to evaluate conditions: ${info.message}` }, messages: [] };
  }
}

function failed(type: string, error: ErrorInfo, found: number, outcomes: CandidateOutcome[], artifact?: string): AttestationEvidence {
  return {
    kind: 'attestation',
    type,
    verified: false,
    errors: [error, ...outcomes.flatMap((o) => (o.error ? [o.error] : []))],
    found,
    ...(artifact !== undefined ? { artifact } : {}),
    outcomes,
  };
}

/** A required type whose check could not start (its conditions, or the referrers listing, failed). */
function failedBeforeDiscovery(requirement: AttestationRequirement, error: ErrorInfo): AttestationEvidence {
  return failed(requirement.type, error, 0, []);
}

/** The requirement's conditions parsed once (none: only existence and trust count), or why they cannot be. */
function parseRequirement(requirement: AttestationRequirement, prefix: string): { ok: true; conditions?: ParsedConditions } | { ok: false; error: ErrorInfo } {
  try {
    return requirement.conditions.length > 0 ? { ok: true, conditions: parseConditions(unescapeVariables(requirement.conditions)) } : { ok: true };
  } catch (err) {
    if (!(err instanceof ConditionsError)) throw err;
    const info = toErrorInfo(err, 'ATTESTATION_CONDITIONS_FAILED');
    return { ok: false, error: { code: info.code, message: `${prefix}: invalid conditions: ${info.message}` } };
  }
}

/**
 * Verify one required attestation type of `subject` among its `referrers`. Of the artifacts of
 * the type, newest first, the first whose signature passes the trust policy decides: its content
 * must satisfy the conditions (older ones are not consulted, whatever they say). A transient
 * failure (registry, revocation status unknown) decides too, so an older attestation never stands
 * in for a newer one that could not be checked. Rejects only when `signal` aborts.
 */
async function verifyType(
  subject: AttestationSubject,
  referrers: readonly Descriptor[],
  requirement: AttestationRequirement,
  options: AttestationVerifierOptions,
  signal: AbortSignal,
): Promise<AttestationEvidence> {
  const { type } = requirement;
  const image = `${subject.repository}@${subject.descriptor.digest}`;
  const prefix = `attestation ${type} of ${image}`;
  const parsed = parseRequirement(requirement, prefix);
  if (!parsed.ok) return failedBeforeDiscovery(requirement, parsed.error);
  const { conditions } = parsed;
  const candidates = selectAttestations(referrers, type);
  if (candidates.length === 0) {
    return failed(type, { code: 'ATTESTATION_NOT_FOUND', message: `failed to find attestation ${type} in image ${image}` }, 0, []);
  }
  const max = options.maxCandidates ?? MAX_ATTESTATION_CANDIDATES;
  const outcomes: CandidateOutcome[] = [];
  for (const artifact of candidates.slice(0, max)) {
    const compute = (flightSignal: AbortSignal) => evaluateCandidate(subject, artifact, conditions, options, flightSignal);
    const outcome = options.cache
      ? (
          await options.cache.get(outcomeKey(subject, artifact.digest, options.policyKey, requirement), compute, {
            signal,
            flightTimeoutMs: options.flightTimeoutMs ?? DEFAULT_FLIGHT_TIMEOUT_MS,
          })
        ).value
      : await compute(signal);
    outcomes.push(outcome);
    if (outcome.passed) return { kind: 'attestation', type, verified: true, errors: [], found: candidates.length, artifact: artifact.digest, outcomes };
    if (outcome.trusted || isTransient(outcome.error)) {
      const error = outcome.error ?? { code: 'INTERNAL_ERROR' as const, message: 'the attestation did not pass' };
      return failed(type, { code: error.code, message: `${prefix} (${artifact.digest}): ${error.message}` }, candidates.length, outcomes, artifact.digest);
    }
  }
  const newest = outcomes[0]?.error?.message ?? 'no signature passed';
  const limit = candidates.length > max ? ` (the newest ${max} of ${candidates.length} were tried)` : '';
  return failed(
    type,
    { code: 'ATTESTATION_UNTRUSTED', message: `${prefix} is not signed by a trusted signer${limit}: the newest one failed with: ${newest}` },
    candidates.length,
    outcomes,
  );
}

/**
 * Verify every required type of `subject`, in order, from one listing of its referrers; the first
 * failing type decides. Rejects only when `signal` aborts.
 */
export async function verifyAttestations(
  subject: AttestationSubject,
  requirements: readonly AttestationRequirement[],
  options: AttestationVerifierOptions,
  signal: AbortSignal,
): Promise<AttestationsVerdict> {
  if (requirements.length > MAX_REQUIRED_TYPES) {
    const error: ErrorInfo = { code: 'INVALID_ATTESTATION', message: `${requirements.length} attestation types are required of one image; the limit is ${MAX_REQUIRED_TYPES}` };
    return { verified: false, error, evidence: [] };
  }
  let referrers: Descriptor[] = [];
  let listing: ErrorInfo | undefined;
  if (requirements.length > 0) {
    try {
      referrers = await subject.store.referrers(subject.descriptor, undefined, { signal });
    } catch (err) {
      if (signal.aborted || !(err instanceof BaseError)) throw err;
      listing = toErrorInfo(err);
    }
  }
  const evidence: AttestationEvidence[] = [];
  for (const requirement of requirements) {
    if (listing) {
      const image = `${subject.repository}@${subject.descriptor.digest}`;
      evidence.push(failedBeforeDiscovery(requirement, { code: listing.code, message: `attestation ${requirement.type} of ${image}: failed to list the referrers: ${listing.message}` }));
    } else {
      evidence.push(await verifyType(subject, referrers, requirement, options, signal));
    }
  }
  const failure = evidence.find((e) => !e.verified);
  return { verified: failure === undefined, ...(failure?.errors[0] ? { error: failure.errors[0] } : {}), evidence };
}

/**
 * An image's verdict once its required attestations are checked: unchanged with their evidence
 * added when all pass, else not verified with the first failing type's error (and no validity).
 */
export function applyAttestations(verdict: ImageVerdict, result: AttestationsVerdict): ImageVerdict {
  const evidence = [...verdict.evidence, ...result.evidence];
  if (result.verified) return { ...verdict, evidence };
  const { validUntil: _validUntil, failedCheck: _failedCheck, ...rest } = verdict;
  return { ...rest, verified: false, error: result.error ?? { code: 'INTERNAL_ERROR', message: 'attestation verification failed' }, evidence };
}
