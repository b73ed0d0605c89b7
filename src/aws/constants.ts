// Names, messages, limits and defaults of AWS Signer verification and ECR credentials (facts of aws-signer-notation-plugin and ECR).

/** The plugin a signature made by AWS Signer names in `io.cncf.notary.verificationPlugin`. */
export const AWS_SIGNER_PLUGIN_NAME = 'com.amazonaws.signer.notation.plugin';
/**
 * The version the built-in verifier reports: the upstream plugin release whose verifier it follows
 * (internal/version/version.go), so signatures that ask for that minimum version are accepted.
 */
export const AWS_SIGNER_PLUGIN_VERSION = '1.0.350';

/** Extended critical attributes AWS Signer puts in its signatures. */
export const ATTRIBUTE_SIGNING_PROFILE_VERSION = 'com.amazonaws.signer.signingProfileVersion';
export const ATTRIBUTE_SIGNING_JOB = 'com.amazonaws.signer.signingJob';
export const ATTRIBUTE_SIGNING_PROFILE_ALIAS = 'com.amazonaws.signer.signingProfileAlias';
/** Every attribute the built-in verifier processes (the generic unknown-critical-attribute rule leaves them to it). */
export const AWS_SIGNER_ATTRIBUTES: readonly string[] = [ATTRIBUTE_SIGNING_PROFILE_VERSION, ATTRIBUTE_SIGNING_JOB, ATTRIBUTE_SIGNING_PROFILE_ALIAS];

/** The only signing scheme AWS Signer uses. */
export const AWS_SIGNER_SIGNING_SCHEME = 'notary.x509.signingAuthority';
/** `PlatformId` of GetRevocationStatus for Notation signatures. */
export const AWS_SIGNER_PLATFORM_ID = 'Notation-OCI-SHA384-ECDSA';

/** The upstream plugin's messages and failure reasons, byte for byte. */
export const MESSAGE_WILDCARD_IDENTITY = 'The AWSSigner plugin does not support wildcard identity in the trust policy.';
export const MESSAGE_MISSING_AUTHENTIC_SIGNING_TIME = 'missing authenticSigningTime';
export const MESSAGE_CERTIFICATE_PARSE = 'unable to parse certificates in certificate chain.';
export const REASON_TRUSTED_IDENTITY_FAILURE = "Signature publisher doesn't match any trusted identities.";
export const REASON_NOT_REVOKED = 'Signature is not revoked.';
export const REASON_REVOKED_CERTIFICATE = 'Certificate(s) have been revoked.';

/** Built-in `signingAuthority` trust stores holding AWS Signer's published roots (the names seed 000 uses). */
export const AWS_SIGNER_TRUST_STORE = 'aws-signer-ts';
export const AWS_US_GOV_SIGNER_TRUST_STORE = 'aws-us-gov-signer-ts';

/** One GetRevocationStatus call, all attempts included. */
export const DEFAULT_REVOCATION_TIMEOUT_MS = 10_000;
/** TCP/TLS connect bound of one attempt. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** SDK attempts per call (the first and retries). */
export const DEFAULT_MAX_ATTEMPTS = 2;
/** How long a GetRevocationStatus answer is reused for the same job, profile version and chain. */
export const DEFAULT_REVOCATION_CACHE_TTL_MS = 5 * 60_000;
/** Answers kept at most. */
export const MAX_REVOCATION_CACHE_ENTRIES = 10_000;
/** Revoked entities taken from one answer (the rest are ignored: any one already fails the signature). */
export const MAX_REVOKED_ENTITIES = 100;

/**
 * ECR registry hosts, anchored at both ends: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]` and the
 * dual-stack `<account>.dkr-ecr[-fips].<region>.on.aws`. Only these hosts are ever given an ECR token.
 */
export const ECR_HOST_PATTERNS: readonly RegExp[] = [
  /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?$/,
  /^(\d{12})\.dkr-ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d)\.on\.aws$/,
];
/** A token is refreshed this long before ECR says it expires (tokens live 12 hours). */
export const ECR_TOKEN_REFRESH_MARGIN_MS = 15 * 60_000;
/** One GetAuthorizationToken call, retries included. */
export const DEFAULT_ECR_TIMEOUT_MS = 10_000;

/** Who verifies com.amazonaws.signer.notation.plugin signatures. `builtin`: the native verifier, even when the plugin is installed; `plugin`: the installed executable, the built-in when none is. */
export type AwsSignerVerifierChoice = 'builtin' | 'plugin';
export const AWS_SIGNER_VERIFIER_CHOICES: readonly AwsSignerVerifierChoice[] = ['builtin', 'plugin'];

/** Bound of one KMS GetPublicKey call (a policy's `awskms://` key). */
export const DEFAULT_KMS_TIMEOUT_MS = 10_000;
