// The Notary verifier as an adapter of the scheme-neutral contract: its evidence, its compiled policy, and ImageVerifier.
import type { ArtifactStore, Descriptor } from '../../oci/index.js';
import { formatReference } from '../../reference/index.js';
import { toErrorInfo, type CompiledPolicy, type ErrorInfo, type ImageVerdict, type ImageVerifier, type PinnedImage } from '../../verification/index.js';
import type { VerificationPluginProvider } from '../plugin/index.js';
import { parseTrustPolicyStatements, type TrustPolicyDocument } from '../trustpolicy/index.js';
import { MemoryTrustStore, type TrustStoreBundle } from '../truststore/index.js';
import type { ImageVerificationResult, SignatureVerification, ValidationType, VerificationLevelName } from '../types.js';
import { verifyImage } from './image.js';
import type { RevocationSource } from './options.js';
import { WorkBudget, type WorkLimits } from './budget.js';

/** What the Notary verifier found out about an image, beside the neutral verdict. */
export interface NotaryEvidence {
  kind: 'notary';
  /** Every error of every signature tried, in order. */
  errors: ErrorInfo[];
  /** `registry/repository@digest` (or the layout's scope) of the artifact that was resolved and checked. */
  resolvedReference?: string;
  /** The descriptor of that artifact. */
  descriptor?: Descriptor;
  /** Trust policy level applied (`skip` means nothing was checked). */
  level?: VerificationLevelName;
  /** The signature that passed, if any. */
  signature?: SignatureVerification;
  /** The outcome of every signature tried, in order. */
  outcomes: SignatureVerification[];
}

declare module '../../verification/verdict.js' {
  interface EvidenceKinds {
    notary: NotaryEvidence;
  }
}

/** The validation type whose enforced failure is the deciding error (notation names failures by it). */
function failedValidation(result: ImageVerificationResult): ValidationType | undefined {
  const error = result.error;
  if (result.verified || !error) return undefined;
  for (const outcome of result.results) {
    for (const validation of outcome.validations) {
      const same = validation.error === error || (validation.error?.code === error.code && validation.error.message === error.message);
      if (same && validation.action === 'enforce') return validation.type;
    }
  }
  return undefined;
}

/** The neutral verdict of a Notary verification result. */
export function notaryVerdict(result: ImageVerificationResult): ImageVerdict {
  const evidence: NotaryEvidence = {
    kind: 'notary',
    errors: result.results.flatMap((outcome) => outcome.errors),
    ...(result.verifiedReference !== undefined ? { resolvedReference: result.verifiedReference } : {}),
    ...(result.descriptor ? { descriptor: result.descriptor } : {}),
    ...(result.level ? { level: result.level } : {}),
    ...(result.signature ? { signature: result.signature } : {}),
    outcomes: result.results,
  };
  const validUntil = result.verified ? result.signature?.validUntil : undefined;
  const failedCheck = failedValidation(result);
  return {
    reference: result.reference,
    ...(result.digest !== undefined ? { digest: result.digest } : {}),
    verified: result.verified,
    ...(validUntil !== undefined ? { validUntil } : {}),
    ...(result.error ? { error: result.error } : {}),
    ...(failedCheck ? { failedCheck } : {}),
    evidence: [evidence],
  };
}

/** The Notary evidence of a verdict, if it has some. */
export function notaryEvidence(verdict: ImageVerdict): NotaryEvidence | undefined {
  return verdict.evidence.find((evidence): evidence is NotaryEvidence => evidence.kind === 'notary');
}

/** A trust policy document and its trust stores, parsed and validated once. */
export interface NotaryCompiledPolicy extends CompiledPolicy {
  readonly kind: 'notary';
  readonly document: TrustPolicyDocument;
  readonly trustStore: MemoryTrustStore;
}

export interface NotaryPolicySource {
  name: string;
  cacheKey: string;
  /** The trust policy document's `version` and `trustPolicies`, as read. */
  version: unknown;
  trustPolicies: unknown;
  trustStores: Iterable<TrustStoreBundle>;
  /** Names the policy in error messages. */
  source: string;
}

/** Parse and validate a trust policy and its stores; throws NotaryError INVALID_TRUST_POLICY / INVALID_TRUST_STORE. */
export function compileNotaryPolicy(input: NotaryPolicySource): NotaryCompiledPolicy {
  return {
    kind: 'notary',
    name: input.name,
    cacheKey: input.cacheKey,
    document: parseTrustPolicyStatements(input.trustPolicies, input.version, input.source),
    trustStore: MemoryTrustStore.fromBundles(input.trustStores),
  };
}

export function isNotaryPolicy(policy: CompiledPolicy): policy is NotaryCompiledPolicy {
  return policy.kind === 'notary' && 'document' in policy && 'trustStore' in policy;
}

export interface NotaryImageVerifierOptions {
  /** The store holding `image`, as the verifier must read it (e.g. observed, the pinned digest answered from memory). */
  store(image: PinnedImage): ArtifactStore;
  maxSignatures: number;
  revocation?: RevocationSource;
  plugins?: VerificationPluginProvider;
  /** Work each verify() may spend (a fresh WorkBudget per image; default DEFAULT_WORK_LIMITS). */
  workLimits?: Partial<WorkLimits>;
}

/** ImageVerifier for Notary signatures: trust policy statement by `registry/repository`, the digest as pinned. */
export class NotaryImageVerifier implements ImageVerifier {
  readonly #options: NotaryImageVerifierOptions;

  constructor(options: NotaryImageVerifierOptions) {
    this.#options = options;
  }

  async verify(image: PinnedImage, policy: CompiledPolicy, signal: AbortSignal): Promise<ImageVerdict> {
    const reference = formatReference({ registry: image.registry, repository: image.repository, digest: image.digest });
    if (!isNotaryPolicy(policy)) {
      const error: ErrorInfo = { code: 'INVALID_TRUST_POLICY', message: `policy ${JSON.stringify(policy.name)} of kind ${policy.kind} is not a Notary trust policy` };
      return { reference, digest: image.digest, verified: false, error, evidence: [] };
    }
    let store: ArtifactStore;
    try {
      store = this.#options.store(image);
    } catch (err) {
      return { reference, verified: false, error: toErrorInfo(err), evidence: [] };
    }
    const result = await verifyImage(reference, {
      store,
      scope: `${image.registry}/${image.repository}`,
      trustPolicy: policy.document,
      trustStore: policy.trustStore,
      maxSignatures: this.#options.maxSignatures,
      budget: new WorkBudget(this.#options.workLimits),
      ...(this.#options.revocation ? { revocation: this.#options.revocation } : {}),
      ...(this.#options.plugins ? { plugins: this.#options.plugins } : {}),
      signal,
    });
    return notaryVerdict(result);
  }
}
