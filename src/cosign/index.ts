// Public face of the cosign domain: cosign's OCI formats (legacy `.sig`/`.att` tags), key, certificate and keyless verification, signing.
export * from './constants.js';
export { CosignError, type CosignErrorCode, type SharedCosignErrorCode } from './errors.js';
export type { CosignAttestationOptions, CosignVerifyOptions, CtlogOptions, KeylessIdentity, RekorOptions, SignatureAlgorithm } from './options.js';
export type {
  CosignAttestationsOutcome,
  CosignSignatureOutcome,
  CosignSignaturesOutcome,
  InTotoStatement,
  SignerInfo,
  SimpleSigningPayload,
  TlogEntryInfo,
} from './outcome.js';
export { cosignEvidence, cosignVerdict, type CosignEvidence } from './evidence.js';
export { verifyCosignAttestations, verifyCosignSignatures, type CosignSource } from './verify.js';
export { signatureLocation, signatureTag, type SignatureLocation } from './layers.js';
export { parsePublicKeys, verifySignature } from './keys.js';
export { logIdOf } from './rekor.js';
export { decryptPrivateKey, encryptPrivateKey, generateKeyPair, COSIGN_PRIVATE_KEY_PEM_TYPE, MAX_PRIVATE_KEY_BYTES, SIGSTORE_PRIVATE_KEY_PEM_TYPE } from './encrypted-key.js';
export { attestImage, inTotoStatement, IN_TOTO_STATEMENT_TYPE, signBytes, signImage, simpleSigningPayload, type BundleMaker, type SignOptions, type SignResult, type SignTarget } from './sign.js';
export { ANNOTATION_BUNDLE_CONTENT, ANNOTATION_BUNDLE_PREDICATE_TYPE, attestImageBundle, signImageBundle, type BundleSignOptions, type BundleSubject } from './sign-bundle.js';
