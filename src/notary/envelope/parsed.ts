// The format-independent result of parsing a JWS or COSE envelope: its content, bound to the signing certificate's key.
import { MEDIA_TYPE_NOTARY_PAYLOAD, type SignatureAlgorithm, type SignedAttributes, type UnsignedAttributes } from '../types.js';
import { signingCertificate } from './certificates.js';
import type { ParsedEnvelope } from './types.js';

/** What a format's parser read out of its envelope. */
export interface EnvelopeParts {
  /** `JWS` or `COSE`, for messages. */
  format: string;
  attributes: SignedAttributes;
  unsigned: UnsignedAttributes;
  /** The algorithm the protected header names. */
  headerAlgorithm: SignatureAlgorithm;
  /** DER certificates, signing certificate first. */
  chain: Uint8Array[];
  signature: Uint8Array;
  payload: Uint8Array;
  /** The bytes the signature covers. */
  signedBytes: Uint8Array;
  integrityDefects: string[];
}

/** Check the certificate chain, take the leaf's key and algorithm, and assemble the parsed envelope. */
export function parsedEnvelope(parts: EnvelopeParts): ParsedEnvelope {
  const certificate = signingCertificate(parts.format, parts.chain);
  return {
    content: {
      signerInfo: {
        signedAttributes: parts.attributes,
        unsignedAttributes: parts.unsigned,
        signatureAlgorithm: certificate.algorithm,
        certificateChain: parts.chain,
        signature: parts.signature,
      },
      payload: { contentType: MEDIA_TYPE_NOTARY_PAYLOAD, content: parts.payload },
    },
    headerAlgorithm: parts.headerAlgorithm,
    integrityDefects: parts.integrityDefects,
    signedBytes: parts.signedBytes,
    publicKey: certificate.publicKey,
  };
}
