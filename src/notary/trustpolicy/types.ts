// The parsed OCI trust policy document: statements with typed levels, overrides and trust store references.
import type { ValidationAction, ValidationType, VerificationLevelName } from '../types.js';
import type { TrustStoreReference } from '../truststore/index.js';

/** When to verify a timestamp countersignature: always (default), or only once a chain certificate has expired. */
export type VerifyTimestamp = 'always' | 'afterCertExpiry';
export const VERIFY_TIMESTAMP_VALUES: readonly VerifyTimestamp[] = ['always', 'afterCertExpiry'];

export interface SignatureVerificationConfig {
  level: VerificationLevelName;
  override: Partial<Record<ValidationType, ValidationAction>>;
  verifyTimestamp: VerifyTimestamp;
}

export interface TrustPolicyStatement {
  name: string;
  /** `registry/repository` values, or the single global scope `*`. */
  registryScopes: string[];
  signatureVerification: SignatureVerificationConfig;
  /** Parsed `{type}:{name}` values, in the order written (empty for level skip). */
  trustStores: TrustStoreReference[];
  /** As written: `*`, `x509.subject: <DN>`, or another `<prefix>:<value>` a plugin evaluates (empty for level skip). */
  trustedIdentities: string[];
}

export interface TrustPolicyDocument {
  version: string;
  trustPolicies: TrustPolicyStatement[];
  /** Where the document came from (file path, resource name), for messages. */
  source?: string;
  /** Things accepted for compatibility with notation that are probably mistakes (unknown fields, ...). */
  warnings: TrustPolicyWarning[];
}

/**
 * A warning about a trust policy document, located as its errors are (TrustPolicyFieldError):
 * `field`, the JSON path in the document (`trustPolicies[0].trustStores`; empty for the document
 * itself), `problem`, what is wrong there, and `message`, both in one line for a reader without
 * a location of its own.
 */
export interface TrustPolicyWarning {
  field: string;
  problem: string;
  message: string;
}
