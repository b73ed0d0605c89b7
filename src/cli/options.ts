// Helpers the CLI commands share when they run: a registry client from the registry flags, opening a
// registry repository or an OCI layout, key=value flags, reporting errors with exit codes, and bounding a
// command's run time. The flag definitions are in flags.ts.
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ecrCredentials } from '../aws/index.js';
import { deadline } from '../common/index.js';
import { NotaryError } from '../notary/index.js';
import {
  chainCredentials,
  dockerConfigCredentials,
  OciError,
  OciLayoutStore,
  parseDockerConfig,
  RegistryClient,
  staticCredentials,
  type ArtifactStore,
  type CredentialProvider,
  type Descriptor,
  type RegistryClientOptions,
} from '../oci/index.js';
import { formatReference, parseReference, referenceTarget, withDigest, type Reference } from '../reference/index.js';
import { CODE_INFO, toErrorInfo, type ErrorCode } from '../verification/index.js';
import { CliError } from './errors.js';
import { promptOnTerminal } from './prompt.js';
import {
  DEFAULT_COMMAND_TIMEOUT_SECONDS,
  EXIT_FAILED,
  EXIT_UNDECIDED,
  EXIT_USAGE,
  processOutput,
  type CliOutput,
  type LogCliOptions,
  type RegistryCliOptions,
} from './flags.js';

const MAX_COMMAND_TIMEOUT_SECONDS = 24 * 3600;
/** Longest password read from stdin. */
const MAX_PASSWORD_BYTES = 64 * 1024;
/** Largest Docker config file read for --registry-config. */
const MAX_REGISTRY_CONFIG_BYTES = 4 * 1024 * 1024;
/** Most causes `--debug` prints under an error (a cycle must not loop). */
const MAX_CAUSE_DEPTH = 16;
/** Most entries of a repeatable key=value flag (--user-metadata, --plugin-config). */
const MAX_KEY_VALUE_ENTRIES = 128;

function readPasswordFromStdin(): string {
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (err) {
    throw new CliError('USAGE', `--password-stdin: cannot read standard input: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (Buffer.byteLength(text) > MAX_PASSWORD_BYTES) throw new CliError('USAGE', `the password on stdin is longer than ${MAX_PASSWORD_BYTES} bytes`);
  return text;
}

/** The password of `--username NAME` given neither --password nor --password-stdin: asked on the terminal, never echoed. */
export function promptPassword(username: string): string {
  return promptOnTerminal(`Password for ${username}: `, {
    secret: true,
    whenNoTerminal: `--username ${username} needs a password and standard input is not a terminal to ask for it: pipe it with --password-stdin (or give --password)`,
  });
}

/** An explicit --registry-config must be a readable Docker config file, whether or not a registry asks for credentials. */
function checkRegistryConfig(path: string): void {
  let text: string;
  try {
    const info = statSync(path);
    if (!info.isFile()) throw new CliError('USAGE', `--registry-config ${path} is not a file`);
    if (info.size > MAX_REGISTRY_CONFIG_BYTES) throw new CliError('USAGE', `--registry-config ${path} is larger than ${MAX_REGISTRY_CONFIG_BYTES} bytes`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('USAGE', `--registry-config ${path} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  parseDockerConfig(text, path);
}

/**
 * A RegistryClient configured from the registry flags. Explicit credentials win over the
 * Docker config for every registry the command touches. Throws CliError USAGE on
 * contradictory flags.
 */
export function registryClientFromOptions(
  options: RegistryCliOptions,
  extra: { readStdin?: () => string; promptPassword?: (username: string) => string; warn?: (text: string) => void; clientOptions?: Partial<RegistryClientOptions> } = {},
): RegistryClient {
  if (options.password !== undefined && options.passwordStdin) {
    throw new CliError('USAGE', '--password and --password-stdin exclude each other; use one');
  }
  let password = options.password;
  // `echo $TOKEN | imgverify … --password-stdin`: the newline echo adds is not part of the password.
  if (options.passwordStdin) password = (extra.readStdin ?? readPasswordFromStdin)().replace(/\r?\n$/, '');
  if (password !== undefined && options.username === undefined) {
    throw new CliError('USAGE', 'a password needs --username too');
  }
  if (options.username !== undefined && password === undefined) {
    // As notation and docker: a person at a terminal is asked; a script is told what to pass.
    password = (extra.promptPassword ?? promptPassword)(options.username);
  }
  if (options.password !== undefined) {
    (extra.warn ?? processOutput.stderr)('WARNING: --password on the command line is visible to other users of this machine; use --password-stdin\n');
  }
  // Read on first use otherwise, an explicit file nobody needed would never be checked: a typo passes silently.
  if (options.registryConfig !== undefined) checkRegistryConfig(options.registryConfig);
  const providers: CredentialProvider[] = [];
  if (options.username !== undefined && password !== undefined) providers.push(staticCredentials({ username: options.username, password }));
  providers.push(dockerConfigCredentials(options.registryConfig));
  // Last: ECR hosts (anchored patterns only) get a token from the AWS SDK's default credential chain.
  providers.push(ecrCredentials());
  return new RegistryClient({
    ...extra.clientOptions,
    credentials: chainCredentials(...providers),
    ...(options.plainHttp ? { plainHttp: true } : {}),
    ...(options.insecure ? { insecure: true } : {}),
  });
}

/** `key=value` pairs of a repeatable flag (split at the first `=`), each key once; throws NotaryError INVALID_INPUT. */
export function parseKeyValues(values: string[], flag: string): Record<string, string> {
  if (values.length > MAX_KEY_VALUE_ENTRIES) throw new NotaryError('INVALID_INPUT', `at most ${MAX_KEY_VALUE_ENTRIES} ${flag} entries are allowed`);
  const result: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new NotaryError('INVALID_INPUT', `${flag} expects key=value, got ${JSON.stringify(value)}`);
    const key = value.slice(0, eq);
    if (Object.hasOwn(result, key)) throw new NotaryError('INVALID_INPUT', `${flag} sets ${JSON.stringify(key)} twice`);
    result[key] = value.slice(eq + 1);
  }
  return result;
}

/** `PATH`, `PATH:tag` or `PATH@sha256:…` (a colon only counts after the last slash, as in oras). */
export function parseLayoutReference(value: string): { path: string; target?: string } {
  const at = value.lastIndexOf('@');
  if (at > 0) return { path: value.slice(0, at), target: value.slice(at + 1) };
  const colon = value.lastIndexOf(':');
  if (colon > 0 && colon > value.lastIndexOf('/')) return { path: value.slice(0, colon), target: value.slice(colon + 1) };
  return { path: value };
}

/** A store and what to resolve in it, from a registry reference or an OCI layout reference. */
export interface OpenedTarget {
  store: ArtifactStore;
  /** Tag or digest to resolve; undefined for a layout reference without one. */
  target?: string;
  /** How to show the target: `registry/repo:tag` or `PATH:tag`. */
  display: string;
  /** Parsed registry reference (registry targets only). */
  reference?: Reference;
  /** Name and location without tag/digest, for building `<name>@<digest>`. */
  name: string;
}

export async function openTarget(value: string, options: { ociLayout: boolean; create?: boolean; client?: RegistryClient }): Promise<OpenedTarget> {
  if (options.ociLayout) {
    const { path, target } = parseLayoutReference(value);
    const store = await OciLayoutStore.open(resolvePath(path), { create: options.create ?? false });
    return { store, ...(target !== undefined ? { target } : {}), display: value, name: path };
  }
  const reference = parseReference(value);
  if (!options.client) throw new OciError('INVALID_ARGUMENT', 'a registry client is needed for registry references');
  return {
    store: options.client.repositoryFor(reference),
    target: referenceTarget(reference),
    display: formatReference(reference),
    reference,
    name: formatReference({ registry: reference.registry, repository: reference.repository }),
  };
}

/** Open a registry or layout reference and resolve its tag or digest; a layout reference without one is refused with INVALID_ARGUMENT. */
export async function resolveTarget(
  reference: string,
  options: { ociLayout: boolean; client?: RegistryClient; signal: AbortSignal },
): Promise<{ opened: OpenedTarget; descriptor: Descriptor }> {
  const opened = await openTarget(reference, { ociLayout: options.ociLayout, ...(options.client ? { client: options.client } : {}) });
  if (opened.target === undefined) throw new OciError('INVALID_ARGUMENT', `name a tag or digest: ${reference}:<tag> or ${reference}@<digest>`);
  return { opened, descriptor: await opened.store.resolve(opened.target, { signal: options.signal }) };
}

/** `<name>@<digest>` for a registry or layout target. */
export function pinnedName(opened: OpenedTarget, digest: string): string {
  return opened.reference ? formatReference(withDigest(opened.reference, digest)) : `${opened.name}@${digest}`;
}

/**
 * Codes the CLI classes otherwise than CODE_INFO. Credentials missing or refused (UNAUTHORIZED) are
 * transient to the service, where a rotated pull secret or a renewed ECR token mends them without
 * a restart; to a CLI user they are configuration to fix, not "could not decide, try again" (3 is
 * for a registry that did not answer, a timeout).
 */
const CLI_EXIT_CODES: Partial<Record<ErrorCode, number>> = { UNAUTHORIZED: EXIT_USAGE };

/**
 * The exit code of a failure with `code`: 2 when CODE_INFO says the input or configuration is wrong
 * (and for credentials, above), 3 when it is transient (could not decide now), else 1.
 */
export function exitCodeForCode(code: ErrorCode, command: { signing?: boolean } = {}): number {
  const override = CLI_EXIT_CODES[code];
  if (override !== undefined) return override;
  const info = CODE_INFO[code];
  if (command.signing ? info.usageWhenSigning : info.usage) return EXIT_USAGE;
  return info.transient ? EXIT_UNDECIDED : EXIT_FAILED;
}

/** `--debug`: every cause under the error, one per line (`caused by: …`), as far as they go. */
function causeChain(err: unknown): string {
  const lines: string[] = [];
  for (let cause = (err as { cause?: unknown } | null)?.cause, depth = 0; cause !== undefined && depth < MAX_CAUSE_DEPTH; depth += 1) {
    const code = (cause as { code?: unknown } | null)?.code;
    lines.push(`  caused by: ${cause instanceof Error ? cause.message : String(cause)}${typeof code === 'string' ? ` (${code})` : ''}\n`);
    cause = (cause as { cause?: unknown } | null)?.cause;
  }
  return lines.join('');
}

/**
 * The one CLI error printer: `Error: <message> (<CODE>)` on stderr; returns the exit code. A
 * value that is not one of our errors (a bug, a Node errno error) is INTERNAL_ERROR.
 */
export function reportError(output: CliOutput, err: unknown, command: { signing?: boolean; debug?: boolean | undefined } = {}): number {
  const info = toErrorInfo(err);
  output.stderr(`Error: ${info.message} (${info.code})\n${command.debug ? causeChain(err) : ''}`);
  return exitCodeForCode(info.code, command);
}

/**
 * The action of a registry command: a RegistryClient from the registry flags when `needsClient`
 * (not for OCI layouts), the command run with it, a flag error reported like the command's own,
 * and the client closed afterwards.
 */
export async function runWithRegistryClient(
  options: RegistryCliOptions & LogCliOptions,
  needsClient: boolean,
  run: (dependencies: { client?: RegistryClient }) => Promise<number>,
  clientOptions?: Partial<RegistryClientOptions>,
): Promise<void> {
  let client: RegistryClient | undefined;
  try {
    if (needsClient) client = registryClientFromOptions(options, clientOptions ? { clientOptions } : {});
    process.exitCode = await run(client ? { client } : {});
  } catch (err) {
    process.exitCode = reportError(processOutput, err, { debug: options.debug });
  } finally {
    await client?.close();
  }
}

/** `--timeout <seconds>` as an AbortSignal. */
export function timeoutSignal(value: string | undefined): AbortSignal {
  const seconds = value === undefined ? DEFAULT_COMMAND_TIMEOUT_SECONDS : Number(value);
  if (!/^\d+$/.test(String(value ?? seconds)) || !Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_COMMAND_TIMEOUT_SECONDS) {
    throw new CliError('USAGE', `--timeout must be a whole number of seconds from 1 to ${MAX_COMMAND_TIMEOUT_SECONDS}, got ${JSON.stringify(value)}`);
  }
  // Never disposed: the timer is unref'd and ends with the command (one deadline helper for the whole tree).
  return deadline([], { timeoutMs: seconds * 1000, timeoutMessage: `the command did not finish within --timeout ${seconds}s` }).signal;
}
