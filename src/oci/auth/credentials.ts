// Registry credentials: explicit ones, and Docker's config.json (auths, credHelpers, credsStore).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { jsonSyntaxErrorWhere } from '../../common/index.js';
import { CREDENTIAL_HELPER_TIMEOUT_MS, DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_ENDPOINT, DOCKER_HUB_REGISTRY, MAX_AUXILIARY_RESPONSE_BYTES } from '../constants.js';
import { OciError } from '../errors.js';

/** What a registry may accept. Never log or print these fields. */
export interface Credential {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user): exchanged at the token realm. */
  identityToken?: string;
  /** A bearer token sent as is (`registrytoken`). */
  registryToken?: string;
}

/** Credentials for a registry host (as in references: `docker.io`, `host:port`), or undefined for anonymous. */
export type CredentialProvider = (registry: string, signal?: AbortSignal) => Promise<Credential | undefined>;

export const anonymousCredentials: CredentialProvider = async () => undefined;

/** The same credential for every registry (CLI `--username/--password`) or for a set of them. */
export function staticCredentials(credential: Credential, registries?: string[]): CredentialProvider {
  return async (registry) => (!registries || registries.includes(registry) ? credential : undefined);
}

/** The first provider that has credentials for the registry wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return async (registry, signal) => {
    for (const provider of providers) {
      const found = await provider(registry, signal);
      if (found) return found;
    }
    return undefined;
  };
}

const authEntrySchema = z.object({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
});

const dockerConfigSchema = z.object({
  auths: z.record(z.string(), authEntrySchema).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});

export type DockerConfig = z.infer<typeof dockerConfigSchema>;

/** Where docker keeps config.json: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function defaultDockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** `https://index.docker.io/v1/` → `index.docker.io`; `http://host:5000/x` → `host:5000`. */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function sameRegistry(registry: string, key: string): boolean {
  const host = hostOfKey(key);
  if (host === registry) return true;
  const hub = [DOCKER_HUB_REGISTRY, 'index.docker.io', DOCKER_HUB_ENDPOINT];
  return hub.includes(registry) && hub.includes(host);
}

/** The server URL docker passes to credential helpers for a registry. */
function helperServerUrl(registry: string): string {
  return registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : registry;
}

function decodeAuthField(auth: string, registry: string): Credential {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new OciError('CREDENTIALS_UNAVAILABLE', `the "auth" entry for ${registry} in the Docker config is not base64 of "username:password"; run docker login again`);
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Credential of one `auths` entry; undefined when it holds nothing usable (e.g. only a store hint). */
function credentialOfEntry(entry: z.infer<typeof authEntrySchema>, registry: string): Credential | undefined {
  const credential: Credential = entry.auth ? decodeAuthField(entry.auth, registry) : {};
  if (entry.username !== undefined) credential.username = entry.username;
  if (entry.password !== undefined) credential.password = entry.password;
  if (entry.identitytoken) credential.identityToken = entry.identitytoken;
  if (entry.registrytoken) credential.registryToken = entry.registrytoken;
  const usable = (credential.username && credential.password !== undefined) || credential.identityToken || credential.registryToken;
  return usable ? credential : undefined;
}

const helperAnswerSchema = z.object({ Username: z.string().optional(), Secret: z.string() });

/** Run `docker-credential-<name> get` with the server URL on stdin; undefined when it has none. */
export async function runCredentialHelper(name: string, registry: string, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Credential | undefined> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    throw new OciError('CREDENTIALS_UNAVAILABLE', `credential helper name ${JSON.stringify(name)} is not a plain program suffix; fix credHelpers/credsStore in the Docker config`);
  }
  const program = `docker-credential-${name}`;
  const timeoutMs = options.timeoutMs ?? CREDENTIAL_HELPER_TIMEOUT_MS;
  const { code, stdout, failure } = await new Promise<{ code: number | null; stdout: string; failure?: Error }>((resolve) => {
    // Own process group, so a timeout kills the helper and anything it started (which may hold stdout open).
    const child = spawn(program, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let settled = false;
    const finish = (result: { code: number | null; stdout: string; failure?: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const kill = (why: string): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      finish({ code: null, stdout: '', failure: new Error(why) });
    };
    const timer = setTimeout(() => kill(`no answer within ${timeoutMs} ms`), timeoutMs);
    const onAbort = (): void => kill('cancelled');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (out.length + chunk.length > MAX_AUXILIARY_RESPONSE_BYTES) kill('answer too long');
      else out += chunk.toString('utf8');
    });
    child.stderr.resume();
    child.once('error', (err) => finish({ code: null, stdout: '', failure: err }));
    child.once('close', (exitCode) => finish({ code: exitCode, stdout: out }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(helperServerUrl(registry));
  });
  if (failure) {
    const notFound = (failure as NodeJS.ErrnoException).code === 'ENOENT';
    throw new OciError(
      'CREDENTIALS_UNAVAILABLE',
      notFound ? `credential helper ${program} is not on PATH; install it or remove it from the Docker config` : `credential helper ${program} failed for ${registry}: ${failure.message}`,
      { cause: failure },
    );
  }
  if (code !== 0) {
    // Helpers print "credentials not found in native keychain" for unknown servers: anonymous access.
    if (/credentials not found/i.test(stdout)) return undefined;
    throw new OciError('CREDENTIALS_UNAVAILABLE', `credential helper ${program} exited with code ${code} for ${registry}; run it by hand to see why`);
  }
  let answer: z.infer<typeof helperAnswerSchema>;
  try {
    answer = helperAnswerSchema.parse(JSON.parse(stdout));
  } catch {
    // The answer may hold a secret: say only that it was malformed.
    throw new OciError('CREDENTIALS_UNAVAILABLE', `credential helper ${program} answered something that is not {"Username","Secret"} JSON for ${registry}`);
  }
  if (answer.Username === '<token>') return { identityToken: answer.Secret };
  return { username: answer.Username ?? '', password: answer.Secret };
}

export function parseDockerConfig(text: string, source: string): DockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new OciError('CREDENTIALS_UNAVAILABLE', `${source} is not valid JSON${jsonSyntaxErrorWhere(text)}`, { cause: err });
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) throw new OciError('CREDENTIALS_UNAVAILABLE', `${source} is not a Docker config file: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  return parsed.data;
}

/** Lookup order as docker's: credHelpers for the host, then credsStore, then the `auths` entry. */
export function credentialsFromDockerConfig(config: DockerConfig, options: { helperTimeoutMs?: number } = {}): CredentialProvider {
  return async (registry, signal) => {
    const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => sameRegistry(registry, key));
    const helperOptions = { timeoutMs: options.helperTimeoutMs, ...(signal ? { signal } : {}) };
    if (helperKey) return runCredentialHelper(config.credHelpers?.[helperKey] as string, registry, helperOptions);
    if (config.credsStore) {
      const stored = await runCredentialHelper(config.credsStore, registry, helperOptions);
      if (stored) return stored;
    }
    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (sameRegistry(registry, key)) {
        const credential = credentialOfEntry(entry, registry);
        if (credential) return credential;
      }
    }
    return undefined;
  };
}

/**
 * Credentials from a Docker config.json, read on first use. A missing default file means
 * anonymous access; a missing explicitly named file is an error.
 */
export function dockerConfigCredentials(path?: string, options: { helperTimeoutMs?: number } = {}): CredentialProvider {
  let loaded: Promise<CredentialProvider> | undefined;
  const load = async (): Promise<CredentialProvider> => {
    const file = path ?? defaultDockerConfigPath();
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (!path && (err as NodeJS.ErrnoException).code === 'ENOENT') return anonymousCredentials;
      throw new OciError('CREDENTIALS_UNAVAILABLE', `cannot read the registry config ${file}: ${(err as Error).message}`, { cause: err });
    }
    return credentialsFromDockerConfig(parseDockerConfig(text, file), options);
  };
  return async (registry, signal) => (await (loaded ??= load()))(registry, signal);
}
