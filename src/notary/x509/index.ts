// X.509 for Notary: certificate parsing, chain requirements, trust anchors and trusted identity matching.
export {
  ALLOWED_EC_CURVES,
  ALLOWED_RSA_KEY_BITS,
  EKU_OID,
  MAX_CERTIFICATES_PER_BUNDLE,
  MAX_CERTIFICATE_BUNDLE_BYTES,
  MAX_CERTIFICATE_CHAIN_LENGTH,
} from './constants.js';
export { MAX_RSA_MODULUS_BITS, MAX_RSA_PUBLIC_EXPONENT } from './constants.js';
export { assertPublicKeyBounds, publicKeyBoundsProblem } from './key-bounds.js';
export { parseCertificate, parseCertificateBundle, type ParseCertificatesOptions } from './parse.js';
export { nodeCertificate } from './cache.js';
export { certificateFacts, isSelfSignedCa, issuanceProblem, signatureVerifiesWith, type CertificateFacts } from './certificate.js';
export {
  validateChainValidity,
  validateCodeSigningChain,
  validateTimestampingChain,
  type ChainValidationOptions,
  type ValidityTime,
} from './chain.js';
export { UNTRUSTED_SIGNER_MESSAGE, findTrustAnchor, verifyChainToTrustAnchors, verifyDerChainToTrustAnchors } from './trust.js';
export {
  MANDATORY_DN_ATTRIBUTES,
  canonicalAttributeType,
  certificateSubject,
  distinguishedNameLikeGo,
  isKnownAttributeType,
  isSubsetDistinguishedName,
  parseDistinguishedName,
  type DistinguishedName,
} from './dn.js';
export {
  TRUSTED_IDENTITY_WILDCARD,
  UNTRUSTED_IDENTITY_MESSAGE,
  X509_SUBJECT_PREFIX,
  matchTrustedIdentities,
  parseTrustedIdentity,
  type TrustedIdentity,
} from './identity.js';
