// Public face of the configuration domain: the kind registry, snapshots, and the sources that produce them.
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
export {
  canonicalJson,
  RESOURCE_KINDS,
  resourceIdentity,
  type ConfigResource,
  type ConfigValidators,
  type KindOutcome,
  type ResourceKind,
  type TrustPolicyDocumentJson,
  type TrustPolicyEntry,
  type TrustPolicyResource,
  type TrustStoreResource,
} from './kinds.js';
export { formatOrigin, type ResourceOrigin, type SourceDocument, type SourceUnit } from './origin.js';
export { parseManifestText } from './manifests.js';
export { buildSnapshot, EMPTY_SNAPSHOT, formatIssue, type BuildSnapshotOptions, type ConfigIssue, type ConfigSnapshot } from './snapshot.js';
export type { ConfigReloadEvent, ConfigSource } from './source.js';
export { SnapshotSource, type SnapshotSourceOptions, type SourceIdentity, type SourceRead } from './source-base.js';
export { FileConfigSource, readConfigDirectory, type FileConfigSourceOptions } from './file-source.js';
export { NOTATION_TRUST_POLICY_NAME, notationObjectName, readNotationConfigDir } from './notation-dir.js';
export { NotationConfigSource, type NotationConfigSourceOptions } from './notation-source.js';
