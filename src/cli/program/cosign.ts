// `imgverify cosign …`: cosign's verify, verify-attestation, sign, attest and generate-key-pair flags; the code loads when a command runs.
import { Option, type Command } from 'commander';
import { DEFAULT_MAX_SIGNATURES, DEFAULT_PREDICATE_TYPE_NAME, SIGNATURE_ALGORITHMS } from '../../cosign/constants.js';
import { addRegistryOptions, addTimeoutOption, collect } from '../flags.js';

function addVerifyOptions(command: Command): Command {
  command
    .argument('<reference>', 'image reference (registry/repository[:tag][@digest]), or PATH:tag / PATH@sha256:… with --oci-layout')
    .option('--key <file>', 'PEM public key the signatures must verify with')
    .option('--cert <file>', 'PEM certificate whose key the signatures must verify with')
    .option('--certificate-chain <file>', 'PEM intermediates and root (last): --cert, or each signature\'s certificate, must chain to it')
    .option('--certificate-identity <subject>', 'keyless: the certificate subject (SAN) required')
    .option('--certificate-identity-regexp <regexp>', 'keyless: a regular expression the certificate subject must match')
    .option('--certificate-oidc-issuer <url>', 'keyless: the OIDC issuer required')
    .option('--certificate-oidc-issuer-regexp <regexp>', 'keyless: a regular expression the OIDC issuer must match')
    .option('--trusted-root <file>', 'trusted_root.json for keyless and Rekor (default: the embedded public-good root)')
    .option('--rekor-public-key <file>', 'PEM public key of the Rekor log (Kyverno rekor.pubKey)')
    .option('--ctlog-public-key <file>', 'PEM public key of the CT log (Kyverno ctlog.pubKey)')
    .option('--insecure-ignore-tlog', 'accept signatures without a verified transparency log entry')
    .option('--insecure-ignore-sct', 'accept keyless certificates without a verified SCT')
    .addOption(new Option('--signature-digest-algorithm <hash>', 'hash of key-based signatures').choices([...SIGNATURE_ALGORITHMS]).default('sha256'))
    .option('-a, --annotations <key=value>', 'require this annotation in the signed payload (repeatable)', collect, [])
    .option('--oci-layout', 'the reference is an OCI image layout directory: PATH:tag or PATH@sha256:<digest> (air-gapped)')
    .option('--max-signatures <n>', 'most signature layers read', String(DEFAULT_MAX_SIGNATURES))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
  addTimeoutOption(command);
  return addRegistryOptions(command);
}

export function defineCosignCommand(program: Command): void {
  const cosign = program.command('cosign').description('Sign and verify images as cosign does (legacy .sig/.att tags): keys, certificates, Rekor SETs');

  const verify = cosign.command('verify').description('Verify the cosign signatures of an image');
  addVerifyOptions(verify).action(async (reference: string, options) => {
    const { cosignVerifyAction } = await import('../commands/cosign.js');
    await cosignVerifyAction(reference, options, 'signatures');
  });

  const verifyAttestation = cosign.command('verify-attestation').description('Verify the cosign (in-toto) attestations of an image');
  addVerifyOptions(verifyAttestation)
    .option('--type <type>', 'predicate type: a URI or slsaprovenance|slsaprovenance02|slsaprovenance1|link|spdx|spdxjson|cyclonedx|vuln|openvex|custom', DEFAULT_PREDICATE_TYPE_NAME)
    .option('--policy <file>', 'Kyverno {any, all} conditions (YAML or JSON) every verified attestation of the type must satisfy')
    .action(async (reference: string, options) => {
      const { cosignVerifyAction } = await import('../commands/cosign.js');
      await cosignVerifyAction(reference, options, 'attestations');
    });

  const sign = cosign
    .command('sign')
    .description('Sign an image with a cosign key (password from COSIGN_PASSWORD); no transparency log upload')
    .argument('<reference>', 'image reference, or PATH:tag / PATH@sha256:… with --oci-layout')
    .requiredOption('--key <file>', 'cosign private key (ENCRYPTED SIGSTORE PRIVATE KEY)')
    .option('--cert <file>', 'PEM certificate of the key, written as the signature\'s certificate')
    .option('--cert-chain <file>', 'PEM intermediates and root, written as the signature\'s chain')
    .option('-a, --annotations <key=value>', 'an annotation in the signed payload (repeatable)', collect, [])
    .option('--bundle', 'write a Sigstore bundle v0.3 referrer (cosign\'s new bundle format; no tlog entry) instead of the .sig tag')
    .option('--oci-layout', 'the reference is an OCI image layout directory');
  addTimeoutOption(sign);
  addRegistryOptions(sign).action(async (reference: string, options) => {
    const { cosignSignAction } = await import('../commands/cosign.js');
    await cosignSignAction(reference, options, 'signatures');
  });

  const attest = cosign
    .command('attest')
    .description('Attest an image: an in-toto statement of the predicate, signed with a cosign key (password from COSIGN_PASSWORD)')
    .argument('<reference>', 'image reference, or PATH:tag / PATH@sha256:… with --oci-layout')
    .requiredOption('--key <file>', 'cosign private key (ENCRYPTED SIGSTORE PRIVATE KEY)')
    .requiredOption('--predicate <file>', 'the predicate (JSON)')
    .option('--type <type>', 'predicate type: a URI or one of cosign\'s names', DEFAULT_PREDICATE_TYPE_NAME)
    .option('--cert <file>', 'PEM certificate of the key')
    .option('--cert-chain <file>', 'PEM intermediates and root')
    .option('--bundle', 'write a Sigstore bundle v0.3 referrer (cosign\'s new bundle format; no tlog entry) instead of the .att tag')
    .option('--oci-layout', 'the reference is an OCI image layout directory');
  addTimeoutOption(attest);
  addRegistryOptions(attest).action(async (reference: string, options) => {
    const { cosignSignAction } = await import('../commands/cosign.js');
    await cosignSignAction(reference, options, 'attestations');
  });

  cosign
    .command('generate-key-pair')
    .description('Write cosign.key (encrypted with COSIGN_PASSWORD) and cosign.pub')
    .option('--output-key-prefix <prefix>', 'name of the key files', 'cosign')
    .action(async (options: { outputKeyPrefix: string; debug?: boolean }) => {
      const { cosignGenerateKeyPairAction } = await import('../commands/cosign.js');
      await cosignGenerateKeyPairAction(options);
    });
}
