// `imgverify attest`: its flags; the signing and push code loads when the command runs.
import { Option, type Command } from 'commander';
import { MAX_ATTESTATION_BYTES } from '../../attest/constants.js';
import { SIGNATURE_FORMATS } from '../../notary/types.js';
import { addRegistryOptions, addTimeoutOption } from '../flags.js';

export function defineAttestCommand(program: Command): void {
  const command = program
    .command('attest')
    .description('Attach a payload (SBOM, scan report, …) to an image as a referrer of an artifact type and sign it, like `oras attach` + `notation sign`')
    .argument('<reference>', 'image reference (registry/repository[:tag|@digest]), or PATH:tag / PATH@sha256:<digest> with --oci-layout')
    .requiredOption('--type <artifact-type>', 'artifact type of the attestation, e.g. application/vnd.cyclonedx (what policies require)')
    .requiredOption('--file <payload>', `the payload, JSON or YAML, at most ${MAX_ATTESTATION_BYTES} bytes`)
    .requiredOption('--key <file>', 'private key of the signing certificate (PEM PKCS#8, PKCS#1 or SEC1)')
    .requiredOption('--cert <file>', 'certificate chain (PEM), signing certificate first, ending with the root')
    .option('--media-type <type>', 'media type of the payload layer (default application/yaml for .yaml/.yml, else application/json)')
    .addOption(new Option('--signature-format <format>', 'signature envelope format').choices([...SIGNATURE_FORMATS]).default('jws'))
    .option('--oci-layout', 'the reference is an OCI image layout: PATH:tag or PATH@sha256:<digest>');
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { runAttest } = await import('../commands/attest.js');
    process.exitCode = await runAttest(reference, options);
  });
}
