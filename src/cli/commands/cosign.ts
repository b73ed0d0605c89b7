// `imgverify cosign verify|verify-attestation|sign|attest|generate-key-pair`: cosign's commands over the cosign domain, output as `imgverify verify`'s.
import { access, writeFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { attestationContext } from '../../attest/index.js';
import { readFileLimited } from '../../common/index.js';
import { evaluateConditions, parseConditions } from '../../conditions/index.js';
import {
  attestImage,
  attestImageBundle,
  decryptPrivateKey,
  ENV_COSIGN_PASSWORD,
  ENV_COSIGN_REPOSITORY,
  generateKeyPair,
  MAX_PRIVATE_KEY_BYTES,
  PREDICATE_TYPE_ALIASES,
  signatureLocation,
  signImage,
  signImageBundle,
  verifyCosignAttestations,
  verifyCosignSignatures,
  type CosignAttestationsOutcome,
  type CosignSignaturesOutcome,
  type CosignVerifyOptions,
  type SignatureAlgorithm,
  type SignResult,
} from '../../cosign/index.js';
import type { ArtifactStore, Descriptor, RegistryClient } from '../../oci/index.js';
import { toErrorInfo, type ErrorInfo, type PinnedImage } from '../../verification/index.js';
import { CliError } from '../errors.js';
import { EXIT_OK, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { exitCodeForCode, parseKeyValues, pinnedName, reportError, resolveTarget, runWithRegistryClient, timeoutSignal } from '../options.js';

/** Keys, certificates, trusted roots and policies are a few KiB; predicates (SBOMs) may be MiBs. */
const MAX_MATERIAL_FILE_BYTES = 1024 * 1024;
const MAX_PREDICATE_FILE_BYTES = 16 * 1024 * 1024;
const MAX_SIGNATURES_FLAG = 1000;

export interface CosignVerifyCommandOptions extends LogCliOptions, RegistryCliOptions {
  key?: string;
  cert?: string;
  certificateChain?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  rekorPublicKey?: string;
  ctlogPublicKey?: string;
  insecureIgnoreTlog?: boolean;
  insecureIgnoreSct?: boolean;
  signatureDigestAlgorithm: SignatureAlgorithm;
  annotations: string[];
  ociLayout?: boolean;
  maxSignatures: string;
  output: 'text' | 'json';
  timeout?: string;
  /** verify-attestation */
  type?: string;
  policy?: string;
}

export interface CosignSignCommandOptions extends LogCliOptions, RegistryCliOptions {
  key: string;
  cert?: string;
  certChain?: string;
  annotations?: string[];
  predicate?: string;
  type?: string;
  ociLayout?: boolean;
  /** Write a Sigstore bundle v0.3 referrer (cosign's new bundle format) instead of the legacy tag. */
  bundle?: boolean;
  timeout?: string;
}

async function readText(path: string, flag: string, limit = MAX_MATERIAL_FILE_BYTES): Promise<string> {
  const bytes = await readFileLimited(path, limit, (problem) =>
    new CliError(
      'USAGE',
      problem.reason === 'too-large'
        ? `${flag} ${path} is larger than ${limit} bytes`
        : `cannot read ${flag} ${path}${problem.reason === 'not-a-file' ? ': not a file' : `: ${(problem.cause as Error).message}`}`,
    ),
  );
  return Buffer.from(bytes).toString('utf8');
}

/** cosign's ParsePredicateType: a name from its table, else a URI. */
export function predicateTypeUri(type: string): string {
  const alias = PREDICATE_TYPE_ALIASES[type];
  if (alias) return alias;
  try {
    new URL(type);
  } catch {
    throw new CliError('USAGE', `invalid predicate type: ${type}`);
  }
  return type;
}

/** The library options the flags say; keyless flags need the Sigstore trusted root. */
export async function verifyOptionsFromFlags(options: CosignVerifyCommandOptions, env: NodeJS.ProcessEnv): Promise<CosignVerifyOptions> {
  const keyless = [options.certificateIdentity, options.certificateIdentityRegexp, options.certificateOidcIssuer, options.certificateOidcIssuerRegexp].some((flag) => flag !== undefined);
  const modes = [options.key !== undefined, options.cert !== undefined || (options.certificateChain !== undefined && !keyless), keyless].filter(Boolean).length;
  if (modes === 0) throw new CliError('USAGE', 'give --key, --cert / --certificate-chain, or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp)');
  if (modes > 1) throw new CliError('USAGE', '--key, --cert and the keyless --certificate-identity flags exclude each other');
  const maxSignatures = Number(options.maxSignatures);
  if (!/^\d+$/.test(options.maxSignatures) || maxSignatures < 1 || maxSignatures > MAX_SIGNATURES_FLAG) {
    throw new CliError('USAGE', `--max-signatures must be an integer from 1 to ${MAX_SIGNATURES_FLAG}, got ${JSON.stringify(options.maxSignatures)}`);
  }
  const annotations = parseKeyValues(options.annotations, '--annotations');
  const repository = env[ENV_COSIGN_REPOSITORY];
  return {
    ...(options.key ? { keys: [await readText(options.key, '--key')] } : {}),
    ...(options.cert ? { certificate: await readText(options.cert, '--cert') } : {}),
    ...(options.certificateChain ? { certificateChain: await readText(options.certificateChain, '--certificate-chain') } : {}),
    ...(keyless
      ? {
          keyless: {
            ...(options.certificateIdentity ? { subject: options.certificateIdentity } : {}),
            ...(options.certificateIdentityRegexp ? { subjectRegExp: options.certificateIdentityRegexp } : {}),
            ...(options.certificateOidcIssuer ? { issuer: options.certificateOidcIssuer } : {}),
            ...(options.certificateOidcIssuerRegexp ? { issuerRegExp: options.certificateOidcIssuerRegexp } : {}),
          },
        }
      : {}),
    ...(options.trustedRoot ? { trustedRoot: await readText(options.trustedRoot, '--trusted-root') } : {}),
    rekor: { ...(options.rekorPublicKey ? { pubKey: await readText(options.rekorPublicKey, '--rekor-public-key') } : {}), ...(options.insecureIgnoreTlog ? { ignoreTlog: true } : {}) },
    ctlog: { ...(options.ctlogPublicKey ? { pubKey: await readText(options.ctlogPublicKey, '--ctlog-public-key') } : {}), ...(options.insecureIgnoreSct ? { ignoreSCT: true } : {}) },
    signatureAlgorithm: options.signatureDigestAlgorithm,
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    ...(repository && !options.ociLayout ? { repository } : {}),
    maxSignatures,
  };
}

type Outcome = CosignSignaturesOutcome | CosignAttestationsOutcome;

/** Kyverno conditions over each verified statement (its predicate, as Kyverno evaluates attestations). */
async function applyPolicy(outcome: CosignAttestationsOutcome, path: string): Promise<CosignAttestationsOutcome> {
  let conditions;
  try {
    conditions = parseConditions(parseYaml(await readText(path, '--policy'), { maxAliasCount: 100 }) as unknown);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('USAGE', `--policy ${path}: ${(err as Error).message}`, { cause: err });
  }
  for (const statement of outcome.statements) {
    const result = evaluateConditions(conditions, attestationContext(statement));
    if (!result.passed) {
      const error: ErrorInfo = { code: 'ATTESTATION_CONDITIONS_FAILED', message: `the attestation of type ${statement.predicateType} fails the policy: ${result.messages.join('; ') || 'conditions not met'}` };
      return { ...outcome, verified: false, error };
    }
  }
  return outcome;
}

/** JSON output: as `imgverify verify -o json`, the reference and digest first, then cosign's details. */
export function cosignOutcomeJson(reference: string, digest: string | undefined, outcome: Outcome | undefined, error?: ErrorInfo): Record<string, unknown> {
  const decided = error ?? outcome?.error;
  return {
    reference,
    digest: digest ?? null,
    verified: outcome?.verified === true && !decided,
    ...(outcome ? { signatureTag: outcome.signatureTag, signatures: outcome.signatures } : {}),
    ...(outcome && 'payloads' in outcome ? { payloads: outcome.payloads } : {}),
    ...(outcome && 'statements' in outcome ? { statements: outcome.statements } : {}),
    ...(decided ? { error: decided } : {}),
  };
}

/** cosign's text: the checks performed on stderr, the verified payloads (or statements) as JSON on stdout. */
function outcomeText(reference: string, outcome: Outcome, options: CosignVerifyOptions): { stdout: string; stderr: string } {
  const lines = [`\nVerification for ${reference} --`, 'The following checks were performed on each of these signatures:', '  - The cosign claims were validated'];
  if (!options.rekor?.ignoreTlog) lines.push('  - Existence of the claims in the transparency log was verified offline');
  lines.push(options.keys ? '  - The signatures were verified against the specified public key' : '  - The code-signing certificate was verified using trusted certificate authority certificates');
  const documents = 'statements' in outcome ? outcome.statements : outcome.payloads;
  return { stderr: `${lines.join('\n')}\n`, stdout: `${JSON.stringify(documents)}\n` };
}

export interface CosignCommandDependencies {
  client?: RegistryClient;
  output?: CliOutput;
  env?: NodeJS.ProcessEnv;
}

/** verify / verify-attestation; returns the exit code (0 verified, 1 not, 2 usage, 3 undecided). */
export async function runCosignVerify(reference: string, options: CosignVerifyCommandOptions, kind: 'signatures' | 'attestations', dependencies: CosignCommandDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  const env = dependencies.env ?? process.env;
  let digest: string | undefined;
  let outcome: Outcome | undefined;
  let verifyOptions: CosignVerifyOptions;
  try {
    const signal = timeoutSignal(options.timeout);
    verifyOptions = await verifyOptionsFromFlags(options, env);
    const { opened, descriptor } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), ...(dependencies.client ? { client: dependencies.client } : {}), signal });
    digest = descriptor.digest;
    const image: PinnedImage = {
      registry: opened.reference?.registry ?? '',
      repository: opened.reference?.repository ?? opened.name,
      digest: descriptor.digest,
      descriptor: { mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size },
      insecure: false,
    };
    const source = options.ociLayout || !dependencies.client ? opened.store : dependencies.client;
    if (kind === 'signatures') {
      outcome = await verifyCosignSignatures(source, image, verifyOptions, signal);
    } else {
      const attestations = await verifyCosignAttestations(source, image, { ...verifyOptions, predicateType: predicateTypeUri(options.type ?? 'custom') }, signal);
      outcome = attestations.verified && options.policy ? await applyPolicy(attestations, options.policy) : attestations;
    }
    if (options.output !== 'json' && outcome.verified) {
      const text = outcomeText(pinnedName(opened, descriptor.digest), outcome, verifyOptions);
      output.stderr(text.stderr);
      output.stdout(text.stdout);
    }
  } catch (err) {
    if (options.output !== 'json') return reportError(output, err, { debug: options.debug });
    const error = toErrorInfo(err);
    output.stdout(`${JSON.stringify(cosignOutcomeJson(reference, digest, outcome, error), null, 2)}\n`);
    return exitCodeForCode(error.code);
  }
  if (options.output === 'json') output.stdout(`${JSON.stringify(cosignOutcomeJson(reference, digest, outcome), null, 2)}\n`);
  if (outcome.verified) return EXIT_OK;
  const error = outcome.error ?? { code: 'INTERNAL_ERROR' as const, message: 'verification failed' };
  if (options.output !== 'json') output.stderr(`Error: ${error.message} (${error.code})\n`);
  return exitCodeForCode(error.code);
}

function password(env: NodeJS.ProcessEnv): string {
  const value = env[ENV_COSIGN_PASSWORD];
  // cosign would prompt; a command that may run unattended reads the environment only.
  if (value === undefined) throw new CliError('USAGE', `set ${ENV_COSIGN_PASSWORD} to the password of the key (empty for none)`);
  return value;
}

/** The image manifest's bytes, as its digest names them: what a bundle's message signature covers. */
async function manifestBytes(store: ArtifactStore, descriptor: Descriptor, signal: AbortSignal): Promise<Uint8Array> {
  return (await store.fetchManifest(descriptor, { signal })).bytes;
}

/** sign / attest with a cosign key (the legacy tag, or with --bundle a Sigstore bundle referrer); returns the exit code. */
export async function runCosignSign(reference: string, options: CosignSignCommandOptions, kind: 'signatures' | 'attestations', dependencies: CosignCommandDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  const env = dependencies.env ?? process.env;
  try {
    const signal = timeoutSignal(options.timeout);
    const privateKey = await decryptPrivateKey(await readText(options.key, '--key', MAX_PRIVATE_KEY_BYTES), password(env));
    const common = {
      privateKey,
      ...(options.cert ? { certificate: await readText(options.cert, '--cert') } : {}),
      ...(options.certChain ? { chain: await readText(options.certChain, '--cert-chain') } : {}),
      signal,
    };
    const { opened, descriptor } = await resolveTarget(reference, { ociLayout: Boolean(options.ociLayout), ...(dependencies.client ? { client: dependencies.client } : {}), signal });
    const name = opened.reference ? `${opened.reference.registry}/${opened.reference.repository}` : opened.name;
    const image: PinnedImage = { registry: opened.reference?.registry ?? '', repository: opened.reference?.repository ?? opened.name, digest: descriptor.digest, descriptor, insecure: false };
    const repository = env[ENV_COSIGN_REPOSITORY];
    const location = signatureLocation(options.ociLayout || !dependencies.client ? opened.store : dependencies.client, image, repository && !options.ociLayout ? repository : undefined);
    const target = { repository: name, digest: descriptor.digest };
    let result: SignResult | undefined;
    let bundled: Descriptor | undefined;
    if (options.bundle && common.chain) throw new CliError('USAGE', '--cert-chain is not written into a bundle (its certificate is)');
    if (kind === 'signatures') {
      const annotations = parseKeyValues(options.annotations ?? [], '--annotations');
      if (options.bundle) {
        if (Object.keys(annotations).length > 0) throw new CliError('USAGE', '--annotations go into the legacy simple-signing payload; a bundle signs the manifest digest only');
        bundled = await signImageBundle(location, { manifest: await manifestBytes(opened.store, descriptor, signal), descriptor }, common);
      } else result = await signImage(location, target, { ...common, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) });
    } else {
      if (!options.predicate) throw new CliError('USAGE', '--predicate is required');
      let predicate: unknown;
      try {
        predicate = JSON.parse(await readText(options.predicate, '--predicate', MAX_PREDICATE_FILE_BYTES));
      } catch (err) {
        if (err instanceof CliError) throw err;
        throw new CliError('USAGE', `--predicate ${options.predicate} is not JSON: ${(err as Error).message}`, { cause: err });
      }
      const predicateType = predicateTypeUri(options.type ?? 'custom');
      if (options.bundle) bundled = await attestImageBundle(location, { manifest: await manifestBytes(opened.store, descriptor, signal), descriptor }, target, { ...common, predicateType, predicate });
      else result = await attestImage(location, target, { ...common, predicateType, predicate });
    }
    output.stderr('Note: no transparency log entry was made (imgverify does not upload to Rekor); verify with --insecure-ignore-tlog\n');
    const what = kind === 'signatures' ? 'signature' : 'attestation';
    if (bundled) output.stdout(`Pushing ${what} bundle referrer to: ${location.name}@${bundled.digest} (subject ${descriptor.digest})\n`);
    else if (result) output.stdout(`Pushing ${what} to: ${location.name}:${result.tag}\n`);
    return EXIT_OK;
  } catch (err) {
    return reportError(output, err, { signing: true, debug: options.debug });
  }
}

/** generate-key-pair: `<prefix>.key` (encrypted) and `<prefix>.pub`, never over existing files. */
export async function runCosignGenerateKeyPair(options: { outputKeyPrefix: string; debug?: boolean }, dependencies: CosignCommandDependencies = {}): Promise<number> {
  const output = dependencies.output ?? processOutput;
  try {
    const keyPath = `${options.outputKeyPrefix}.key`;
    const pubPath = `${options.outputKeyPrefix}.pub`;
    const secret = password(dependencies.env ?? process.env);
    // Said before the (deliberately slow) key derivation; the exclusive writes below still decide.
    for (const path of [keyPath, pubPath]) if (await access(path).then(() => true, () => false)) throw new CliError('USAGE', `cannot write the key pair (EEXIST): ${path} exists`);
    const { privateKeyPem, publicKeyPem } = await generateKeyPair(secret);
    try {
      await writeFile(keyPath, privateKeyPem, { flag: 'wx', mode: 0o600 });
      await writeFile(pubPath, publicKeyPem, { flag: 'wx' });
    } catch (err) {
      throw new CliError('USAGE', `cannot write the key pair (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): ${keyPath} or ${pubPath} exists or is not writable`, { cause: err });
    }
    output.stderr(`Private key written to ${keyPath}\nPublic key written to ${pubPath}\n`);
    return EXIT_OK;
  } catch (err) {
    return reportError(output, err, { signing: true, debug: options.debug });
  }
}

export async function cosignVerifyAction(reference: string, options: CosignVerifyCommandOptions, kind: 'signatures' | 'attestations'): Promise<void> {
  await runWithRegistryClient(options, !options.ociLayout, (dependencies) => runCosignVerify(reference, options, kind, dependencies));
}

export async function cosignSignAction(reference: string, options: CosignSignCommandOptions, kind: 'signatures' | 'attestations'): Promise<void> {
  await runWithRegistryClient(options, !options.ociLayout, (dependencies) => runCosignSign(reference, options, kind, dependencies));
}

export async function cosignGenerateKeyPairAction(options: { outputKeyPrefix: string; debug?: boolean }): Promise<void> {
  process.exitCode = await runCosignGenerateKeyPair(options);
}
