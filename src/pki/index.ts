// Public face of the PKI domain: the primitives notary, aws, cosign and sigstore share (PEM, X.509, RFC 3161, OCSP/CRL); it imports only src/common (and verification's ErrorInfo type).
export { PkiError, type PkiErrorCode } from './errors.js';
export { isPem, readPem, toPem, type PemBlock, type PemText } from './pem.js';

// Values of @peculiar/x509 come through here (types may be imported from the package directly).
export * as x509 from './x509.js';
export {
  AuthorityInfoAccessExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  X509Certificate,
  X509Crl,
} from './x509.js';

// X.509 certificates: strict parsing within bounds, the facts read once per certificate, validity, names, anchors.
export {
  ALLOWED_EC_CURVES,
  EKU_OID,
  KEY_USAGE,
  MAX_CERTIFICATE_BUNDLE_BYTES,
  MAX_CERTIFICATES_PER_BUNDLE,
  MAX_RSA_MODULUS_BITS,
  MAX_RSA_PUBLIC_EXPONENT,
} from './certificate/constants.js';
export { parseCertificate, parseCertificateBundle, type ParseCertificatesOptions } from './certificate/parse.js';
export { nodeCertificate } from './certificate/cache.js';
export { certificateFacts, isSelfSignedCa, issuanceProblem, signatureVerifiesWith, type CertificateFacts } from './certificate/facts.js';
export { publicKeyBoundsProblem } from './certificate/key-bounds.js';
export { validateChainValidity, type ValidityTime } from './certificate/validity.js';
export {
  NUMERIC_OID,
  canonicalAttributeType,
  certificateSubject,
  distinguishedNameLikeGo,
  isKnownAttributeType,
  isSubsetDistinguishedName,
  type DistinguishedName,
} from './certificate/dn.js';
export { findTrustAnchor } from './certificate/anchors.js';

// Signatures over raw bytes with the algorithms RFC 3161 tokens, OCSP responses and CRLs may name.
export { digest, HASH_ALGORITHM_OIDS, hashAlgorithmFromOid, SignatureCheckError, verifySignatureValue, type HashAlgorithmName } from './algorithm.js';

// RFC 3161 timestamps: verify a token as a signature's countersignature, and request one from a TSA.
export { verifyTimestampToken, type VerifiedTimestamp, type VerifyTimestampOptions } from './rfc3161/verify.js';
export { requestTimestamp, type RequestTimestampOptions } from './rfc3161/request.js';
export {
  DEFAULT_TIMESTAMP_TIMEOUT_MS,
  MAX_TIMESTAMP_RESPONSE_BYTES,
  MAX_TIMESTAMP_TOKEN_BYTES,
  MEDIA_TYPE_TIMESTAMP_QUERY,
  MEDIA_TYPE_TIMESTAMP_REPLY,
} from './rfc3161/constants.js';

// Revocation: OCSP first, then CRLs (with delta CRLs), for each certificate of a chain.
export { RevocationChecker, type RevocationCheckerOptions, type RevocationCheckOptions, type RevocationPurpose } from './revocation/checker.js';
export type { CertificateRevocation, RevocationStatus } from './revocation/types.js';
