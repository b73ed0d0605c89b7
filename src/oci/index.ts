// Public face of the OCI domain: registry client, OCI layout store, media types, push and copy helpers.
export * from './constants.js';
export { OciError, type OciErrorCode } from './errors.js';
export type { ArtifactStore, Descriptor, FetchedManifest, ImageIndex, ImageManifest, Manifest, Platform, RequestOptions } from './types.js';
export { computeDigest, parseDigest, verifyContent, type DigestAlgorithm, type ParsedDigest } from './digest.js';
export { encodeIndex, encodeJsonDocument, encodeManifest } from './json.js';
export { checkJsonDepth } from './document.js';
export {
  artifactTypeOf,
  isImageIndex,
  isIndexMediaType,
  isManifestMediaType,
  parseDescriptor,
  parseManifest,
  referrerDescriptor,
  successors,
} from './manifest.js';
export { addReferrer, buildReferrersIndex, filterByArtifactType, isReferrersTag, newestFirst, referrersTag } from './referrers.js';
export { MAX_LAYOUT_INDEX_BYTES, OciLayoutStore, type OciLayoutOptions } from './layout.js';
export {
  DEFAULT_PLATFORM,
  pushArtifact,
  pushImage,
  pushIndex,
  type PushArtifactOptions,
  type PushedImage,
  type PushedManifest,
  type PushImageOptions,
  type PushIndexOptions,
} from './push.js';
export { copyGraph, DEFAULT_MAX_COPY_NODES, type CopyGraphOptions, type CopyGraphResult } from './copy.js';
export { RegistryClient, type RegistryClientOptions, type RegistryHostOptions } from './client.js';
export { pingRegistry } from './ping.js';
export {
  DEFAULT_REGISTRY_LIMITS,
  repositoryOptions,
  type RegistryLimits,
  type RegistryRequest,
  type RegistryTransport,
  type RepositoryOptions,
} from './registry-transport.js';
export { nextLink } from './registry-url.js';
export { Repository, type PushBlobOptions } from './repository.js';
export { WarmUp } from './warm-up.js';
export { HostLimit, type HostSlot } from './host-limit.js';
export { ReferrersApiKnowledge, type ReferrersApiSupport } from './referrers-api.js';
export { DEFAULT_RETRY_POLICY, DEFAULT_TIMEOUTS, parseRetryAfter, type RetryPolicy, type Timeouts } from './transport.js';
export {
  anonymousCredentials,
  chainCredentials,
  credentialsFromDockerConfig,
  defaultDockerConfigPath,
  dockerConfigCredentials,
  mergeScopes,
  removeDockerConfigCredential,
  storeDockerConfigCredential,
  parseChallenges,
  parseDockerConfig,
  repositoryScope,
  runCredentialHelper,
  staticCredentials,
  type Challenge,
  type Credential,
  type CredentialProvider,
  type DockerConfig,
} from './auth/index.js';
export { DEFAULT_REFERRERS_TREE_DEPTH, DEFAULT_REFERRERS_TREE_NODES, referrersTree, type ReferrerNode, type ReferrersTreeOptions } from './graph.js';
