// Limits, defaults and OIDs of certificate revocation checking (OCSP, CRL).

/** Per-fetch time limits, notation's defaults: 5 s for a CRL, 2 s for an OCSP request. */
export const DEFAULT_CRL_TIMEOUT_MS = 5_000;
export const DEFAULT_OCSP_TIMEOUT_MS = 2_000;
/** Largest OCSP response read (notation-core-go allows 20 KiB). */
export const MAX_OCSP_RESPONSE_BYTES = 20 * 1024;
/** Largest CRL read (notation-core-go allows 32 MiB). */
export const MAX_CRL_BYTES = 32 * 1024 * 1024;
/** Clock skew tolerated when judging thisUpdate / nextUpdate of responses. */
export const FRESHNESS_SKEW_MS = 5 * 60 * 1000;
/** Longest chain checked. */
export const MAX_CHAIN_LENGTH = 10;
/** Most OCSP or CRL URLs tried per certificate. */
export const MAX_URLS_PER_CERTIFICATE = 4;
/** In-memory cache bound, in bytes of cached responses. */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;

export const MEDIA_TYPE_OCSP_REQUEST = 'application/ocsp-request';
export const MEDIA_TYPE_OCSP_RESPONSE = 'application/ocsp-response';

export const OID_AUTHORITY_INFO_ACCESS = '1.3.6.1.5.5.7.1.1';
export const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
export const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
export const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
export const OID_FRESHEST_CRL = '2.5.29.46';
export const OID_CRL_NUMBER = '2.5.29.20';
export const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
export const OID_ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
export const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
export const OID_CRL_REASON = '2.5.29.21';
export const OID_INVALIDITY_DATE = '2.5.29.24';

/** CRLReason removeFromCRL (RFC 5280 5.3.1): a delta CRL releases a certificate from hold. */
export const REASON_REMOVE_FROM_CRL = 8;
