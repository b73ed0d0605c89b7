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
