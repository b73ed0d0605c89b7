// Public face of the PKI domain: primitives that notary, aws and cosign share (PEM so far); it imports only src/common.
export { PkiError, type PkiErrorCode } from './errors.js';
export { isPem, readPem, toPem, type PemBlock, type PemText } from './pem.js';
// Values of @peculiar/x509 come through here (types may be imported from the package directly).
export * as x509 from './x509.js';
export {
  AuthorityInfoAccessExtension,
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  X509Certificate,
  X509Crl,
} from './x509.js';
