// Public face of the policy domain: Kyverno verifyImages policies parsed, matched and evaluated (the engine port the
// webhook and the CLI use). Names follow the port agreed with the webhook: AdmissionRequestView, RuleResponse,
// EngineResponse, PolicyEngine, parsePolicies, createPolicyEngine; RuleResponse adds `error` (our code beside
// Kyverno's message) and createPolicyEngine takes `resolver` + `verifiers` as its registry/verifier dependencies.
export { PolicyError, type PolicyErrorCode } from './errors.js';
export {
  formatPolicyIssue,
  type AdmissionRequestView,
  type EngineResponse,
  type JsonPatchOperation,
  type PolicyEngine,
  type PolicyIssue,
  type RuleResponse,
  type RuleStatus,
  type VerifiedImage,
} from './types.js';
export type * from './model.js';
export type { AttestationFetch, AttestorCheckRequest, AttestorVerifier, AttestorVerifiers, ImageInfo, ImageResolver, SignatureCheck } from './ports.js';
export { parsePolicies } from './parse.js';
export { blocksRequest, createPolicyEngine, type PolicyEngineOptions } from './engine.js';
export { ANNOTATION_VERIFY_IMAGES, ANNOTATION_VERIFY_IMAGES_SCOPED } from './engine.js';
export { cosignAttestorVerifier, type CosignAttestorOptions } from './cosign.js';
export { notaryAttestorVerifier, registryResolver, type NotaryAttestorOptions } from './notary.js';
export { registryEngineFactory, type RegistryEngineOptions } from './registry-engine.js';
export { AttestorVerdictCache, DEFAULT_VERDICT_MAX_ENTRIES, DEFAULT_VERDICT_TTL_MS, type VerdictCacheOptions } from './verdict-cache.js';
