// Public face of the OCI domain: registry client, OCI layout store, media types, push and copy helpers.
// Only what other domains use; tests reach the rest by path.
export * from './constants.js';
export { OciError, type OciErrorCode } from './errors.js';
export type { ArtifactStore, Descriptor, FetchedManifest, ImageIndex, ImageManifest, Manifest, Platform, RequestOptions } from './types.js';
export { computeDigest } from './digest.js';
export { encodeManifest } from './json.js';
export { isImageIndex, isIndexMediaType } from './manifest.js';
export { OciLayoutStore } from './layout.js';
export { pushImage } from './push.js';
export { copyGraph } from './copy.js';
export { RegistryClient, type RegistryClientOptions, type RegistryHostOptions } from './client.js';
export {
  chainCredentials,
  credentialsFromDockerConfig,
  dockerConfigCredentials,
  parseDockerConfig,
  staticCredentials,
  type CredentialProvider,
} from './auth/index.js';
export { DEFAULT_REFERRERS_TREE_DEPTH, referrersTree, type ReferrerNode } from './graph.js';
