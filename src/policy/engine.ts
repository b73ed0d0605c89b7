// The policy engine: every matching policy's verifyImages rules on an admission request, in policy then rule order,
// each rule seeing the resource as the rules before it patched it; then Kyverno's verify-images annotations.
import { wildcardMatch } from '../common/index.js';
import type { Descriptor } from '../oci/index.js';
import { toErrorInfo } from '../verification/index.js';
import { PolicyError } from './errors.js';
import { extractImages, imageString, type FoundImage } from './images.js';
import { ruleMismatch, type MatchSubject } from './match.js';
import type { CompiledKyvernoPolicy, Rule } from './model.js';
import { applyPatches } from './patch.js';
import type { AttestorVerdictCache } from './verdict-cache.js';
import type { AttestorVerifiers, ImageResolver } from './ports.js';
import type { AdmissionRequestView, EngineResponse, JsonPatchOperation, PolicyEngine, RuleResponse } from './types.js';
import { isRegistryFailure, validateRuleImages, VerificationMetadata, verifyRuleImages, type RuleContext } from './verify-images.js';

export const ANNOTATION_VERIFY_IMAGES = 'kyverno.io/verify-images';
export const ANNOTATION_VERIFY_IMAGES_SCOPED = 'kyverno.io/verify-images-scoped';
/** Images one rule verifies in one resource at most (a pod has a handful; each costs registry round trips). */
export const MAX_IMAGES_PER_RULE = 256;

export interface PolicyEngineOptions {
  policies: CompiledKyvernoPolicy[];
  /** Resolves each image's tag once; the engine verifies that digest. */
  resolver: ImageResolver;
  /** One verifier per signature type; a rule whose type has none fails with VERIFIER_UNAVAILABLE. */
  verifiers: AttestorVerifiers;
  /** Registry → registry actually reached (`ghcr.io` → `127.0.0.1:5000`); messages and patches keep the original. */
  registryMirrors?: Record<string, string>;
  /** Honour a rule's `imageRegistryCredentials.allowInsecureRegistry` (plain HTTP / unverified TLS); default false. */
  allowInsecureRegistries?: boolean;
  /** Passing attestor verdicts kept across evaluations (and engines sharing it) for `useCache` entries; none: every image verified. */
  verdicts?: AttestorVerdictCache;
}

/**
 * A response that makes the admission request fail — the one decision `apply`, `test` and the webhook share.
 * As Kyverno's BlockRequest: a `fail` blocks when enforced; an `error` blocks under `failurePolicy: Fail` whatever
 * the failure action. Under `Ignore` an `error` of an enforced rule still blocks unless a registry could not be
 * reached (Kyverno's "offline registries"): only registry failures are ignored.
 */
export function blocksRequest(rule: RuleResponse): boolean {
  if (rule.status === 'fail') return rule.failureAction === 'Enforce';
  if (rule.status !== 'error') return false;
  if (rule.failurePolicy === 'Fail') return true;
  return rule.failureAction === 'Enforce' && !isRegistryFailure(rule.error);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringRecord = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) : {};

function subjectOf(request: AdmissionRequestView, resource: Record<string, unknown>): MatchSubject {
  const metadata = isRecord(resource.metadata) ? resource.metadata : {};
  const name = request.name ?? (typeof metadata.name === 'string' ? metadata.name : typeof metadata.generateName === 'string' ? metadata.generateName : '');
  return {
    group: request.kind.group,
    version: request.kind.version,
    kind: request.kind.kind,
    subResource: request.subResource ?? '',
    name,
    namespace: request.namespace ?? (typeof metadata.namespace === 'string' ? metadata.namespace : ''),
    labels: stringRecord(metadata.labels),
    annotations: stringRecord(metadata.annotations),
    namespaceLabels: request.namespaceLabels ?? {},
    operation: request.operation,
    ...(request.userInfo ? { userInfo: request.userInfo } : {}),
  };
}

/** Go's json.Marshal of a map: keys sorted. */
function sortedJson(map: Map<string, unknown>): string {
  const plain = (value: unknown): unknown => (value instanceof Map ? Object.fromEntries([...value.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, plain(v)])) : value);
  return JSON.stringify(plain(map));
}

/** Kyverno's ImageVerificationMetadata.Patches: the annotations object if missing, the image map, the scoped map. */
function annotationPatches(metadata: VerificationMetadata, resource: unknown): JsonPatchOperation[] {
  if (metadata.data.size === 0 && metadata.policies.size === 0) return [];
  const annotations = isRecord(resource) && isRecord(resource.metadata) ? resource.metadata.annotations : undefined;
  const escape = (key: string) => `/metadata/annotations/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
  const patches: JsonPatchOperation[] = [];
  if (!isRecord(annotations)) patches.push({ op: 'add', path: '/metadata/annotations', value: {} });
  patches.push({ op: 'add', path: escape(ANNOTATION_VERIFY_IMAGES), value: sortedJson(metadata.data) });
  if (metadata.policies.size > 0) {
    const scoped = `{"version":1,"policies":${sortedJson(metadata.policies)}}`;
    patches.push({ op: 'add', path: escape(ANNOTATION_VERIFY_IMAGES_SCOPED), value: scoped });
  }
  return patches;
}

function ruleError(policy: CompiledKyvernoPolicy, rule: Rule, message: string, err: unknown): RuleResponse {
  const error = toErrorInfo(err, 'POLICY_RESOURCE_INVALID');
  return {
    policy: policy.name,
    ...(policy.namespace !== undefined ? { namespace: policy.namespace } : {}),
    rule: rule.name,
    type: 'ImageVerify',
    status: 'error',
    message: `${message}: ${error.message}`,
    failureAction: rule.verifyImages[0]?.failureAction ?? policy.validationFailureAction,
    failurePolicy: policy.failurePolicy,
    error: { code: error.code, message: `${message}: ${error.message}` },
  };
}

/** The images of `resource` a rule's verifyImages entries name (GetMatchingImages), each once. */
function matchingImages(rule: Rule, images: readonly FoundImage[]): FoundImage[] {
  return images.filter((image) => rule.verifyImages.some((verification) => verification.imageReferences.some((pattern) => wildcardMatch(pattern, imageString(image)))));
}

export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  const mirrors = options.registryMirrors ?? {};
  return {
    async evaluate(request: AdmissionRequestView, signal: AbortSignal): Promise<EngineResponse> {
      const empty: EngineResponse = { rules: [], patches: [], patched: request.object, verifiedImages: [] };
      // Kyverno does not verify images on DELETE (the object is gone) nor on CONNECT.
      if (request.operation === 'DELETE' || request.operation === 'CONNECT' || !isRecord(request.object)) return empty;
      const out: EngineResponse = { ...empty, rules: [], patches: [], verifiedImages: [] };
      let resource: unknown = request.object;
      const metadata = new VerificationMetadata();
      const resolved = new Map<string, Promise<Descriptor>>();
      const requestContext = { operation: request.operation, namespace: request.namespace, object: request.object, ...(request.oldObject ? { oldObject: request.oldObject } : {}) };
      for (const policy of options.policies) {
        for (const rule of policy.rules) {
          if (rule.verifyImages.length === 0) continue;
          signal.throwIfAborted();
          if (ruleMismatch(rule, subjectOf(request, resource as Record<string, unknown>), policy.namespace) !== undefined) continue;
          let images: FoundImage[];
          try {
            images = matchingImages(rule, extractImages(resource, request.kind.kind, rule.imageExtractors));
          } catch (err) {
            out.rules.push(ruleError(policy, rule, 'failed to extract images', err));
            continue;
          }
          if (images.length === 0) continue;
          if (images.length > MAX_IMAGES_PER_RULE) {
            out.rules.push(ruleError(policy, rule, 'failed to extract images', new PolicyError('POLICY_RESOURCE_INVALID', `the resource has ${images.length} images, more than the limit of ${MAX_IMAGES_PER_RULE}`)));
            continue;
          }
          const context: RuleContext = {
            policy,
            rule,
            resolver: options.resolver,
            verifiers: options.verifiers,
            mirrors,
            allowInsecure: options.allowInsecureRegistries ?? false,
            resolved,
            metadata,
            ...(options.verdicts ? { verdicts: options.verdicts } : {}),
            request: requestContext,
            signal,
          };
          const result = await verifyRuleImages(context, images);
          out.rules.push(...result.responses);
          out.verifiedImages.push(...result.verified);
          if (result.patches.length > 0) {
            try {
              resource = applyPatches(resource, result.patches);
              out.patches.push(...result.patches);
            } catch (err) {
              out.rules.push(ruleError(policy, rule, 'failed to apply patch', err));
              continue;
            }
          }
          const mutationFailed = result.responses.some((rule) => rule.status === 'fail' || rule.status === 'error');
          const validation = validateRuleImages(context, matchingImages(rule, extractImages(resource, request.kind.kind, rule.imageExtractors)));
          // The validation half repeats a failure the mutation half already reported; only its own failures are added.
          if (validation && validation.status === 'fail' && !mutationFailed) out.rules.push(validation);
        }
      }
      const annotations = annotationPatches(metadata, resource);
      if (annotations.length > 0) {
        resource = applyPatches(resource, annotations);
        out.patches.push(...annotations);
      }
      out.patched = resource;
      return out;
    },
  };
}
