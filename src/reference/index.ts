// Public face of image references: parse, normalise and format docker/distribution references.
// Only what other domains use; tests reach the rest by path.
export { DEFAULT_TAG } from './constants.js';
export { digestProblem, isDigest } from './digest.js';
export { isRepositoryPath } from './grammar.js';
export { canonicalRegistry, canonicalRepository } from './registry.js';
export { ReferenceParseError, type ReferenceErrorCode } from './errors.js';
export { formatReference, parseReference, referenceTarget, withDigest, type Reference } from './reference.js';
