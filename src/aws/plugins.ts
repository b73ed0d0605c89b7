// Which verifier answers for com.amazonaws.signer.notation.plugin: the built-in one (default) or an installed plugin executable.
import { BuiltinPlugins, PluginProviderChain, type VerificationPluginProvider } from '../notary/plugin/index.js';
import { AwsSignerVerifier, type AwsSignerVerifierOptions } from './verifier.js';
import type { AwsSignerVerifierChoice } from './constants.js';

export { AWS_SIGNER_VERIFIER_CHOICES, type AwsSignerVerifierChoice } from './constants.js';

/** The plugin providers of a verifier: the plugin directory (if any) and the built-in AWS Signer verifier, in the chosen order. */
export function verificationPlugins(
  directory: VerificationPluginProvider | undefined,
  choice: AwsSignerVerifierChoice = 'builtin',
  options: AwsSignerVerifierOptions = {},
): VerificationPluginProvider {
  const builtin = new BuiltinPlugins([new AwsSignerVerifier(options)]);
  if (!directory) return builtin;
  return new PluginProviderChain(choice === 'plugin' ? [directory, builtin] : [builtin, directory]);
}
