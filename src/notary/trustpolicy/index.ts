// OCI trust policy: documents, validation, statement selection by registry scope, and verification levels.
export {
  GLOBAL_REGISTRY_SCOPE,
  MAX_STATEMENT_LIST_LENGTH,
  MAX_TRUST_POLICY_BYTES,
  MAX_TRUST_POLICY_STATEMENTS,
  SUPPORTED_TRUST_POLICY_VERSIONS,
  TRUST_POLICY_FILES,
  TRUST_POLICY_FILE_LEGACY,
  TRUST_POLICY_FILE_OCI,
} from './constants.js';
export {
  CUSTOMIZABLE_LEVELS,
  OVERRIDE_ACTIONS,
  VALIDATION_ACTIONS,
  VALIDATION_TYPES,
  VERIFICATION_LEVELS,
  VERIFICATION_LEVEL_NAMES,
  verificationActions,
  type VerificationActions,
} from './levels.js';
export {
  VERIFY_TIMESTAMP_VALUES,
  type SignatureVerificationConfig,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type TrustPolicyWarning,
  type VerifyTimestamp,
} from './types.js';
export { parseTrustPolicyDocument, parseTrustPolicyJson, parseTrustPolicyStatements } from './document.js';
export { registryScopeProblem, selectStatement, weakerGlobalScopeWarnings } from './scope.js';
export { loadTrustPolicy, readTrustPolicyText, type LoadTrustPolicyOptions } from './load.js';
