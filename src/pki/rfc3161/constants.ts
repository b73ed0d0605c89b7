// Limits, defaults, OIDs and media types of RFC 3161 timestamping.

/** Largest timestamp token accepted (a token with a 4-certificate chain is about 7 KiB). */
export const MAX_TIMESTAMP_TOKEN_BYTES = 256 * 1024;
/** Most certificates a token may carry. */
export const MAX_TOKEN_CERTIFICATES = 16;
/** Longest TSA chain followed from the signing certificate to a trust anchor. */
export const MAX_TSA_CHAIN_LENGTH = 8;
/** Largest TimeStampResp read from a TSA. */
export const MAX_TIMESTAMP_RESPONSE_BYTES = 256 * 1024;
/** Default time allowed for a whole TSA round trip. */
export const DEFAULT_TIMESTAMP_TIMEOUT_MS = 10_000;

export const MEDIA_TYPE_TIMESTAMP_QUERY = 'application/timestamp-query';
export const MEDIA_TYPE_TIMESTAMP_REPLY = 'application/timestamp-reply';

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
export const OID_ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3';
export const OID_ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
export const OID_ATTR_SIGNING_TIME = '1.2.840.113549.1.9.5';
/** id-aa-signingCertificate (RFC 2634): SHA-1 ESSCertID; not accepted on its own (the spec requires v2). */
export const OID_ATTR_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
/** id-aa-signingCertificateV2 (RFC 5035). */
export const OID_ATTR_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
export const OID_EXT_KEY_USAGE = '2.5.29.37';
export const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
/** RFC 3628 baseline time-stamp policy: implies 1 s accuracy when the token states none. */
export const OID_BASELINE_TIMESTAMP_POLICY = '0.4.0.2023.1.1';
