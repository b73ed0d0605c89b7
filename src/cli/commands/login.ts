// `imgverify login | logout <server>`: credentials checked against the registry, then kept in (or removed from) the Docker config, as notation and docker do.
import { readFileSync } from 'node:fs';
import { defaultDockerConfigPath, pingRegistry, RegistryClient, removeDockerConfigCredential, staticCredentials, storeDockerConfigCredential } from '../../oci/index.js';
import { canonicalRegistry } from '../../reference/index.js';
import { toErrorInfo } from '../../verification/index.js';
import { CliError } from '../errors.js';
import { EXIT_FAILED, processOutput, type CliOutput, type LogCliOptions, type RegistryCliOptions } from '../flags.js';
import { reportError, timeoutSignal } from '../options.js';
import { promptOnTerminal } from '../prompt.js';

const MAX_PASSWORD_BYTES = 64 * 1024;

export interface LoginCommandOptions extends RegistryCliOptions, LogCliOptions {
  timeout?: string;
}

export interface LoginDependencies {
  output?: CliOutput;
  readStdin?: () => string;
  prompt?: (question: string, secret: boolean) => string;
}

/** `https://host:5000/v2/` or `host:5000` → `host:5000`, canonical (docker.io's aliases as docker.io). */
function serverName(server: string): string {
  const host = server.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === '') throw new CliError('USAGE', 'no hostname specified');
  return canonicalRegistry(host);
}

function stdinText(): string {
  const text = readFileSync(0, 'utf8');
  if (Buffer.byteLength(text) > MAX_PASSWORD_BYTES) throw new CliError('USAGE', `the password on stdin is longer than ${MAX_PASSWORD_BYTES} bytes`);
  return text;
}

const terminalPrompt = (question: string, secret: boolean): string =>
  promptOnTerminal(question, { secret, whenNoTerminal: 'standard input is not a terminal to ask for credentials: give --username with --password-stdin' });

/** notation's order: --password-stdin, -p, else ask (`Username: `, then `Password: `, or `Token: ` when no username is given). */
function loginCredential(options: LoginCommandOptions, deps: LoginDependencies, output: CliOutput): { username: string; password: string } {
  if (options.password !== undefined && options.passwordStdin) throw new CliError('USAGE', '--password and --password-stdin exclude each other; use one');
  const prompt = deps.prompt ?? terminalPrompt;
  let password = options.passwordStdin ? (deps.readStdin ?? stdinText)().replace(/\r?\n$/, '') : options.password;
  if (options.password !== undefined) output.stderr('WARNING: --password on the command line is visible to other users of this machine; use --password-stdin\n');
  let username = options.username ?? '';
  if (password === undefined || password === '') {
    if (options.username === undefined) username = prompt('Username: ', false).trim();
    const token = username === '';
    password = prompt(token ? 'Token: ' : 'Password: ', true);
    if (password === '') throw new CliError('USAGE', token ? 'token required' : 'password required');
  }
  // A token login is an identity token under docker's `<token>` user name (as oras writes it).
  return { username: username === '' ? '<token>' : username, password };
}

export async function runLogin(server: string, options: LoginCommandOptions, deps: LoginDependencies = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  let client: RegistryClient | undefined;
  try {
    const registry = serverName(server);
    const credential = loginCredential(options, deps, output);
    const signal = timeoutSignal(options.timeout);
    client = new RegistryClient({
      credentials: staticCredentials(credential),
      plainHttpForLocalhost: true,
      ...(options.plainHttp ? { plainHttp: true } : {}),
      ...(options.insecure ? { insecure: true } : {}),
    });
    await pingRegistry(client, registry, signal);
    const path = options.registryConfig ?? defaultDockerConfigPath();
    await storeDockerConfigCredential(path, registry, credential);
    output.stderr(`WARNING! Your credentials are stored unencrypted in '${path}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`);
    output.stdout('Login Succeeded\n');
    return 0;
  } catch (err) {
    const exitCode = reportError(output, err, { debug: options.debug });
    // Refused credentials are the registry's definite answer to login (notation: exit 1), not the "could not decide" of a verification.
    return toErrorInfo(err).code === 'UNAUTHORIZED' ? EXIT_FAILED : exitCode;
  } finally {
    await client?.close();
  }
}

export async function runLogout(server: string, options: LogCliOptions & { registryConfig?: string }, deps: { output?: CliOutput } = {}): Promise<number> {
  const output = deps.output ?? processOutput;
  try {
    const registry = serverName(server);
    const path = options.registryConfig ?? defaultDockerConfigPath();
    if (!(await removeDockerConfigCredential(path, registry))) output.stderr(`Not logged in to ${registry}\n`);
    output.stdout('Logout Succeeded\n');
    return 0;
  } catch (err) {
    return reportError(output, err, { debug: options.debug });
  }
}
