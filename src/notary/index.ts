// The Notary domain's public face: what other domains (CLI, service) import.
export { NotaryError, type NotaryErrorCode } from './errors.js';
export * from './types.js';
export * from './trustpolicy/index.js';
export * from './truststore/index.js';
export * from './x509/index.js';
export * from './envelope/index.js';
