// Public face of image references: parse, normalise and format docker/distribution references.
export {
  DEFAULT_REGISTRY,
  DEFAULT_TAG,
  DIGEST_HEX_LENGTH,
  LEGACY_DEFAULT_REGISTRY,
  OFFICIAL_REPOSITORY_PREFIX,
  REPOSITORY_NAME_MAX_LENGTH,
  TAG_MAX_LENGTH,
} from './constants.js';
export { digestProblem, isDigest } from './digest.js';
export { isRepositoryPath } from './grammar.js';
export { canonicalRegistry, canonicalRepository } from './registry.js';
export { ReferenceError, type ReferenceErrorCode } from './errors.js';
export {
  familiarReference,
  formatReference,
  isTag,
  parseReference,
  referenceTarget,
  repositoryName,
  withDigest,
  type Reference,
} from './reference.js';
