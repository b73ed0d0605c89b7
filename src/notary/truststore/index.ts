// Trust stores: named collections of trusted root certificates, from notation's directory layout or from memory.
export {
  MAX_TRUST_STORE_CERTIFICATES,
  MAX_TRUST_STORE_FILES,
  MAX_TRUST_STORE_FILE_BYTES,
  TRUST_STORE_DIR,
  X509_TRUST_STORE_DIR,
} from './constants.js';
export {
  TRUST_STORE_NAME_PATTERN,
  TRUST_STORE_TYPES,
  isTrustStoreType,
  isValidTrustStoreName,
  trustStoreTypeForSigningScheme,
  type GetCertificatesOptions,
  type TrustStoreProvider,
  type TrustStoreReference,
  type TrustStoreType,
} from './types.js';
export { FileTrustStore, type FileTrustStoreOptions } from './file-store.js';
export { MemoryTrustStore, type TrustStoreBundle } from './memory-store.js';
export { FallbackTrustStore, type TrustStoreLookup } from './fallback.js';
export { checkTrustStoreReference, validateTrustStoreCertificates } from './validate.js';
export { collectTrustedCertificates } from './anchors.js';
