// The trust policy statement that applies to an artifact, reduced to what the verifier reads.
import { selectStatement, verificationActions, type TrustPolicyDocument } from '../trustpolicy/index.js';
import type { TrustStoreReference, TrustStoreType } from '../truststore/index.js';
import type { ValidationAction, ValidationType, VerificationLevelName } from '../types.js';

export interface AppliedPolicy {
  /** Statement name, reported in results. */
  name: string;
  level: VerificationLevelName;
  actions: Record<ValidationType, ValidationAction>;
  trustStores: TrustStoreReference[];
  trustedIdentities: string[];
  verifyTimestamp: string;
}

/** Select the statement for `registry/repository` (exact scope beats `*`); throws NO_APPLICABLE_TRUST_POLICY. */
export function applicablePolicy(document: TrustPolicyDocument, repository: string): AppliedPolicy {
  const statement = selectStatement(document, repository);
  const { level, actions } = verificationActions(statement.signatureVerification);
  return {
    name: statement.name,
    level,
    actions,
    trustStores: [...statement.trustStores],
    trustedIdentities: [...statement.trustedIdentities],
    verifyTimestamp: statement.signatureVerification.verifyTimestamp,
  };
}

/** Names of the statement's trust stores of one type. */
export function storeNames(policy: AppliedPolicy, type: TrustStoreType): string[] {
  return policy.trustStores.filter((s) => s.type === type).map((s) => s.name);
}
