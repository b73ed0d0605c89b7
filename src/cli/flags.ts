// The light half of the CLI's shared options: exit codes, output, flag definitions and notation's config
// dir. It imports no library at run time, so defining every command for `--help` stays cheap; what opens
// registries and layouts is in options.ts, loaded when a command runs.
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Command } from 'commander';

/**
 * Exit codes: 0 verified/ok, 1 verification failed, 2 bad input or configuration, 3 could not decide
 * (a registry, OCSP/CRL server or timestamp that did not answer in time: try again). notation exits 1
 * for all three; the table is in the README.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNDECIDED = 3;

/** What `addLogOptions` adds to a command's options. */
export interface LogCliOptions {
  debug?: boolean;
  verbose?: boolean;
}

/** What `addRegistryOptions` adds to a command's options. */
export interface RegistryCliOptions {
  plainHttp?: boolean;
  insecure?: boolean;
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  registryConfig?: string;
}

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: CliOutput = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

/** Default deadline of registry commands (discover, inspect, copy). */
export const DEFAULT_COMMAND_TIMEOUT_SECONDS = 300;

/** Add --plain-http, --insecure, --username/--password, --password-stdin and --registry-config. */
export function addRegistryOptions(command: Command): Command {
  return command
    .option('--plain-http', 'talk plain HTTP instead of HTTPS to registries')
    .option('--insecure', 'skip TLS certificate verification of registries')
    .option('-u, --username <username>', 'registry username (with --password or --password-stdin)')
    .option('-p, --password <password>', 'registry password or token (prefer --password-stdin: command lines are visible to other users)')
    .option('--password-stdin', 'read the password or token from standard input')
    .option('--registry-config <path>', 'Docker config.json with credentials (auths, credHelpers, credsStore); default $DOCKER_CONFIG/config.json or ~/.docker/config.json');
}

/** notation's -d/--debug and -v/--verbose (every command but serve, which has kyverno-notation-aws's --debug). */
export function addLogOptions(command: Command): Command {
  return command.option('-d, --debug', 'debug mode: a failure also prints the chain of errors that caused it').option('-v, --verbose', 'verbose mode: print the details of the result');
}

/** `--timeout <seconds>` of the registry commands, read by `timeoutSignal`. */
export function addTimeoutOption(command: Command): Command {
  return command.option('--timeout <seconds>', `deadline for the whole command (default ${DEFAULT_COMMAND_TIMEOUT_SECONDS})`);
}

/** Commander's argument parser for a repeatable flag: every value, in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * notation's config dir as notation finds it: `$NOTATION_CONFIG` (notation's variable), else
 * `$NOTATION_DIR` (kyverno-notation-aws's), else Go's os.UserConfigDir() + `/notation`:
 * `$XDG_CONFIG_HOME/notation` (default `~/.config/notation`) on Linux, `~/Library/Application
 * Support/notation` on macOS; a relative `$XDG_CONFIG_HOME` is an error to Go, on which notation-go
 * falls back to `.notation` in the working directory.
 */
export function notationConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.NOTATION_CONFIG) return env.NOTATION_CONFIG;
  if (env.NOTATION_DIR) return env.NOTATION_DIR;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'notation');
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && !isAbsolute(xdg)) return '.notation';
  return join(xdg || join(homedir(), '.config'), 'notation');
}
