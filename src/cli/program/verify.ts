// `imgverify verify`: its flags; the verification code loads when the command runs.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AWS_SIGNER_VERIFIER_CHOICES } from '../../aws/constants.js';
import { DEFAULT_MAX_SIGNATURES } from '../../notary/verifier/constants.js';
import { addRegistryOptions, collect } from '../flags.js';

/** Whole-command deadline unless --timeout says otherwise. */
export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 300;

/** An `--attestation-type` and the `--conditions` files that follow it on the command line. */
export interface AttestationFlag {
  type: string;
  conditions: string[];
}

export function defineVerifyCommand(program: Command): void {
  // Both flags fill one list in command-line order, so a --conditions belongs to the --attestation-type before it.
  const attestations: AttestationFlag[] = [];
  const addAttestationType = (type: string): AttestationFlag[] => {
    if (type.trim() === '') throw new InvalidArgumentError('name the artifact type, e.g. application/vnd.cyclonedx');
    attestations.push({ type, conditions: [] });
    return attestations;
  };
  const addConditions = (file: string): AttestationFlag[] => {
    const last = attestations.at(-1);
    if (!last) throw new InvalidArgumentError('--conditions applies to the --attestation-type before it; put one first');
    last.conditions.push(file);
    return attestations;
  };
  const command = program
    .command('verify')
    .description('Verify the Notary Project signatures of an image against the trust policy and trust stores of a notation config dir')
    .argument('<reference>', 'image reference (registry/repository[:tag][@digest]), or PATH:tag / PATH@digest with --oci-layout')
    .option('--oci-layout', 'the reference is an OCI image layout directory: PATH:tag or PATH@sha256:<digest>')
    .option('--scope <registry/repository>', 'trust policy scope for an --oci-layout artifact (default: only a "*" statement applies)')
    .option('--config-dir <dir>', 'notation config dir holding trustpolicy(.oci).json, truststore/ and plugins/ (default $NOTATION_CONFIG, $NOTATION_DIR, else notation\'s user config dir)')
    .option('-m, --user-metadata <key=value>', 'require this signed user metadata (repeatable)', collect, [])
    .option('--plugin-config <key=value>', 'configuration passed to verification plugins (repeatable)', collect, [])
    .addOption(
      new Option('--aws-signer-verifier <which>', 'who verifies AWS Signer signatures: the built-in verifier, or the installed com.amazonaws.signer.notation.plugin (the built-in when it is not installed)')
        .choices([...AWS_SIGNER_VERIFIER_CHOICES])
        .default('builtin'),
    )
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
    .option('--attestation-type <type>', 'require a signed attestation of this artifact type, trusted as the image is (repeatable)', addAttestationType)
    .option('--conditions <file>', 'Kyverno {any, all} conditions (YAML or JSON) the preceding --attestation-type must satisfy (repeatable)', addConditions)
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { verifyAction } = await import('../commands/verify.js');
    await verifyAction(reference, options);
  });
}
