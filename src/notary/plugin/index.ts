// Public face of the Notation plugin protocol for verification: finding, running and interpreting plugins.
export * from './constants.js';
export { BuiltinPlugins, ExecutablePlugin, PluginDirectory, PluginProviderChain, assertPluginName, type ExecutablePluginOptions } from './directory.js';
export { runPluginCommand, type RunPluginOptions } from './executable.js';
export type {
  CriticalAttributes,
  GetMetadataRequest,
  PluginCallOptions,
  PluginErrorResponse,
  PluginMetadata,
  VerificationPlugin,
  VerificationPluginProvider,
  VerifySignatureRequest,
  VerifySignatureResponse,
} from './protocol.js';
export { pluginMetadataSchema, verifySignatureResponseSchema } from './protocol.js';
export { compareSemver, isValidSemver } from './semver.js';
export {
  PLUGIN_ATTRIBUTE_KEYS,
  buildVerifySignatureRequest,
  interpretVerifySignatureResponse,
  pluginRequirement,
  preparePlugin,
  type PluginCheckResult,
  type PluginRequirement,
  type PreparedPlugin,
} from './verification.js';
