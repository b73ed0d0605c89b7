// `imgverify verify`: its flags; the verification code loads when the command runs.
import { Option, type Command } from 'commander';
import { DEFAULT_MAX_SIGNATURES } from '../../notary/verifier/constants.js';
import { addRegistryOptions, collect } from '../flags.js';

/** Whole-command deadline unless --timeout says otherwise. */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 300;

export function defineVerifyCommand(program: Command): void {
  const command = program
    .command('verify')
    .description('Verify the Notary Project signatures of an image against the trust policy and trust stores of a notation config dir')
    .argument('<reference>', 'image reference (registry/repository[:tag][@digest]), or PATH:tag / PATH@digest with --oci-layout')
    .option('--oci-layout', 'the reference is an OCI image layout directory: PATH:tag or PATH@sha256:<digest>')
    .option('--scope <registry/repository>', 'trust policy scope for an --oci-layout artifact (default: only a "*" statement applies)')
    .option('--config-dir <dir>', 'notation config dir holding trustpolicy(.oci).json, truststore/ and plugins/ (default $NOTATION_DIR, else notation\'s user config dir)')
    .option('-m, --user-metadata <key=value>', 'require this signed user metadata (repeatable)', collect, [])
    .option('--plugin-config <key=value>', 'configuration passed to verification plugins (repeatable)', collect, [])
    .option('--platform <os/arch[/variant]>', 'verify the manifest of this platform when the reference is an index')
    .addOption(
      new Option('--signature-scope <scope>', 'with --platform: which signatures count, the platform manifest\'s only, or also the index\'s')
        .choices(['resolved', 'index-or-platform'])
        .default('resolved'),
    )
    .option('--max-signatures <n>', 'most signatures tried', String(DEFAULT_MAX_SIGNATURES))
    .option('--revocation-cache <dir>', 'folder keeping OCSP/CRL responses until their nextUpdate (default $XDG_CACHE_HOME/imgverify/revocation)')
    .option('--no-revocation-cache', 'keep OCSP/CRL responses in memory only')
    .option('--timeout <seconds>', 'deadline for the whole verification, in seconds', String(DEFAULT_VERIFY_TIMEOUT_SECONDS))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { verifyAction } = await import('../commands/verify.js');
    await verifyAction(reference, options);
  });
}
