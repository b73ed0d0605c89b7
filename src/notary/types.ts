// The Notary data model shared by envelopes, trust policy, timestamp, revocation and the verifier.

import type { Descriptor } from '../oci/index.js';
import type { ErrorInfo } from '../verification/index.js';

/** Signature envelope media types (signature-specification.md). */
export const MEDIA_TYPE_JWS = 'application/jose+json';
export const MEDIA_TYPE_COSE = 'application/cose';
export type SignatureMediaType = typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;

/** Artifact type of a Notary signature manifest and its payload content type. */
export const ARTIFACT_TYPE_NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';
export const MEDIA_TYPE_NOTARY_PAYLOAD = 'application/vnd.cncf.notary.payload.v1+json';

export type SigningScheme = 'notary.x509' | 'notary.x509.signingAuthority';

/** Algorithms of signature-specification.md, by notation-core-go's names. */
export type SignatureAlgorithm =
  | 'RSASSA-PSS-SHA-256'
  | 'RSASSA-PSS-SHA-384'
  | 'RSASSA-PSS-SHA-512'
  | 'ECDSA-SHA-256'
  | 'ECDSA-SHA-384'
  | 'ECDSA-SHA-512';

export interface ExtendedAttribute {
  key: string;
  critical: boolean;
  value: unknown;
}

export interface SignedAttributes {
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  /** Present only for notary.x509.signingAuthority. */
  authenticSigningTime?: Date;
  extendedAttributes: ExtendedAttribute[];
}

export interface UnsignedAttributes {
  /** DER bytes of an RFC 3161 TimeStampToken (CMS SignedData), if the envelope carries one. */
  timestampSignature?: Uint8Array;
  signingAgent?: string;
}

export interface SignerInfo {
  signedAttributes: SignedAttributes;
  unsignedAttributes: UnsignedAttributes;
  signatureAlgorithm: SignatureAlgorithm;
  /** DER certificates, leaf first. */
  certificateChain: Uint8Array[];
  /** The raw signature value (what an RFC 3161 timestamp's message imprint covers). */
  signature: Uint8Array;
}

export interface Payload {
  contentType: string;
  content: Uint8Array;
}

/** What an envelope says once its integrity is proven (notation-core-go's EnvelopeContent). */
export interface EnvelopeContent {
  signerInfo: SignerInfo;
  payload: Payload;
}

/** The Notary payload: `{"targetArtifact": <descriptor>}`. */
export interface NotaryPayload {
  targetArtifact: Descriptor;
}

/** Validation types and actions of trust-store-trust-policy.md. */
export type ValidationType = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type VerificationLevelName = 'strict' | 'permissive' | 'audit' | 'skip';

/** Errors at every boundary keep their code's type: ErrorInfo is the verification contract's. */
export type { ErrorInfo };

/** The outcome of one validation type for one signature. */
export interface ValidationResult {
  type: ValidationType;
  action: ValidationAction;
  /** True when the check ran and passed; false when it failed or could not be done. */
  passed: boolean;
  /** Set when passed is false: why (also set when the action is `log`, for reporting). */
  error?: ErrorInfo;
}

import type { CertificateRevocation } from '../pki/index.js';
export type { CertificateRevocation, RevocationStatus } from '../pki/index.js';

/** The verification of one signature manifest against the trust policy. */
export interface SignatureVerification {
  /** Digest of the signature manifest. */
  signatureDigest: string;
  /**
   * Digest the signature signs, when it differs from the verified artifact (a signature on the
   * index that lists the verified platform manifest).
   */
  signedDigest?: string;
  /** Envelope media type, when it could be read. */
  signatureMediaType?: string;
  verified: boolean;
  /** Every failure that decided (or was logged for) this signature, with stable codes. */
  errors: ErrorInfo[];
  validations: ValidationResult[];
  signingScheme?: SigningScheme;
  /** Signing time claimed by the signer (ISO 8601). */
  signingTime?: string;
  /** Authentic signing time from a verified timestamp or signingAuthority scheme (ISO 8601). */
  authenticSigningTime?: string;
  expiry?: string;
  /** Subject DN of each certificate of the chain, leaf first. */
  certificateChain?: string[];
  userMetadata?: Record<string, string>;
  /** The signed extended attributes (AWS Signer's signing profile version and job, a plugin's), when any. */
  extendedAttributes?: ExtendedAttribute[];
  /** Revocation status of each certificate of the signing chain, leaf first. */
  revocation?: CertificateRevocation[];
  /** Revocation status of each certificate of the timestamp's TSA chain, when a timestamp was verified. */
  timestampRevocation?: CertificateRevocation[];
  /** Name of the trust policy statement applied. */
  trustPolicyStatement?: string;
  /**
   * For a verified signature: the moment the same check would stop passing with nothing else
   * changed (signature expiry; without an authentic signing time, the first notAfter of the chain).
   * Caches of the verdict must not outlive it.
   */
  validUntil?: string;
}

/** The outcome of verifying one image: one source of truth for CLI output, 406 reasons and metrics. */
export interface ImageVerificationResult {
  /** The reference as given. */
  reference: string;
  /** `registry/repository@digest` of the artifact that was verified. */
  verifiedReference?: string;
  /** The digest that was resolved once and verified. */
  digest?: string;
  /** The descriptor of the verified artifact. */
  descriptor?: Descriptor;
  verified: boolean;
  /** The signature that passed, if any. */
  signature?: SignatureVerification;
  /** Every signature tried, in order. */
  results: SignatureVerification[];
  /** Set when verification did not reach per-signature checks (or none passed): the deciding error. */
  error?: ErrorInfo;
  /** Trust policy level applied (`skip` means nothing was checked). */
  level?: VerificationLevelName;
}

/**
 * Choices of the signing commands, kept in this runtime-leaf module so the CLI can offer them as flag
 * choices without loading the signing code.
 */
export type SignatureFormat = 'jws' | 'cose';
export const SIGNATURE_FORMATS: readonly SignatureFormat[] = ['jws', 'cose'];

/** Signature manifest form: an OCI 1.1 artifact manifest, or an image manifest for OCI 1.0 registries. */
export type SignatureManifestForm = 'artifact' | 'image';
export const SIGNATURE_MANIFEST_FORMS: readonly SignatureManifestForm[] = ['artifact', 'image'];

/**
 * Key types that can be generated. The Notary ones are rsa-2048/3072/4096 and ec-256/384/521;
 * `rsa-1024` and `ed25519` exist only to build certificates a verifier must reject.
 */
export type KeyType = 'rsa-1024' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ec-256' | 'ec-384' | 'ec-521' | 'ed25519';

export const KEY_TYPES: readonly KeyType[] = ['rsa-1024', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ec-256', 'ec-384', 'ec-521', 'ed25519'];

/** Key types whose signature algorithm signature-specification.md allows. */
export const NOTARY_KEY_TYPES: readonly KeyType[] = ['rsa-2048', 'rsa-3072', 'rsa-4096', 'ec-256', 'ec-384', 'ec-521'];

/** Default validity of generated certificates, as `notation cert generate-test` uses. */
export const DEFAULT_VALIDITY_DAYS = 365;
