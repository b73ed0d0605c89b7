// Public face of the configuration domain: TrustPolicy/TrustStore resources, snapshots, and their sources.
export { API_VERSION, KIND_TRUST_POLICY, KIND_TRUST_STORE } from './constants.js';
export { ConfigError, type ConfigErrorCode } from './errors.js';
export {
  resourceJsonSchemas,
  trustPolicyResourceSchema,
  trustStoreResourceSchema,
  TRUST_STORE_RESOURCE_TYPES,
  type TrustPolicySpec,
  type TrustPolicyStatementSpec,
  type TrustStoreSpec,
  type TrustStoreResourceType,
} from './resources.js';
export { parseManifestText, type ManifestFile, type ManifestDocument } from './manifests.js';
export {
  buildSnapshot,
  canonicalJson,
  EMPTY_SNAPSHOT,
  formatIssue,
  parseCertificateBundle,
  type ConfigIssue,
  type ConfigResource,
  type ConfigSnapshot,
  type ConfigValidators,
  type ResourceSource,
  type TrustPolicyDocumentJson,
  type TrustPolicyEntry,
  type TrustPolicyResource,
  type TrustStoreResource,
} from './snapshot.js';
export type { ConfigReloadEvent, ConfigSource } from './source.js';
export { FileConfigSource, readConfigDirectory, type FileConfigSourceOptions } from './file-source.js';
