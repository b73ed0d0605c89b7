// Certificate revocation checking (OCSP, then CRL with delta CRLs) for signing and TSA chains.
export { RevocationChecker, type RevocationCheckerOptions, type RevocationCheckOptions, type RevocationPurpose } from './checker.js';
export { evaluateOcspResponse, buildOcspRequest, type OcspContext } from './ocsp.js';
export { evaluateCrl, validateCrl, parseCrl, deltaCrlUrl, checkDeltaMatchesBase, CrlError, type ParsedCrl, type CrlContext } from './crl.js';
export { parseDistributionPointUris, ocspUrls, crlUrls, crlNumber, deltaCrlIndicator, ExtensionError } from './extensions.js';
export { describeCertificate, type CertificateInfo } from './certificate.js';
export type { RevocationEvaluation } from './evaluation.js';
export {
  DEFAULT_CRL_TIMEOUT_MS,
  DEFAULT_OCSP_TIMEOUT_MS,
  MAX_CRL_BYTES,
  MAX_OCSP_RESPONSE_BYTES,
  MEDIA_TYPE_OCSP_REQUEST,
  MEDIA_TYPE_OCSP_RESPONSE,
} from './constants.js';
