// Registry credentials of --imagePullSecrets in file mode: Docker config JSON or kubernetes.io/dockerconfigjson Secrets.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readFileLimited } from '../common/index.js';
import { credentialsFromDockerConfig, parseDockerConfig, type CredentialProvider } from '../oci/index.js';
import { ServiceError } from './errors.js';

/** A pull secret file is small; anything larger is not one. */
const MAX_PULL_SECRET_BYTES = 256 * 1024;
/** Key of the Docker config in a kubernetes.io/dockerconfigjson Secret (and its file in a mounted volume). */
export const DOCKER_CONFIG_SECRET_KEY = '.dockerconfigjson';

type DockerConfig = ReturnType<typeof parseDockerConfig>;

async function readSmall(path: string): Promise<string> {
  const bytes = await readFileLimited(path, MAX_PULL_SECRET_BYTES, (problem) => {
    switch (problem.reason) {
      case 'unreadable':
        return problem.cause instanceof Error ? problem.cause : new Error(String(problem.cause));
      case 'not-a-file':
        return new Error('is not a regular file');
      case 'too-large':
        return new Error(`is ${problem.size} bytes, more than ${MAX_PULL_SECRET_BYTES}`);
    }
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The Docker config JSON a pull secret file holds: the JSON itself (`config.json`,
 * `.dockerconfigjson`), or a Secret manifest (YAML/JSON) with `data[.dockerconfigjson]` (base64)
 * or `stringData[.dockerconfigjson]`. A directory is a mounted Secret volume.
 */
async function dockerConfigText(path: string): Promise<string> {
  const info = await stat(path);
  if (info.isDirectory()) {
    for (const name of [DOCKER_CONFIG_SECRET_KEY, 'config.json']) {
      try {
        return await readSmall(join(path, name));
      } catch {
        // try the next name
      }
    }
    throw new Error(`holds neither ${DOCKER_CONFIG_SECRET_KEY} nor config.json`);
  }
  const text = await readSmall(path);
  let value: unknown;
  try {
    value = parseYaml(text, { maxAliasCount: 10 });
  } catch {
    return text; // let the Docker config parser say what is wrong
  }
  if (value !== null && typeof value === 'object' && (value as { kind?: unknown }).kind === 'Secret') {
    const secret = value as { data?: Record<string, unknown>; stringData?: Record<string, unknown> };
    const plain = secret.stringData?.[DOCKER_CONFIG_SECRET_KEY];
    if (typeof plain === 'string') return plain;
    const encoded = secret.data?.[DOCKER_CONFIG_SECRET_KEY];
    if (typeof encoded === 'string') return Buffer.from(encoded, 'base64').toString('utf8');
    throw new Error(`is a Secret without data["${DOCKER_CONFIG_SECRET_KEY}"] (create it with kubectl create secret docker-registry)`);
  }
  return text;
}

/**
 * Credentials from every --imagePullSecrets entry (file or directory path); the first entry
 * that has credentials for a registry wins. Credential helpers are not run for pull secrets:
 * a Secret names registries and passwords, never programs to execute.
 */
export async function loadPullSecrets(paths: readonly string[]): Promise<CredentialProvider | undefined> {
  if (paths.length === 0) return undefined;
  const merged: DockerConfig = { auths: {} };
  for (const path of paths) {
    let config: DockerConfig;
    try {
      config = parseDockerConfig(await dockerConfigText(path), `--imagePullSecrets ${path}`);
    } catch (err) {
      throw new ServiceError(
        'INVALID_PULL_SECRET',
        `--imagePullSecrets ${path}: ${err instanceof Error ? err.message : String(err)}; in file mode each entry is a Docker config.json, a .dockerconfigjson file or a kubernetes.io/dockerconfigjson Secret manifest`,
        { cause: err },
      );
    }
    for (const [registry, entry] of Object.entries(config.auths ?? {})) {
      if (merged.auths && !(registry in merged.auths)) merged.auths[registry] = entry;
    }
  }
  return credentialsFromDockerConfig(merged);
}
