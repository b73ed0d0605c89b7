// One verifyImages rule on one resource, as Kyverno's imageverifier.go and validate_image.go decide it: per image,
// attestor sets with count, attestations with conditions, the digest patch, then the verifyDigest/required checks.
import { wildcardMatch } from '../common/index.js';
import { evaluateConditions } from '../conditions/index.js';
import type { Descriptor } from '../oci/index.js';
import { toErrorInfo, type ErrorInfo, type PinnedImage } from '../verification/index.js';
import { imageString, type FoundImage } from './images.js';
import type { Attestation, Attestor, AttestorSet, CompiledKyvernoPolicy, ImageVerification, Rule } from './model.js';
import type { AttestorVerifier, AttestorVerifiers, ImageInfo, ImageResolver } from './ports.js';
import type { JsonPatchOperation, RuleResponse, RuleStatus } from './types.js';
import { AttestorVerdictCache } from './verdict-cache.js';

/** Codes of a registry that could not be reached: the only failures `failurePolicy: Ignore` lets pass (Kyverno: net.OpError). */
const REGISTRY_FAILURE_CODES: ReadonlySet<string> = new Set(['REGISTRY_UNAVAILABLE', 'TIMEOUT']);

export function isRegistryFailure(error: ErrorInfo | undefined): boolean {
  return error !== undefined && REGISTRY_FAILURE_CODES.has(error.code);
}

/** Image statuses Kyverno records in the `kyverno.io/verify-images` annotations. */
export type ImageStatus = 'pass' | 'fail' | 'skip';

/** Kyverno's ImageVerificationMetadata: by image, and by `namespace/policy` → rule → image. */
export class VerificationMetadata {
  readonly data = new Map<string, ImageStatus>();
  readonly policies = new Map<string, Map<string, Map<string, ImageStatus>>>();

  add(policy: CompiledKyvernoPolicy, rule: string, image: string, status: ImageStatus): void {
    this.data.set(image, status);
    this.addScoped(policy, rule, image, status);
  }

  addScoped(policy: CompiledKyvernoPolicy, rule: string, image: string, status: ImageStatus): void {
    const key = `${policy.namespace ?? ''}/${policy.name}`;
    const rules = this.policies.get(key) ?? new Map<string, Map<string, ImageStatus>>();
    this.policies.set(key, rules);
    const images = rules.get(rule) ?? new Map<string, ImageStatus>();
    rules.set(rule, images);
    images.set(image, status);
  }

  scoped(policy: CompiledKyvernoPolicy, rule: string, image: string): ImageStatus | undefined {
    return this.policies.get(`${policy.namespace ?? ''}/${policy.name}`)?.get(rule)?.get(image);
  }
}

export interface RuleContext {
  policy: CompiledKyvernoPolicy;
  rule: Rule;
  resolver: ImageResolver;
  verifiers: AttestorVerifiers;
  /** Registry as written → registry reached. */
  mirrors: Record<string, string>;
  allowInsecure: boolean;
  /** Tag resolutions of this evaluation: each tag is resolved once, whatever number of rules ask. */
  resolved: Map<string, Promise<Descriptor>>;
  metadata: VerificationMetadata;
  /** Passing attestor verdicts of earlier evaluations, for entries with `useCache` (the default). */
  verdicts?: AttestorVerdictCache;
  /** The request and resource, for the conditions' context. */
  request: Record<string, unknown>;
  signal: AbortSignal;
}

interface Outcome {
  status: RuleStatus;
  message: string;
  error?: ErrorInfo;
}

const matchesAny = (patterns: readonly string[], image: string): boolean => patterns.some((pattern) => wildcardMatch(pattern, image));

function response(context: RuleContext, outcome: Outcome, failureAction: RuleResponse['failureAction']): RuleResponse {
  return {
    policy: context.policy.name,
    ...(context.policy.namespace !== undefined ? { namespace: context.policy.namespace } : {}),
    rule: context.rule.name,
    type: 'ImageVerify',
    status: outcome.status,
    message: outcome.message,
    failureAction,
    failurePolicy: context.policy.failurePolicy,
    ...(outcome.error ? { error: outcome.error } : {}),
  };
}

/** Failure of one attestor entry (or of a set), with Kyverno's path prefix. */
class EntryFailure {
  constructor(
    readonly message: string,
    readonly error: ErrorInfo,
  ) {}
}

function mirrored(context: RuleContext, registry: string): string {
  return context.mirrors[registry] ?? registry;
}

/** A `registry/repository` with its registry mirrored. */
function reach(context: RuleContext): (repository: string) => string {
  return (repository) => {
    const slash = repository.indexOf('/');
    return slash === -1 ? repository : `${mirrored(context, repository.slice(0, slash))}${repository.slice(slash)}`;
  };
}

/** Resolve the image once per evaluation (a digest reference is checked to exist, a tag resolved), then pin it. */
async function pin(context: RuleContext, image: FoundImage, verification: ImageVerification): Promise<{ pinned: PinnedImage; reference: string }> {
  const registry = mirrored(context, image.parsed.registry);
  const target = image.parsed.digest ?? image.parsed.tag ?? 'latest';
  const insecure = context.allowInsecure && verification.imageRegistryCredentials?.allowInsecureRegistry === true;
  const key = `${insecure ? 'insecure:' : ''}${registry}/${image.parsed.repository}@${target}`;
  let pending = context.resolved.get(key);
  if (!pending) {
    pending = context.resolver.resolve(
      { registry, repository: image.parsed.repository, ...(image.parsed.digest ? { digest: image.parsed.digest } : { tag: target }), insecure },
      context.signal,
    );
    context.resolved.set(key, pending);
  }
  const descriptor = await pending;
  const pinned: PinnedImage = {
    registry,
    repository: image.parsed.repository,
    digest: descriptor.digest,
    descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size },
    insecure,
  };
  return { pinned, reference: `${image.registry}/${image.path}@${descriptor.digest}` };
}

/** ExpandStaticKeys: an entry whose publicKeys holds several PEM keys becomes one entry per key. */
function expandStaticKeys(set: AttestorSet): AttestorSet {
  const entries = set.entries.flatMap((entry) => {
    const keys = entry.keys?.publicKeys?.split(/(?<=-----END PUBLIC KEY-----)/).slice(0, -1);
    if (!entry.keys || !keys || keys.length <= 1) return [entry];
    return keys.map((publicKeys) => ({ ...entry, keys: { ...(entry.keys as NonNullable<Attestor['keys']>), publicKeys } }));
  });
  return { ...set, entries };
}

/** Kyverno's RequiredCount: `count`, or every entry when it is absent or 0. */
const requiredCount = (set: AttestorSet): number => (set.count === undefined || set.count === 0 ? set.entries.length : set.count);

/** The path Kyverno adds after the entry for the attestor kind (cosign verifiers only). */
function subPath(verification: ImageVerification, attestor: Attestor): string {
  if (verification.type === 'Notary') return '';
  if (attestor.keys) return '.keys';
  if (attestor.certificates) return '.certificates';
  if (attestor.keyless) return '.keyless';
  return '';
}

function verifierFor(context: RuleContext, verification: ImageVerification): AttestorVerifier | EntryFailure {
  const verifier = context.verifiers[verification.type];
  if (verifier) return verifier;
  const message = `the ${verification.type} verifier is not available in this build of imgverify`;
  return new EntryFailure(message, { code: 'VERIFIER_UNAVAILABLE', message });
}

/** verifyAttestorSet: entries in order until `count` verified; the errors of the others, joined as multierr does. */
async function verifyAttestorSet(context: RuleContext, set: AttestorSet, verification: ImageVerification, pinned: PinnedImage, reference: string, path: string): Promise<EntryFailure | undefined> {
  const expanded = expandStaticKeys(set);
  const required = requiredCount(expanded);
  const failures: EntryFailure[] = [];
  let verified = 0;
  for (const [index, entry] of expanded.entries.entries()) {
    let entryPath = `${path}.entries[${index}]`;
    let failure: EntryFailure | undefined;
    if (entry.attestor) {
      entryPath += '.attestor';
      failure = await verifyAttestorSet(context, entry.attestor, verification, pinned, reference, entryPath);
    } else {
      const verifier = verifierFor(context, verification);
      const prefix = `${entryPath}${subPath(verification, entry)}: `;
      if (verifier instanceof EntryFailure) failure = new EntryFailure(prefix + verifier.message, verifier.error);
      else {
        const check = await verifier.verifySignature({ image: pinned, reference, attestor: entry, verification, reach: reach(context) }, context.signal);
        context.signal.throwIfAborted();
        if (!check.verified) {
          const error = check.error ?? { code: 'INTERNAL_ERROR' as const, message: 'verification failed without a reason' };
          failure = new EntryFailure(prefix + error.message, error);
        }
      }
    }
    if (failure) failures.push(failure);
    else if (++verified >= required) return undefined;
  }
  const first = failures[0] ?? new EntryFailure(`${path}: no entry verified`, { code: 'INTERNAL_ERROR', message: 'no entry verified' });
  return new EntryFailure(failures.map((failure) => failure.message).join('; ') || first.message, deciding(failures)?.error ?? first.error);
}

/**
 * The failure whose code decides: a registry failure only when every entry failed for that reason (Kyverno takes any
 * network error in the combined errors; an entry whose signature was refused must not pass under failurePolicy Ignore).
 */
function deciding(failures: readonly EntryFailure[]): EntryFailure | undefined {
  return failures.find((failure) => !isRegistryFailure(failure.error)) ?? failures[0];
}

/** verifyAttestors + handleRegistryErrors: a registry that cannot be reached is an `error`, anything else a `fail`. */
async function verifyAttestors(context: RuleContext, verification: ImageVerification, image: string, pinned: PinnedImage, reference: string): Promise<Outcome> {
  for (const [index, set] of verification.attestors.entries()) {
    const failure = await verifyAttestorSet(context, set, verification, pinned, reference, `.attestors[${index}]`);
    if (failure) {
      const message = `failed to verify image ${image}: ${failure.message}`;
      return { status: isRegistryFailure(failure.error) ? 'error' : 'fail', message, error: { code: failure.error.code, message } };
    }
  }
  return { status: 'pass', message: `verified image signatures for ${image}` };
}

/** verifyAttestors through the `useCache` cache: a pass for this very digest and entry is reused, anything else verified. */
async function cachedAttestors(context: RuleContext, verification: ImageVerification, image: string, pinned: PinnedImage, reference: string): Promise<Outcome> {
  const cache = verification.useCache ? context.verdicts : undefined;
  if (!cache) return verifyAttestors(context, verification, image, pinned, reference);
  const key = AttestorVerdictCache.key({ policy: context.policy, rule: context.rule.name, image, pinned, verification, mirrors: context.mirrors, allowInsecure: context.allowInsecure });
  if (cache.passed(key)) return { status: 'pass', message: `verified image signatures for ${image}` };
  const outcome = await verifyAttestors(context, verification, image, pinned, reference);
  if (outcome.status === 'pass') cache.recordPass(key);
  return outcome;
}

/** The `image` variable and the request, with the predicate's fields at the top (Kyverno's AddJSONObject). */
function conditionsContext(context: RuleContext, info: ImageInfo, predicate: Record<string, unknown>): Record<string, unknown> {
  const { pointer, ...image } = info;
  void pointer;
  return { request: context.request, image, ...predicate };
}

async function verifyAttestation(context: RuleContext, verification: ImageVerification, attestation: Attestation, index: number, info: ImageInfo, pinned: PinnedImage, reference: string): Promise<Outcome | undefined> {
  const image = imageString(info);
  const sets: AttestorSet[] = attestation.attestors.length > 0 ? attestation.attestors : [{ entries: [{}] }];
  for (const [j, set] of sets.entries()) {
    const required = requiredCount(set);
    const failures: EntryFailure[] = [];
    let verified = 0;
    for (const entry of set.entries) {
      // Kyverno names the entry with the attestation's index, not the entry's (`entries[%d]` with i): kept for the same message.
      const entryPath = `.attestations[${index}].attestors[${j}].entries[${index}]${subPath(verification, entry)}`;
      const verifier = verifierFor(context, verification);
      if (verifier instanceof EntryFailure) {
        failures.push(new EntryFailure(`${entryPath}: ${verifier.message}`, verifier.error));
        continue;
      }
      const fetched = await verifier.fetchAttestations({ image: pinned, reference, attestor: entry, verification, attestation, reach: reach(context) }, context.signal);
      if (fetched.error) {
        failures.push(new EntryFailure(fetched.error.message, fetched.error));
        continue;
      }
      const statements = fetched.statements.filter((statement) => statement.type === attestation.type);
      let failure: EntryFailure | undefined;
      if (statements.length === 0) {
        const message = `attestions not found for predicate type ${attestation.type}`;
        failure = new EntryFailure(`${entryPath}: ${message}`, { code: 'ATTESTATION_NOT_FOUND', message });
      }
      for (const statement of statements) {
        if (failure || attestation.conditions.length === 0) break;
        const predicate = statement.predicate;
        try {
          if (typeof predicate !== 'object' || predicate === null || Array.isArray(predicate)) throw new Error(`failed to extract predicate from statement: ${JSON.stringify(statement)}`);
          const outcome = evaluateConditions(attestation.conditions, conditionsContext(context, info, predicate as Record<string, unknown>));
          if (!outcome.passed) {
            const message = `attestation checks failed for ${image} and predicate ${attestation.type}: ${outcome.messages.join('; ')}`;
            failure = new EntryFailure(`${entryPath}: ${message}`, { code: 'ATTESTATION_CONDITIONS_FAILED', message });
          }
        } catch (err) {
          const error = toErrorInfo(err);
          failure = new EntryFailure(`${entryPath}: failed to check attestations: ${error.message}`, error);
        }
      }
      if (failure) failures.push(failure);
      else if (++verified >= required) break;
    }
    if (verified < required) {
      const errors = failures.map((failure) => failure.message).join('; ') || 'attestations verification failed';
      const message = `image attestations verification failed, verifiedCount: ${verified}, requiredCount: ${required}, error: ${errors}`;
      return { status: 'fail', message, error: { code: deciding(failures)?.error.code ?? 'ATTESTATION_NOT_FOUND', message } };
    }
  }
  return undefined;
}

async function verifyAttestations(context: RuleContext, verification: ImageVerification, info: ImageInfo, pinned: PinnedImage, reference: string): Promise<Outcome> {
  for (const [index, attestation] of verification.attestations.entries()) {
    if (attestation.type === '') return { status: 'fail', message: `.attestations[${index}]: missing type`, error: { code: 'POLICY_INVALID', message: 'missing type' } };
    const failed = await verifyAttestation(context, verification, attestation, index, info, pinned, reference);
    if (failed) return failed;
  }
  return { status: 'pass', message: `verified image attestations for ${imageString({ ...info, digest: pinned.digest })}` };
}

/** verifyImage: undefined when the entry has nothing to verify (no attestors, no attestations). */
async function verifyImage(context: RuleContext, verification: ImageVerification, found: FoundImage): Promise<{ outcome?: Outcome; digest?: string }> {
  if (verification.attestors.length === 0 && verification.attestations.length === 0) return {};
  const image = imageString(found);
  const skip = `skipping image reference image ${image}, policy ${context.policy.name} ruleName ${context.rule.name}`;
  if (!matchesAny(verification.imageReferences, image)) return { outcome: { status: 'skip', message: skip } };
  if (matchesAny(verification.skipImageReferences, image)) return { outcome: { status: 'skip', message: skip } };
  let pinned: Awaited<ReturnType<typeof pin>>;
  try {
    pinned = await pin(context, found, verification);
  } catch (err) {
    // A cancelled request is the caller's business (the webhook's deadline), not a verdict on the image.
    context.signal.throwIfAborted();
    const error = toErrorInfo(err, 'REGISTRY_ERROR');
    const message = `failed to verify image ${image}: ${error.message}`;
    return { outcome: { status: isRegistryFailure(error) ? 'error' : 'fail', message, error: { code: error.code, message } } };
  }
  if (verification.attestors.length > 0) {
    const outcome = await cachedAttestors(context, verification, image, pinned.pinned, pinned.reference);
    if (outcome.status !== 'pass' || verification.attestations.length === 0) return { outcome, ...(outcome.status === 'pass' ? { digest: pinned.pinned.digest } : {}) };
  }
  const outcome = await verifyAttestations(context, verification, found, pinned.pinned, pinned.reference);
  return { outcome, ...(outcome.status === 'pass' ? { digest: pinned.pinned.digest } : {}) };
}

function imageStatus(status: RuleStatus): ImageStatus {
  return status === 'pass' ? 'pass' : status === 'skip' || status === 'warn' ? 'skip' : 'fail';
}

export interface RuleResult {
  responses: RuleResponse[];
  patches: JsonPatchOperation[];
  verified: { path: string; reference: string; digest: string }[];
}

/** The mutation half (imageVerifier.Verify) of one rule over its matching images. */
export async function verifyRuleImages(context: RuleContext, images: readonly FoundImage[]): Promise<RuleResult> {
  const result: RuleResult = { responses: [], patches: [], verified: [] };
  for (const verification of context.rule.verifyImages) {
    const action = verification.failureAction ?? context.policy.validationFailureAction;
    for (const found of images) {
      let { outcome, digest } = await verifyImage(context, verification, found);
      let image = imageString(found);
      if (verification.mutateDigest && found.digest === '') {
        try {
          const resolved = digest ?? (await pin(context, found, verification)).pinned.digest;
          result.patches.push({ op: 'replace', path: found.pointer, value: `${imageString(found)}@${resolved}` });
          outcome ??= { status: 'pass', message: 'mutated image digest' };
          digest = resolved;
          image = imageString({ ...found, digest: resolved });
        } catch (err) {
          context.signal.throwIfAborted();
          const error = toErrorInfo(err, 'REGISTRY_ERROR');
          const message = `failed to update digest: ${error.message}`;
          result.responses.push(response(context, { status: 'error', message, error: { code: error.code, message } }, action));
        }
      }
      if (!outcome) continue;
      if (verification.attestors.length > 0 || verification.attestations.length > 0) context.metadata.add(context.policy, context.rule.name, image, imageStatus(outcome.status));
      if (outcome.status === 'pass' && digest !== undefined && (verification.attestors.length > 0 || verification.attestations.length > 0)) {
        result.verified.push({ path: found.pointer, reference: found.reference, digest });
      }
      result.responses.push(response(context, outcome, action));
    }
  }
  return result;
}

/**
 * The validation half (validate_image.go) on the patched resource's images: `verifyDigest` needs a digest, `required`
 * needs this evaluation's own record that the image passed (never an annotation the resource brought with it).
 */
export function validateRuleImages(context: RuleContext, images: readonly FoundImage[]): RuleResponse | undefined {
  const skipped: string[] = [];
  const passed: string[] = [];
  for (const verification of context.rule.verifyImages) {
    const action = verification.failureAction ?? context.policy.validationFailureAction;
    for (const found of images) {
      const image = imageString(found);
      if (!matchesAny(verification.imageReferences, image)) continue;
      if (verification.verifyDigest && found.digest === '') {
        const message = `missing digest for ${image}`;
        return response(context, { status: 'fail', message, error: { code: 'POLICY_RESOURCE_INVALID', message } }, action);
      }
      if (verification.required) {
        const status = context.metadata.scoped(context.policy, context.rule.name, image);
        if (status === undefined || status === 'fail') {
          const message = `unverified image ${image}`;
          return response(context, { status: 'fail', message, error: { code: 'SIGNATURE_NOT_FOUND', message } }, action);
        }
        (status === 'skip' ? skipped : passed).push(image);
      }
    }
  }
  const action = context.rule.verifyImages[0]?.failureAction ?? context.policy.validationFailureAction;
  if (passed.length > 0 || skipped.length === 0) {
    return response(context, { status: 'pass', message: skipped.length > 0 ? ['image verified, skipped images:', ...skipped].join(' ') : 'image verified' }, action);
  }
  return response(context, { status: 'skip', message: ['image skipped, skipped images:', ...skipped].join(' ') }, action);
}
