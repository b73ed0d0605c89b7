// `imgverify verify <ref>`: verify Notary signatures like `notation verify`, with text or JSON output and exit codes 0/1/2.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
// The attestation domain (conditions, JMESPath, RE2) and YAML load only with --attestation-type.
import { attestationEvidence } from '../../attest/evidence.js';
import type { AttestationRequirement } from '../../attest/index.js';
import { AWS_SIGNER_TRUST_STORES, verificationPlugins, type AwsSignerVerifierChoice } from '../../aws/index.js';
import { deadline, readFileLimited } from '../../common/index.js';
import { OciLayoutStore, type ArtifactStore } from '../../oci/index.js';
import {
  FallbackTrustStore,
  FileTrustStore,
  MemoryTrustStore,
  loadTrustPolicy,
  MAX_SIGNATURES_LIMIT,
  notaryEvidence,
  notaryVerdict,
  PLUGINS_DIR_NAME,
  PluginDirectory,
  verifyArtifact,
  verifyImage,
  verifyInStore,
  type SignatureScope,
  type SignatureVerification,
  type VerifyImageOptions,
} from '../../notary/index.js';
import { RevocationChecker } from '../../pki/index.js';
import { isDigest, parseReference, referenceTarget } from '../../reference/index.js';
import { CODE_INFO, describeFailure, toErrorInfo, type ErrorInfo, type ImageVerdict } from '../../verification/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, notationConfigDir, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { exitCodeForCode, parseKeyValues, parseLayoutReference, registryClientFromOptions, reportError } from '../options.js';
import { importCommonJs } from '../../common/lazy-import.js';

/** An `--attestation-type` and the `--conditions` files that follow it on the command line. */
export interface AttestationFlag {
  type: string;
  conditions: string[];
}

/** A conditions file is a policy fragment: a few KiB. */
const MAX_CONDITIONS_FILE_BYTES = 1024 * 1024;
const MAX_VERIFY_TIMEOUT_SECONDS = 3600;
/** Spaces between the columns of the user metadata table (notation's tabwriter padding). */
const USER_METADATA_PADDING = 3;

export interface VerifyCommandOptions extends LogCliOptions {
  ociLayout?: boolean;
  scope?: string;
  configDir?: string;
  userMetadata: string[];
  pluginConfig: string[];
  /** Who verifies com.amazonaws.signer.notation.plugin signatures (default builtin). */
  awsSignerVerifier?: AwsSignerVerifierChoice;
  platform?: string;
  signatureScope: SignatureScope;
  maxSignatures: string;
  timeout: string;
  output: 'text' | 'json';
  /** Folder for OCSP/CRL responses kept until their nextUpdate; `false` (--no-revocation-cache) keeps them in memory only. */
  revocationCache?: string | false;
  /** Attestations the image must have (`--attestation-type`, each with the `--conditions` files after it). */
  attestationType?: AttestationFlag[];
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

/** notation's table of signed user metadata (Go tabwriter, padding 3), keys sorted where notation's map order is random. */
function userMetadataTable(metadata: Record<string, string>): string {
  const rows = [['KEY', 'VALUE'], ...Object.keys(metadata).sort().map((key) => [key, metadata[key] as string])];
  const widths = [0, 1].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)) + USER_METADATA_PADDING);
  return `\nThe artifact was signed with the following user metadata.\n\n${rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('')).join('\n')}\n`;
}

/**
 * Human output, notation's wording where notation has one: the result line, the signed user
 * metadata, and with `verbose` the signature's details. `warned` says a warning was printed before
 * (notation then separates the result with an empty line).
 */
export function verdictText(verdict: ImageVerdict, options: { verbose?: boolean | undefined; warned?: boolean } = {}): { stdout: string; stderr: string } {
  const notary = notaryEvidence(verdict);
  const artifact = notary?.resolvedReference ?? verdict.reference;
  if (verdict.verified && notary?.level === 'skip') {
    return { stdout: `${options.warned ? '\n' : ''}Trust policy is configured to skip signature verification for ${artifact}\n`, stderr: '' };
  }
  if (verdict.verified && notary?.signature) {
    const signature = notary.signature;
    const warnings = signature.validations
      .filter((v) => !v.passed && v.action === 'log' && v.error)
      .map((v) => `Warning: ${v.type} was set to "log" and failed with error: ${v.error?.message} (${v.error?.code})\n`)
      .join('');
    const lines = [`Successfully verified signature for ${artifact}`];
    if (options.verbose) {
      lines.push(`  signature: ${signatureLine(signature)}`);
      if (signature.signedDigest) lines.push(`  signed artifact: ${signature.signedDigest}`);
      if (signature.authenticSigningTime) lines.push(`  authentic signing time: ${signature.authenticSigningTime}`);
      if (signature.certificateChain?.[0]) lines.push(`  signer: ${signature.certificateChain[0]}`);
      if (signature.trustPolicyStatement) lines.push(`  trust policy statement: ${signature.trustPolicyStatement} (${notary.level ?? 'strict'})`);
    }
    const metadata = signature.userMetadata && Object.keys(signature.userMetadata).length > 0 ? userMetadataTable(signature.userMetadata) : '';
    return { stdout: `${options.warned || warnings ? '\n' : ''}${lines.join('\n')}\n${metadata}`, stderr: warnings };
  }
  const error: ErrorInfo = verdict.error ?? { code: 'INTERNAL_ERROR', message: 'verification failed' };
  const detail = verdict.failedCheck === undefined ? `${error.message} (${error.code})` : describeFailure({ ...verdict, error });
  // Only a verification that ran and failed is "signature verification failed": not a bad reference or registry config, nor a registry that did not answer.
  const info = CODE_INFO[error.code];
  const lines = [`Error: ${info.usage || info.transient ? '' : 'signature verification failed: '}${detail}`];
  for (const signature of notary?.outcomes ?? []) {
    const reasons = signature.errors.map((e) => `${e.code}: ${e.message}`).join('; ') || 'failed';
    lines.push(`  ${signature.signatureDigest}: ${reasons}`);
  }
  return { stdout: '', stderr: `${lines.join('\n')}\n` };
}

/** Lines for the attestations of a verdict: successes on stdout, the failure on stderr. */
export function attestationText(verdict: ImageVerdict): { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  for (const evidence of attestationEvidence(verdict)) {
    if (evidence.verified) stdout += `Successfully verified attestation ${evidence.type}: ${evidence.artifact ?? ''}\n`;
    else if (evidence.errors[0]) stderr += `Error: attestation verification failed: ${evidence.errors[0].message} (${evidence.errors[0].code})\n`;
  }
  return { stdout, stderr };
}

/** The conditions of one file: a YAML or JSON `{any, all}` block, or a list of them. */
async function readConditionsFile(path: string): Promise<unknown[]> {
  const bytes = await readFileLimited(path, MAX_CONDITIONS_FILE_BYTES, (problem) =>
    new CliError(
      'USAGE',
      problem.reason === 'too-large' ? `the conditions file ${path} is larger than ${MAX_CONDITIONS_FILE_BYTES} bytes` : `cannot read the conditions file ${path}${problem.reason === 'not-a-file' ? ': not a file' : `: ${(problem.cause as Error).message}`}`,
    ),
  );
  const { parse: parseYaml } = await importCommonJs(() => import('yaml'));
  let document: unknown;
  try {
    document = parseYaml(Buffer.from(bytes).toString('utf8'), { maxAliasCount: 100 }) as unknown;
  } catch (err) {
    throw new CliError('USAGE', `the conditions file ${path} is not YAML or JSON: ${(err as Error).message}`, { cause: err });
  }
  return Array.isArray(document) ? document : [document];
}

async function readRequirements(flags: readonly AttestationFlag[]): Promise<AttestationRequirement[]> {
  const requirements: AttestationRequirement[] = [];
  for (const flag of flags) {
    const conditions: unknown[] = [];
    for (const file of flag.conditions) conditions.push(...(await readConditionsFile(file)));
    requirements.push({ type: flag.type, conditions });
  }
  return requirements;
}

export function exitCodeFor(verdict: ImageVerdict): number {
  if (verdict.verified) return EXIT_OK;
  return exitCodeForCode(verdict.error?.code ?? 'INTERNAL_ERROR');
}

/** An explicit --config-dir must be a directory: say so rather than "trust policy is not present". */
function checkConfigDir(dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    throw new CliError('USAGE', `--config-dir ${dir} does not exist or cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass a notation config dir holding trustpolicy.json and truststore/`, { cause: err });
  }
  if (!isDirectory) throw new CliError('USAGE', `--config-dir ${dir} is not a directory; pass a notation config dir holding trustpolicy.json and truststore/`);
}

/** A registry reference that does not parse but names a path on disk is an OCI layout given without --oci-layout. */
function checkRegistryReference(reference: string): void {
  try {
    parseReference(reference);
  } catch (err) {
    const { path } = parseLayoutReference(reference);
    if (/^\.{0,2}\//.test(reference) || existsSync(path)) {
      throw new CliError('USAGE', `${(err as Error).message}. ${path} is a path: to verify an OCI image layout, add --oci-layout`, { cause: err });
    }
    throw err;
  }
}

/** The tag a reference names instead of a digest (notation warns about those), else undefined. */
function tagOf(reference: string, ociLayout: boolean): string | undefined {
  if (ociLayout) {
    const { target } = parseLayoutReference(reference);
    return target !== undefined && !isDigest(target) ? target : undefined;
  }
  try {
    const parsed = parseReference(reference);
    return parsed.digest === undefined ? referenceTarget(parsed) : undefined;
  } catch {
    return undefined;
  }
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
    if (options.output !== 'json') return reportError(output, err, { debug: options.debug });
    const verdict: ImageVerdict = { reference, verified: false, error: toErrorInfo(err), evidence: [] };
    output.stdout(`${JSON.stringify(verdictJson(verdict), null, 2)}\n`);
    return exitCodeFor(verdict);
  };

  let configDir: string;
  let verifyOptions: VerifyImageOptions;
  let timeoutSeconds: number;
  let requirements: AttestationRequirement[];
  try {
    requirements = await readRequirements(options.attestationType ?? []);
    configDir = options.configDir ?? notationConfigDir(env);
    if (options.configDir !== undefined) checkConfigDir(options.configDir);
    const maxSignatures = parseBoundedInteger(options.maxSignatures, '--max-signatures', 1, MAX_SIGNATURES_LIMIT);
    timeoutSeconds = parseBoundedInteger(options.timeout, '--timeout', 1, MAX_VERIFY_TIMEOUT_SECONDS);
    const userMetadata = parseKeyValues(options.userMetadata, '--user-metadata');
    const pluginConfig = parseKeyValues(options.pluginConfig, '--plugin-config');
    if (options.scope !== undefined && !options.ociLayout) {
      throw new CliError('USAGE', '--scope only applies with --oci-layout (a registry reference is its own scope)');
    }
    if (!options.ociLayout) checkRegistryReference(reference);
    const trustPolicy = await loadTrustPolicy(configDir);
    verifyOptions = {
      trustPolicy,
      // AWS Signer's published roots answer for aws-signer-ts / aws-us-gov-signer-ts unless the config dir defines them.
      trustStore: new FallbackTrustStore(new FileTrustStore(configDir), MemoryTrustStore.onFirstUse(AWS_SIGNER_TRUST_STORES)),
      revocation: new RevocationChecker(
        options.revocationCache === false ? {} : { cacheDir: options.revocationCache ?? revocationCacheDir(env) },
      ),
      plugins: verificationPlugins(new PluginDirectory(env.PLUGINS_DIR || join(configDir, PLUGINS_DIR_NAME)), options.awsSignerVerifier),
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

  const byTag = tagOf(reference, Boolean(options.ociLayout));
  if (byTag !== undefined && options.output !== 'json') {
    output.stderr(
      `Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:${byTag}) because resolved digest may not point to the same signed artifact, as tags are mutable.\n`,
    );
  }
  const signal = deadline([], { timeoutMs: timeoutSeconds * 1000, timeoutMessage: `verification did not finish within --timeout ${timeoutSeconds}s` }).signal;
  let verdict: ImageVerdict;
  let imageVerdict: ImageVerdict;
  try {
    /** Where the image's referrers are, and its trust policy scope. */
    let where: { store: ArtifactStore; scope: string } | undefined;
    if (options.ociLayout) {
      const { path, target } = splitLayoutReference(reference);
      const store: ArtifactStore = await OciLayoutStore.open(resolvePath(path));
      // Without --scope only the global (`*`) statement can apply: the layout path is no repository.
      where = { store, scope: options.scope ?? store.name };
      imageVerdict = notaryVerdict(await verifyInStore(store, target, where.scope, reference, { ...verifyOptions, signal }));
    } else {
      imageVerdict = notaryVerdict(await verifyImage(reference, { ...verifyOptions, signal }));
      if (verifyOptions.registry) {
        const parsed = parseReference(reference);
        where = { store: verifyOptions.registry.repository(parsed.registry, parsed.repository), scope: `${parsed.registry}/${parsed.repository}` };
      }
    }
    verdict = imageVerdict;
    const subject = notaryEvidence(imageVerdict)?.descriptor;
    if (imageVerdict.verified && requirements.length > 0 && subject && where) {
      const { store, scope } = where;
      const { applyAttestations, verifyAttestations } = await import('../../attest/verify.js');
      // Each attestation's signature is checked as the image's: same trust policy, same statement (the image's scope).
      const result = await verifyAttestations(
        { store, repository: scope, descriptor: subject },
        requirements,
        {
          verifySignature: async (artifact, artifactSignal) =>
            notaryVerdict(await verifyArtifact(store, artifact, { ...verifyOptions, repository: scope, signal: artifactSignal })),
          // No cache across runs: the key only has to be stable within one.
          policyKey: '',
        },
        signal,
      );
      verdict = applyAttestations(imageVerdict, result);
    }
  } catch (err) {
    return fail(err);
  }
  if (options.output === 'json') {
    output.stdout(`${JSON.stringify({ ...verdictJson(verdict), ...(requirements.length > 0 ? { attestations: attestationEvidence(verdict) } : {}) }, null, 2)}\n`);
  } else {
    const text = verdictText(imageVerdict, { verbose: options.verbose, warned: byTag !== undefined });
    const attestations = attestationText(verdict);
    if (text.stdout || attestations.stdout) output.stdout(text.stdout + attestations.stdout);
    if (text.stderr || attestations.stderr) output.stderr(text.stderr + attestations.stderr);
  }
  return exitCodeFor(verdict);
}

/** The command's action: a registry client from the flags (none for --oci-layout), then runVerify. */
export async function verifyAction(reference: string, options: VerifyCommandOptions & RegistryCliOptions): Promise<void> {
  let registry;
  try {
    registry = options.ociLayout ? undefined : registryClientFromOptions(options);
  } catch (err) {
    process.exitCode = reportError(processOutput, err, { debug: options.debug });
    return;
  }
  process.exitCode = await runVerify(reference, options, { registry });
}
