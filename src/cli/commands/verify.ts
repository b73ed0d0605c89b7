// `imgverify verify <ref>`: verify Notary signatures like `notation verify`, with text or JSON output and exit codes 0/1/2.
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { deadline } from '../../common/index.js';
import { OciLayoutStore, type ArtifactStore } from '../../oci/index.js';
import {
  FileTrustStore,
  loadTrustPolicy,
  MAX_SIGNATURES_LIMIT,
  notaryEvidence,
  notaryVerdict,
  PLUGINS_DIR_NAME,
  PluginDirectory,
  RevocationChecker,
  verifyImage,
  verifyInStore,
  type SignatureScope,
  type SignatureVerification,
  type VerifyImageOptions,
} from '../../notary/index.js';
import { describeFailure, toErrorInfo, type ErrorInfo, type ImageVerdict } from '../../verification/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, notationConfigDir, processOutput, type CliOutput, type RegistryCliOptions } from '../flags.js';
import { exitCodeForCode, parseKeyValues, parseLayoutReference, registryClientFromOptions, reportError } from '../options.js';

const MAX_VERIFY_TIMEOUT_SECONDS = 3600;

export interface VerifyCommandOptions {
  ociLayout?: boolean;
  scope?: string;
  configDir?: string;
  userMetadata: string[];
  pluginConfig: string[];
  platform?: string;
  signatureScope: SignatureScope;
  maxSignatures: string;
  timeout: string;
  output: 'text' | 'json';
  /** Folder for OCSP/CRL responses kept until their nextUpdate; `false` (--no-revocation-cache) keeps them in memory only. */
  revocationCache?: string | false;
}

/** Where the CLI keeps revocation responses between runs: `$XDG_CACHE_HOME/imgverify/revocation` (like notation's CRL cache). */
export function revocationCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'imgverify', 'revocation');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'imgverify', 'revocation');
}

function parseBoundedInteger(value: string, flag: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
    throw new CliError('USAGE', `${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** `PATH@sha256:…` or `PATH:tag`, as notation's --oci-layout takes it. */
export function splitLayoutReference(reference: string): { path: string; target: string } {
  const { path, target } = parseLayoutReference(reference);
  if (target !== undefined && target !== '') return { path, target };
  throw new CliError('USAGE', `an --oci-layout reference is PATH@sha256:<digest> or PATH:<tag>; ${JSON.stringify(reference)} has neither`);
}

/** JSON output: the fields notation users script against first, then the rest of the verdict. */
export function verdictJson(verdict: ImageVerdict): Record<string, unknown> {
  const notary = notaryEvidence(verdict);
  return {
    reference: verdict.reference,
    digest: verdict.digest ?? null,
    verified: verdict.verified,
    signature: notary?.signature ?? null,
    results: notary?.outcomes ?? [],
    // Only a verified image has a verified reference: a script that tests for the field must not admit an unsigned one.
    ...(notary?.resolvedReference ? { [verdict.verified ? 'verifiedReference' : 'resolvedReference']: notary.resolvedReference } : {}),
    ...(notary?.level ? { level: notary.level } : {}),
    ...(verdict.error ? { error: verdict.error } : {}),
  };
}

function signatureLine(signature: SignatureVerification): string {
  const parts = [signature.signatureMediaType, signature.signingScheme, signature.signingTime && `signed ${signature.signingTime}`].filter(Boolean);
  return `${signature.signatureDigest}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Human output, notation's wording where notation has one. */
export function verdictText(verdict: ImageVerdict): { stdout: string; stderr: string } {
  const notary = notaryEvidence(verdict);
  const artifact = notary?.resolvedReference ?? verdict.reference;
  if (verdict.verified && notary?.level === 'skip') {
    return { stdout: `Trust policy is configured to skip signature verification for ${artifact}\n`, stderr: '' };
  }
  if (verdict.verified && notary?.signature) {
    const signature = notary.signature;
    const warnings = signature.validations
      .filter((v) => !v.passed && v.action === 'log' && v.error)
      .map((v) => `Warning: ${v.type} was set to "log" and failed with error: ${v.error?.message} (${v.error?.code})\n`)
      .join('');
    const lines = [`Successfully verified signature for ${artifact}`, `  signature: ${signatureLine(signature)}`];
    if (signature.signedDigest) lines.push(`  signed artifact: ${signature.signedDigest}`);
    if (signature.authenticSigningTime) lines.push(`  authentic signing time: ${signature.authenticSigningTime}`);
    if (signature.certificateChain?.[0]) lines.push(`  signer: ${signature.certificateChain[0]}`);
    if (signature.trustPolicyStatement) lines.push(`  trust policy statement: ${signature.trustPolicyStatement} (${notary.level ?? 'strict'})`);
    return { stdout: `${lines.join('\n')}\n`, stderr: warnings };
  }
  const error: ErrorInfo = verdict.error ?? { code: 'INTERNAL_ERROR', message: 'verification failed' };
  const detail = verdict.failedCheck === undefined ? `${error.message} (${error.code})` : describeFailure({ ...verdict, error });
  const lines = [`Error: signature verification failed: ${detail}`];
  for (const signature of notary?.outcomes ?? []) {
    const reasons = signature.errors.map((e) => `${e.code}: ${e.message}`).join('; ') || 'failed';
    lines.push(`  ${signature.signatureDigest}: ${reasons}`);
  }
  return { stdout: '', stderr: `${lines.join('\n')}\n` };
}

export function exitCodeFor(verdict: ImageVerdict): number {
  if (verdict.verified) return EXIT_OK;
  return exitCodeForCode(verdict.error?.code ?? 'INTERNAL_ERROR');
}

export interface VerifyDependencies {
  /** Hands out registry repositories (built from the global registry flags). */
  registry?: VerifyImageOptions['registry'];
  output?: CliOutput;
  env?: NodeJS.ProcessEnv;
}

/** The whole command: read config, verify, print; returns the exit code. */
export async function runVerify(reference: string, options: VerifyCommandOptions, dependencies: VerifyDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  const env = dependencies.env ?? process.env;
  const fail = (err: unknown): number => {
    if (options.output !== 'json') return reportError(output, err);
    const verdict: ImageVerdict = { reference, verified: false, error: toErrorInfo(err), evidence: [] };
    output.stdout(`${JSON.stringify(verdictJson(verdict), null, 2)}\n`);
    return exitCodeFor(verdict);
  };

  let configDir: string;
  let verifyOptions: VerifyImageOptions;
  let timeoutSeconds: number;
  try {
    configDir = options.configDir ?? notationConfigDir(env);
    const maxSignatures = parseBoundedInteger(options.maxSignatures, '--max-signatures', 1, MAX_SIGNATURES_LIMIT);
    timeoutSeconds = parseBoundedInteger(options.timeout, '--timeout', 1, MAX_VERIFY_TIMEOUT_SECONDS);
    const userMetadata = parseKeyValues(options.userMetadata, '--user-metadata');
    const pluginConfig = parseKeyValues(options.pluginConfig, '--plugin-config');
    if (options.scope !== undefined && !options.ociLayout) {
      throw new CliError('USAGE', '--scope only applies with --oci-layout (a registry reference is its own scope)');
    }
    const trustPolicy = await loadTrustPolicy(configDir);
    verifyOptions = {
      trustPolicy,
      trustStore: new FileTrustStore(configDir),
      revocation: new RevocationChecker(
        options.revocationCache === false ? {} : { cacheDir: options.revocationCache ?? revocationCacheDir(env) },
      ),
      plugins: new PluginDirectory(env.PLUGINS_DIR || join(configDir, PLUGINS_DIR_NAME)),
      maxSignatures,
      signatureScope: options.signatureScope,
      ...(Object.keys(userMetadata).length > 0 ? { userMetadata } : {}),
      ...(Object.keys(pluginConfig).length > 0 ? { pluginConfig } : {}),
      ...(options.platform ? { platform: options.platform } : {}),
      ...(dependencies.registry ? { registry: dependencies.registry } : {}),
    };
  } catch (err) {
    return fail(err);
  }

  const signal = deadline([], { timeoutMs: timeoutSeconds * 1000, timeoutMessage: `verification did not finish within --timeout ${timeoutSeconds}s` }).signal;
  let verdict: ImageVerdict;
  try {
    if (options.ociLayout) {
      const { path, target } = splitLayoutReference(reference);
      const store: ArtifactStore = await OciLayoutStore.open(resolvePath(path));
      // Without --scope only the global (`*`) statement can apply: the layout path is no repository.
      verdict = notaryVerdict(await verifyInStore(store, target, options.scope ?? store.name, reference, { ...verifyOptions, signal }));
    } else {
      verdict = notaryVerdict(await verifyImage(reference, { ...verifyOptions, signal }));
    }
  } catch (err) {
    return fail(err);
  }
  if (options.output === 'json') {
    output.stdout(`${JSON.stringify(verdictJson(verdict), null, 2)}\n`);
  } else {
    const text = verdictText(verdict);
    if (text.stdout) output.stdout(text.stdout);
    if (text.stderr) output.stderr(text.stderr);
  }
  return exitCodeFor(verdict);
}

/** The command's action: a registry client from the flags (none for --oci-layout), then runVerify. */
export async function verifyAction(reference: string, options: VerifyCommandOptions & RegistryCliOptions): Promise<void> {
  let registry;
  try {
    registry = options.ociLayout ? undefined : registryClientFromOptions(options);
  } catch (err) {
    process.exitCode = reportError(processOutput, err);
    return;
  }
  process.exitCode = await runVerify(reference, options, { registry });
}
