// `imgverify sigstore verify-bundle`: the sigstore-conformance client protocol — a bundle, an identity or a key, a trusted root, a file or digest; exit 0 verified.
import { existsSync } from 'node:fs';
import { readFileLimited } from '../../common/index.js';
import {
  exactIdentity,
  loadTrustedRoot,
  MAX_BUNDLE_BYTES,
  parseBundle,
  SigstoreError,
  verifyBundle,
  type BundleArtifact,
  type BundlePolicy,
  type IdentityPolicy,
  type TrustedRootSource,
} from '../../sigstore/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, processOutput, type CliOutput, type LogCliOptions } from '../flags.js';
import { reportError } from '../options.js';

/** Largest artifact file read (message signatures are verified over the whole file). */
const MAX_ARTIFACT_BYTES = 512 * 1024 * 1024;
/** Largest PEM public key file read for --key. */
const MAX_KEY_BYTES = 64 * 1024;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface VerifyBundleCliOptions extends LogCliOptions {
  bundle: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  key?: string;
  trustedRoot?: string;
  staging?: boolean;
  tufMirror?: string;
  tufRoot?: string;
  insecureIgnoreTlog?: boolean;
  insecureIgnoreSct?: boolean;
}

export async function verifyBundleAction(target: string, options: VerifyBundleCliOptions, output: CliOutput = processOutput): Promise<void> {
  try {
    process.exitCode = await verifyBundleCommand(target, options, output);
  } catch (err) {
    process.exitCode = reportError(output, err, { debug: options.debug });
  }
}

async function verifyBundleCommand(target: string, options: VerifyBundleCliOptions, output: CliOutput): Promise<number> {
  const policy = await bundlePolicy(options);
  const trust = await loadTrustedRoot(trustSource(options));
  const bundle = parseBundle(await readFile(options.bundle, MAX_BUNDLE_BYTES, '--bundle'));
  // A digest only when no file has that name, as the conformance protocol says.
  const artifact: BundleArtifact = DIGEST.test(target) && !existsSync(target) ? { digest: target } : await readFile(target, MAX_ARTIFACT_BYTES, 'the artifact');
  const verified = verifyBundle(bundle, artifact, policy, trust);
  const signer = verified.certificate ? `${verified.certificate.subject} (${verified.certificate.issuer ?? 'no issuer'})` : 'the given key';
  output.stderr(`Verified OK: ${verified.content} signed by ${signer}\n`);
  return EXIT_OK;
}

async function bundlePolicy(options: VerifyBundleCliOptions): Promise<BundlePolicy> {
  const identityFlags = [options.certificateIdentity, options.certificateIdentityRegexp, options.certificateOidcIssuer, options.certificateOidcIssuerRegexp];
  const ignore = {
    ...(options.insecureIgnoreTlog ? { ignoreTlog: true } : {}),
    ...(options.insecureIgnoreSct ? { ignoreSCT: true } : {}),
  };
  if (options.key !== undefined) {
    if (identityFlags.some((flag) => flag !== undefined)) throw new CliError('USAGE', '--key and the --certificate-* flags exclude each other');
    return { publicKey: (await readFile(options.key, MAX_KEY_BYTES, '--key')).toString('utf8'), ...ignore };
  }
  const exclusive = (exact: string | undefined, pattern: string | undefined, flag: string): void => {
    if (exact !== undefined && pattern !== undefined) throw new CliError('USAGE', `--${flag} and --${flag}-regexp exclude each other`);
    if (exact === undefined && pattern === undefined) {
      throw new CliError('USAGE', 'give --key, or a certificate identity (--certificate-identity[-regexp]) and an OIDC issuer (--certificate-oidc-issuer[-regexp])');
    }
  };
  exclusive(options.certificateIdentity, options.certificateIdentityRegexp, 'certificate-identity');
  exclusive(options.certificateOidcIssuer, options.certificateOidcIssuerRegexp, 'certificate-oidc-issuer');
  const identity: IdentityPolicy = {
    ...exactIdentity({
      ...(options.certificateIdentity === undefined ? {} : { subject: options.certificateIdentity }),
      ...(options.certificateOidcIssuer === undefined ? {} : { issuer: options.certificateOidcIssuer }),
    }),
    ...(options.certificateIdentityRegexp === undefined ? {} : { subjectRegExp: options.certificateIdentityRegexp }),
    ...(options.certificateOidcIssuerRegexp === undefined ? {} : { issuerRegExp: options.certificateOidcIssuerRegexp }),
  };
  return { identity, ...ignore };
}

function trustSource(options: VerifyBundleCliOptions): TrustedRootSource {
  if (options.trustedRoot !== undefined) {
    if (options.tufMirror !== undefined) throw new CliError('USAGE', '--trusted-root and --tuf-mirror exclude each other');
    return { kind: 'file', path: options.trustedRoot };
  }
  if (options.tufMirror !== undefined) return { kind: 'tuf', mirror: options.tufMirror, ...(options.tufRoot === undefined ? {} : { rootPath: options.tufRoot }) };
  if (options.tufRoot !== undefined) throw new CliError('USAGE', '--tuf-root needs --tuf-mirror');
  if (options.staging) throw new SigstoreError('TRUSTED_ROOT_INVALID', 'no Sigstore staging root is embedded: give --trusted-root (or --tuf-mirror with --tuf-root) for staging bundles');
  return { kind: 'embedded' };
}

async function readFile(path: string, limit: number, name: string): Promise<Buffer> {
  const bytes = await readFileLimited(path, limit, (problem) => {
    const reason = problem.reason === 'too-large' ? `is more than ${limit} bytes` : problem.reason === 'not-a-file' ? 'is not a regular file' : `cannot be read: ${(problem.cause as Error).message}`;
    return new CliError('USAGE', `${name} ${path} ${reason}`);
  });
  return Buffer.from(bytes);
}
