// Public face of the Sigstore domain: trusted roots, keyless (Fulcio) certificates, RFC 3161 timestamps and Sigstore bundles, on @sigstore/verify.
export { SigstoreError, type SigstoreErrorCode, type SigstoreOwnCode, type SharedSigstoreCode } from './errors.js';
export {
  loadTrustedRoot,
  logKeyFromPem,
  trustFromJson,
  type CertificateAuthority,
  type LogKey,
  type SigstoreTrust,
  type TrustedRootSource,
  type ValidFor,
} from './trust.js';
export { verifyKeylessCertificate, type KeylessCertificateOptions, type VerifiedKeylessCertificate } from './certificate.js';
export { exactIdentity, certificateIdentity, validateIdentityPolicy, type IdentityPolicy, type CertificateIdentity, type SanKind, type SubjectAlternativeName } from './identity.js';
export { verifyRfc3161Timestamp, MAX_TIMESTAMP_TOKEN_BYTES } from './timestamp.js';
export { FULCIO_EXTENSION_OIDS, MAX_BUNDLE_BYTES, MAX_CHAIN_CERTIFICATES, OID_FULCIO_ISSUER_V1, OID_FULCIO_ISSUER_V2, PUBLIC_GOOD_TUF_MIRROR } from './constants.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  MAX_BUNDLE_WITNESSES,
  parseBundle,
  verifyBundle,
  type BundleArtifact,
  type BundlePolicy,
  type BundleTimestamp,
  type VerifiedBundle,
} from './bundle.js';
