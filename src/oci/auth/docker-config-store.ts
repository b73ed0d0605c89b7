// `login` / `logout` on a Docker config.json: the `auths` entry of a registry written or removed, every other field kept.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DOCKER_HUB_CONFIG_KEY, DOCKER_HUB_ENDPOINT, DOCKER_HUB_REGISTRY } from '../constants.js';
import { OciError } from '../errors.js';
import { parseDockerConfig } from './credentials.js';

/** A Docker config file is small; a larger one is not ours to rewrite. */
const MAX_DOCKER_CONFIG_BYTES = 4 * 1024 * 1024;
const HUB_NAMES = [DOCKER_HUB_REGISTRY, 'index.docker.io', DOCKER_HUB_ENDPOINT];

/** The `auths` key docker writes for a registry (Docker Hub's legacy URL, else the host). */
export function dockerConfigKey(registry: string): string {
  return HUB_NAMES.includes(registry) ? DOCKER_HUB_CONFIG_KEY : registry;
}

function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function sameRegistry(registry: string, key: string): boolean {
  const host = hostOfKey(key);
  return host === registry || (HUB_NAMES.includes(registry) && HUB_NAMES.includes(host));
}

/** The file as a JSON object (validated as a Docker config), or `{}` when it does not exist. */
async function readConfigObject(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.byteLength > MAX_DOCKER_CONFIG_BYTES) throw new OciError('CREDENTIALS_UNAVAILABLE', `${path} is larger than ${MAX_DOCKER_CONFIG_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    if (err instanceof OciError) throw err;
    throw new OciError('CREDENTIALS_UNAVAILABLE', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  parseDockerConfig(text, path);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Written beside and renamed over, mode 0600: a crash never leaves half a config, and nobody else reads the secrets. */
async function writeConfigObject(path: string, config: Record<string, unknown>): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.imgverify-${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, '\t')}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
}

/** The credential helper docker would use for `registry`, if any (we do not write through helpers). */
function helperFor(config: Record<string, unknown>, registry: string): string | undefined {
  const helpers = (config.credHelpers ?? {}) as Record<string, string>;
  const key = Object.keys(helpers).find((each) => sameRegistry(registry, each));
  if (key) return helpers[key];
  return typeof config.credsStore === 'string' && config.credsStore !== '' ? config.credsStore : undefined;
}

/**
 * Store `username:password` for `registry` in the `auths` section (base64, as `docker login`
 * writes it without a credential store). A config that names a credential helper for the registry
 * is refused: the secret belongs in the helper (`docker login` stores it there).
 */
export async function storeDockerConfigCredential(path: string, registry: string, credential: { username: string; password: string }): Promise<void> {
  const config = await readConfigObject(path);
  const helper = helperFor(config, registry);
  if (helper !== undefined) {
    throw new OciError('CREDENTIALS_UNAVAILABLE', `${path} keeps credentials for ${registry} in the credential helper docker-credential-${helper}; log in with \`docker login ${registry}\` (imgverify reads the helper but does not write to it)`);
  }
  const auths = { ...((config.auths ?? {}) as Record<string, unknown>) };
  for (const key of Object.keys(auths)) if (sameRegistry(registry, key)) delete auths[key];
  auths[dockerConfigKey(registry)] = { auth: Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64') };
  await writeConfigObject(path, { ...config, auths });
}

/** Remove every `auths` entry of `registry`; returns whether there was one. */
export async function removeDockerConfigCredential(path: string, registry: string): Promise<boolean> {
  const config = await readConfigObject(path);
  const auths = { ...((config.auths ?? {}) as Record<string, unknown>) };
  const keys = Object.keys(auths).filter((key) => sameRegistry(registry, key));
  if (keys.length === 0) return false;
  for (const key of keys) delete auths[key];
  await writeConfigObject(path, { ...config, auths });
  return true;
}
