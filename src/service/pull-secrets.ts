// Registry credentials of --imagePullSecrets in file mode: Docker config JSON or kubernetes.io/dockerconfigjson Secrets.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readTextFileLimited } from '../common/index.js';
import { credentialsFromDockerConfig, parseDockerConfig, type CredentialProvider } from '../oci/index.js';
import { ServiceError } from './errors.js';

/** A pull secret file is small; anything larger is not one. */
const MAX_PULL_SECRET_BYTES = 256 * 1024;
/** A Kubernetes object name (DNS-1123 subdomain): what a Secret name looks like. */
const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Key of the Docker config in a kubernetes.io/dockerconfigjson Secret (and its file in a mounted volume). */
export const DOCKER_CONFIG_SECRET_KEY = '.dockerconfigjson';

type DockerConfig = ReturnType<typeof parseDockerConfig>;

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
        return await readTextFileLimited(join(path, name), MAX_PULL_SECRET_BYTES);
      } catch {
        // try the next name
      }
    }
    throw new Error(`holds neither ${DOCKER_CONFIG_SECRET_KEY} nor config.json`);
  }
  const text = await readTextFileLimited(path, MAX_PULL_SECRET_BYTES);
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
export async function loadPullSecrets(paths: readonly string[], options: { warn?: (message: string) => void } = {}): Promise<CredentialProvider | undefined> {
  const merged: DockerConfig = { auths: {} };
  let loaded = 0;
  for (const path of paths) {
    // kyverno-notation-aws's form, a Secret name (`--imagePullSecrets=regcred`), means nothing on disk:
    // say what file mode takes and go on without it (images that need it get a 406 that says so).
    if (SECRET_NAME.test(path) && !(await stat(path).then(() => true, () => false))) {
      options.warn?.(
        `--imagePullSecrets ${path}: no such file, ignored; in file mode each entry is a path to a Docker config.json, a .dockerconfigjson file or a kubernetes.io/dockerconfigjson Secret manifest (e.g. --imagePullSecrets=/etc/imgverify/${path}.yaml); ` +
          'Secret names are read from the cluster in Kubernetes mode (in a pod, or with --kubeconfig)',
      );
      continue;
    }
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
    loaded += 1;
  }
  return loaded === 0 ? undefined : credentialsFromDockerConfig(merged);
}
