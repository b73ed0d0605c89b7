// `imgverify sign`: its flags; the signing code loads when the command runs.
import { Option, type Command } from 'commander';
import { SIGNATURE_FORMATS, SIGNATURE_MANIFEST_FORMS } from '../../notary/types.js';
import { addRegistryOptions, addTimeoutOption, collect } from '../flags.js';

export function defineSignCommand(program: Command): void {
  const command = program
    .command('sign')
    .description('Sign an image with a Notary Project signature (JWS or COSE) and push it next to the image, like `notation sign`')
    .argument('<reference>', 'image reference (registry/repository[:tag|@digest]), or PATH:tag / PATH@sha256:<digest> with --oci-layout')
    .option('-k, --key <name|file>', "signing key name in notation's signingkeys.json (default: its default key), or with --cert a private key file (PEM PKCS#8, PKCS#1 or SEC1)")
    .option('--cert <file>', 'certificate chain (PEM), signing certificate first, ending with the root (with --key FILE)')
    .addOption(new Option('--signature-format <format>', 'signature envelope format').choices([...SIGNATURE_FORMATS]).default('jws'))
    .addOption(
      new Option('--signature-manifest <form>', 'signature manifest form: OCI 1.1 artifact, or image manifest for OCI 1.0 registries')
        .choices([...SIGNATURE_MANIFEST_FORMS])
        .default('artifact'),
    )
    .option('--timestamp-url <url>', 'RFC 3161 timestamp authority to countersign the signature')
    .option('--timestamp-root-cert <file>', 'root certificate (PEM) the timestamp must chain to')
    .option('-m, --user-metadata <key=value>', 'metadata signed with the image (repeatable)', collect, [])
    .option('-e, --expiry <duration>', 'signature expiry ("best by use" time), e.g. 24h, 30m, 7d')
    .option('--force-referrers-tag', 'also keep the referrers tag index (sha256-<hex>) where the registry serves the Referrers API, as notation\'s flag')
    .option('--oci-layout', 'the reference is an OCI image layout: PATH:tag or PATH@sha256:<digest>');
  addTimeoutOption(command);
  addRegistryOptions(command);
  command.action(async (reference: string, options) => {
    const { runSign } = await import('../commands/sign.js');
    process.exitCode = await runSign(reference, options);
  });
}
