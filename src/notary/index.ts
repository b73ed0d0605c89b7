// The Notary domain's public face: what other domains (CLI, service) import.

// Data model and errors.
export { NotaryError, isNotaryFailure, recodeInvalidCertificate, type NotaryErrorCode } from './errors.js';
export * from './types.js';

// Trust configuration: trust policy, trust stores, X.509 rules.
export * from './trustpolicy/index.js';
export * from './truststore/index.js';
export * from './x509/index.js';

// Signatures: envelopes, signature manifests, signing, test PKI.
export * from './envelope/index.js';
export * from './signature-manifest.js';
export * from './signer.js';
export * from './pki/index.js';

// Time and revocation authorities.

// Verification: plugins (executables in the plugin directory, or built-in ones) and the verifier.
export {
  BuiltinPlugins,
  CAPABILITY_REVOCATION_CHECK,
  CAPABILITY_TRUSTED_IDENTITY,
  ExecutablePlugin,
  PLUGIN_CONTRACT_VERSION,
  PLUGINS_DIR_NAME,
  PluginDirectory,
  PluginProviderChain,
  type PluginMetadata,
  type VerificationPlugin,
  type VerificationPluginProvider,
  type VerifySignatureRequest,
  type VerifySignatureResponse,
} from './plugin/index.js';
export * from './verifier/index.js';
