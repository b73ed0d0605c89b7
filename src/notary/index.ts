// The Notary domain's public face: what other domains (CLI, service) import.
export { NotaryError, type NotaryErrorCode } from './errors.js';
export * from './types.js';
export * from './trustpolicy/index.js';
export * from './truststore/index.js';
export * from './x509/index.js';
export * from './envelope/index.js';
export {
  verifyTimestampToken,
  requestTimestamp,
  type VerifyTimestampOptions,
  type VerifiedTimestamp,
  type RequestTimestampOptions,
} from './timestamp/index.js';
export { RevocationChecker, type RevocationCheckerOptions, type RevocationCheckOptions, type RevocationPurpose } from './revocation/index.js';
export * from './signature-manifest.js';
export * from './signer.js';
export * from './pki/index.js';
export {
  BuiltinPlugins,
  ExecutablePlugin,
  PLUGIN_CONTRACT_VERSION,
  PluginDirectory,
  PluginProviderChain,
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  type PluginMetadata,
  type VerificationPlugin,
  type VerificationPluginProvider,
  type VerifySignatureRequest,
  type VerifySignatureResponse,
} from './plugin/index.js';
export * from './verifier/index.js';
