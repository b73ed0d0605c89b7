// Public face of the Notary verifier: verifyImage / verifyArtifact and their options.
export { verifyArtifact } from './artifact.js';
export { verifyImage, verifyInStore } from './image.js';
export { resolveListingAhead } from './discovery.js';
export { DEFAULT_MAX_SIGNATURES, DEFAULT_WORK_LIMITS, MAX_SIGNATURES_LIMIT } from './constants.js';
export { WorkBudget, type WorkKind, type WorkLimits } from './budget.js';
export { formatPlatform, parsePlatform } from './platform.js';
export { hasRevocationInfo, offlineRevocationStatus } from './revocation.js';
export type { RepositoryProvider, SignatureScope, VerifyArtifactOptions, VerifyImageOptions } from './options.js';
export {
  compileNotaryPolicy,
  isNotaryPolicy,
  NotaryImageVerifier,
  notaryEvidence,
  notaryVerdict,
  type NotaryCompiledPolicy,
  type NotaryEvidence,
  type NotaryImageVerifierOptions,
  type NotaryPolicySource,
} from './verdict.js';
