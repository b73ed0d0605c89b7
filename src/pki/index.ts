// Public face of the PKI domain: the primitives notary, aws, cosign and sigstore share (PEM, X.509, RFC 3161, OCSP/CRL); it imports only src/common (and verification's ErrorInfo type).
export { PkiError, type PkiErrorCode } from './errors.js';
export { isPem, readPem, toPem, type PemBlock, type PemText } from './pem.js';
export { decodeBer, type BerDecoding } from './asn1.js';

// Values of @peculiar/x509 come through here (types may be imported from the package directly).
export * as x509 from './x509.js';
export {
  AuthorityInfoAccessExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  X509Certificate,
} from './x509.js';

// X.509 certificates: strict parsing within bounds, the facts read once per certificate, validity, names, anchors.
export { EKU_OID, KEY_USAGE, MAX_CERTIFICATE_BUNDLE_BYTES } from './certificate/constants.js';
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

// The hash algorithms RFC 3161 requests may name.
export { HASH_ALGORITHM_OIDS, type HashAlgorithmName } from './algorithm.js';

// RFC 3161 timestamps: verify a token as a signature's countersignature, and request one from a TSA.
export { verifyTimestampToken, type VerifiedTimestamp, type VerifyTimestampOptions } from './rfc3161/verify.js';
export { requestTimestamp, type RequestTimestampOptions } from './rfc3161/request.js';

// Revocation: OCSP first, then CRLs (with delta CRLs), for each certificate of a chain.
export { RevocationChecker, type RevocationCheckerOptions, type RevocationCheckOptions, type RevocationPurpose } from './revocation/checker.js';
export type { CertificateRevocation, RevocationStatus } from './revocation/types.js';
