// Names, labels and limits of the Notary signature envelopes (signature-envelope-jws.md, signature-envelope-cose.md).

/** Protected header / signed attribute names shared by JWS and COSE. */
export const HEADER_SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const HEADER_SIGNING_TIME = 'io.cncf.notary.signingTime';
export const HEADER_AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const HEADER_EXPIRY = 'io.cncf.notary.expiry';

/** Unprotected header / unsigned attribute names. */
export const HEADER_TIMESTAMP_SIGNATURE = 'io.cncf.notary.timestampSignature';
export const HEADER_SIGNING_AGENT = 'io.cncf.notary.signingAgent';

/** Extended attributes of signature-specification.md for Notation verification plugins. */
export const ATTRIBUTE_VERIFICATION_PLUGIN = 'io.cncf.notary.verificationPlugin';
export const ATTRIBUTE_VERIFICATION_PLUGIN_MIN_VERSION = 'io.cncf.notary.verificationPluginMinVersion';

/** Names a signer may not use for extended attributes: the envelope's own headers. */
export const RESERVED_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set([
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_TIMESTAMP_SIGNATURE,
  HEADER_SIGNING_AGENT,
]);

/** JWS registered header names (RFC 7515 §4.1): never extended attributes, never in `crit`. */
export const JWS_REGISTERED_HEADERS: ReadonlySet<string> = new Set([
  'alg',
  'jku',
  'jwk',
  'kid',
  'x5u',
  'x5c',
  'x5t',
  'x5t#S256',
  'typ',
  'cty',
  'crit',
]);

/** COSE header labels (RFC 9052 §3.1, RFC 9360). */
export const COSE_LABEL_ALG = 1;
export const COSE_LABEL_CRIT = 2;
export const COSE_LABEL_CONTENT_TYPE = 3;
export const COSE_LABEL_X5CHAIN = 33;
/** `crit` of COSE may not list labels 0..8 (signature-envelope-cose.md). */
export const COSE_CRIT_FORBIDDEN_MAX_LABEL = 8;
/** CBOR tags: COSE_Sign1_Tagged and epoch-based date/time. */
export const CBOR_TAG_COSE_SIGN1 = 18;
export const CBOR_TAG_EPOCH_DATETIME = 1;
/** Context string of the COSE_Sign1 Sig_structure. */
export const COSE_SIGN1_CONTEXT = 'Signature1';

/**
 * Limits on what an envelope may hold. notation-go reads at most 4 MiB of signature envelope;
 * real envelopes are a few KiB (about 10 KiB with a timestamp token and its chain).
 */
export const MAX_ENVELOPE_BYTES = 4 * 1024 * 1024;
export const MAX_PROTECTED_HEADER_BYTES = 64 * 1024;
export const MAX_PAYLOAD_BYTES = 1024 * 1024;
export const MAX_ENVELOPE_CHAIN_LENGTH = 16;
export const MAX_ENVELOPE_CERTIFICATE_BYTES = 64 * 1024;
export const MAX_TIMESTAMP_SIGNATURE_BYTES = 1024 * 1024;
export const MAX_SIGNATURE_BYTES = 1024;
export const MAX_HEADER_ENTRIES = 64;
export const MAX_CRIT_ENTRIES = 64;
/** Nesting of CBOR/JSON values in headers (extended attribute values are the only nested ones). */
export const MAX_NESTING_DEPTH = 16;
