// Public face of the AWS domain: the built-in AWS Signer verifier (identity, revocation), its trust stores, and ECR credentials.
export * from './constants.js';
export { AwsError, type AwsErrorCode } from './errors.js';
export { parseArn, type Arn } from './arn.js';
export { verifySignerIdentity, type IdentityResult, type SignerIdentity } from './identity.js';
export { certificateHashes } from './certificate-hashes.js';
export {
  checkRevocation,
  revokedReason,
  SignerRevocationStatus,
  type RevocationResult,
  type RevocationStatusRequest,
  type RevocationStatusSource,
  type SignerRevocationOptions,
} from './revocation.js';
export { partitionOfRegion, type AwsClientOptions } from './sdk.js';
export { AwsSignerVerifier, type AwsSignerVerifierOptions } from './verifier.js';
export { AWS_SIGNER_ROOT_PEM, AWS_SIGNER_TRUST_STORES, AWS_US_GOV_SIGNER_ROOT_PEM } from './roots.js';
export { AWS_SIGNER_VERIFIER_CHOICES, verificationPlugins, type AwsSignerVerifierChoice } from './plugins.js';
export { awsKmsPublicKeys, parseAwsKmsUri, type AwsKmsKeyOptions } from './kms.js';
export { ecrCredentials, parseEcrHost, type EcrCredentialOptions, type EcrRegistry } from './ecr.js';
