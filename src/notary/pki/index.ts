// Test and signing PKI: generate Notary-conformant (or deliberately broken) certificates, read PEM chains and keys.
export {
  DEFAULT_CA_VALIDITY_DAYS,
  DEFAULT_VALIDITY_DAYS,
  EKU,
  KEY_TYPES,
  NOTARY_KEY_TYPES,
  generateCertificateChain,
  generateKeyPair,
  generateTestCertificate,
  issueCertificate,
} from './generate.js';
export type {
  BasicConstraintsOption,
  CertificateOptions,
  CertificatePurpose,
  ChainOptions,
  ExtendedKeyUsageOption,
  GeneratedCertificate,
  GeneratedChain,
  HashName,
  KeyType,
  KeyUsageName,
  KeyUsageOption,
  TestCertificateOptions,
} from './generate.js';
export { MAX_CERTIFICATES_PER_FILE, MAX_CERTIFICATE_FILE_BYTES, certificatesToPem, parsePrivateKey } from './pem.js';
