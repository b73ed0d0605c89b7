// File names, versions and limits of OCI trust policy documents (trust-store-trust-policy.md).

/** notation reads `{configDir}/trustpolicy.oci.json`, falling back to `trustpolicy.json` for backward compatibility. */
export const TRUST_POLICY_FILE_OCI = 'trustpolicy.oci.json';
export const TRUST_POLICY_FILE_LEGACY = 'trustpolicy.json';
export const TRUST_POLICY_FILES: readonly string[] = [TRUST_POLICY_FILE_OCI, TRUST_POLICY_FILE_LEGACY];

/** Versions of the OCI trust policy document this implementation understands. */
export const SUPPORTED_TRUST_POLICY_VERSIONS: readonly string[] = ['1.0'];

/** The global scope: the statement applies to every artifact without a statement of its own. */
export const GLOBAL_REGISTRY_SCOPE = '*';

/** A trust policy file larger than this is refused before it is parsed. */
export const MAX_TRUST_POLICY_BYTES = 1024 * 1024;
/** Statements per document at most. */
export const MAX_TRUST_POLICY_STATEMENTS = 1000;
/** Registry scopes, trust stores or trusted identities per statement at most (identities are compared pairwise). */
export const MAX_STATEMENT_LIST_LENGTH = 1000;
