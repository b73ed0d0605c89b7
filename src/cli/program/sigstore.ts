// `imgverify sigstore …`: Sigstore bundle verification with the sigstore-conformance client's flags; the code loads when it runs.
import type { Command } from 'commander';

export function defineSigstoreCommand(program: Command): void {
  const sigstore = program.command('sigstore').description('Verify Sigstore bundles (the sigstore-conformance client protocol)');
  sigstore
    .command('verify-bundle')
    .description('Verify a Sigstore bundle over a file or a sha256: digest; exit 0 verified, 1 rejected, 2 bad input')
    .argument('<file-or-digest>', 'the artifact, or sha256:<64 lowercase hex> when no file has that name')
    .requiredOption('--bundle <file>', 'the Sigstore bundle (JSON, v0.1 to v0.3)')
    .option('--certificate-identity <identity>', 'the exact SAN the signing certificate must have (keyless)')
    .option('--certificate-identity-regexp <regexp>', 'an RE2 pattern one SAN must match (keyless)')
    .option('--certificate-oidc-issuer <url>', 'the exact OIDC issuer of the signing certificate (keyless)')
    .option('--certificate-oidc-issuer-regexp <regexp>', 'an RE2 pattern the OIDC issuer must match (keyless)')
    .option('--key <path>', 'a PEM public key the bundle must be signed with (instead of a certificate identity)')
    .option('--trusted-root <file>', 'trusted_root.json to verify with (default: the embedded public-good root)')
    .option('--staging', 'the bundle comes from Sigstore staging (needs --trusted-root or --tuf-mirror: no staging root is embedded)')
    .option('--tuf-mirror <url-or-dir>', 'take the trusted root from this TUF repository (an http(s) URL, or a local directory: no network)')
    .option('--tuf-root <file>', 'the TUF root.json to start from (default: the public-good one @sigstore/tuf ships)')
    .option('--insecure-ignore-tlog', 'do not require a transparency log entry')
    .option('--insecure-ignore-sct', 'do not require an embedded SCT in the signing certificate')
    .action(async (target: string, options) => {
      const { verifyBundleAction } = await import('../commands/sigstore.js');
      await verifyBundleAction(target, options);
    });
}
