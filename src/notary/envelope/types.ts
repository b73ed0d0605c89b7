// The envelope contract: a parsed envelope that yields its content, and the request to sign one.
import type { KeyObject } from 'node:crypto';
import type { EnvelopeContent, ExtendedAttribute, SignatureAlgorithm, SignatureMediaType, SigningScheme } from '../types.js';

export interface ParseOptions {
  /**
   * Keys of critical extended attributes the caller will process itself (e.g. a verification
   * plugin's `io.cncf.notary.verificationPlugin`); any other critical one fails verify() with
   * UNKNOWN_CRITICAL_ATTRIBUTE.
   */
  understoodCriticalAttributes?: Iterable<string>;
}

export interface SignatureEnvelope {
  readonly mediaType: SignatureMediaType;
  /** What the envelope says, parsed and checked against the envelope spec but NOT verified. */
  content(): EnvelopeContent;
  /**
   * Integrity: the header `alg` matches the signing certificate's key and the signature verifies
   * with it (INVALID_SIGNATURE otherwise); then no critical attribute is left unclaimed
   * (UNKNOWN_CRITICAL_ATTRIBUTE). Does not evaluate the certificate chain: that is authenticity.
   */
  verify(): Promise<EnvelopeContent>;
  /**
   * verify() without the critical attribute check, for a caller that decides every critical extended
   * attribute itself (the verifier, which knows which ones a plugin claims).
   */
  verifyIntegrity(): Promise<EnvelopeContent>;
}

export interface SignRequest {
  mediaType: SignatureMediaType;
  /** Payload bytes; content type is application/vnd.cncf.notary.payload.v1+json. */
  payload: Uint8Array;
  signingScheme: SigningScheme;
  /** Truncated to whole seconds. For notary.x509.signingAuthority it is the authentic signing time. */
  signingTime: Date;
  expiry?: Date;
  extendedAttributes?: ExtendedAttribute[];
  signingAgent?: string;
  privateKey: KeyObject;
  /** DER certificates, leaf first; the leaf must hold the public key of `privateKey`. */
  certificateChain: Uint8Array[];
  /** Countersigns the primitive signature: returns an RFC 3161 TimeStampToken (DER). notary.x509 only. */
  timestamper?: (signature: Uint8Array, algorithm: SignatureAlgorithm) => Promise<Uint8Array>;
}

/** An envelope after parsing, before verification: what each format hands to the common code. */
export interface ParsedEnvelope {
  content: EnvelopeContent;
  /** The algorithm the header `alg` names (must equal content.signerInfo.signatureAlgorithm). */
  headerAlgorithm: SignatureAlgorithm;
  /** Encoding defects that make the signature unverifiable by construction (reported as INVALID_SIGNATURE). */
  integrityDefects: string[];
  /** The bytes the signature covers. */
  signedBytes: Uint8Array;
  publicKey: KeyObject;
}
