// Notary signature envelopes (JWS and COSE): parse, verify integrity, sign; and the Notary payload.
export { parseEnvelope, signEnvelope, isSignatureMediaType, SUPPORTED_SIGNATURE_MEDIA_TYPES } from './envelope.js';
export type { ParseOptions, SignRequest, SignatureEnvelope } from './types.js';
export { unknownCriticalAttributes, SIGNING_SCHEMES } from './attributes.js';
export { keyMatchesCertificate } from './certificates.js';
export { signatureAlgorithmForKey, hashOf, jwsAlgorithmName, coseAlgorithmLabel } from './algorithm.js';
export type { HashAlgorithm } from './algorithm.js';
export { createNotaryPayload, parseNotaryPayload, RESERVED_ANNOTATION_PREFIX, MAX_USER_METADATA_ENTRIES } from './payload.js';
export {
  ATTRIBUTE_VERIFICATION_PLUGIN,
  ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION,
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_SIGNING_AGENT,
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE,
  MAX_ENVELOPE_CERTIFICATE_BYTES,
  MAX_ENVELOPE_CHAIN_LENGTH,
  MAX_ENVELOPE_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_PROTECTED_HEADER_BYTES,
  MAX_SIGNATURE_BYTES,
  MAX_TIMESTAMP_SIGNATURE_BYTES,
} from './constants.js';
