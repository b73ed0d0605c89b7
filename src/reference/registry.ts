// The canonical spelling of a registry host, so one registry named several ways is one registry (trust-policy scopes, patches).
import { DEFAULT_REGISTRY, DOCKER_HUB_ALIASES, DEFAULT_HTTPS_PORT } from './constants.js';

/**
 * `registry` (host[:port], as references and scopes write it) in its canonical spelling:
 * the host lower-cased, the port as a plain number (`:05000` → `:5000`) and left out when it
 * is 443, and Docker Hub's other names (`index.docker.io`, `registry-1.docker.io`) as
 * `docker.io`. Only spellings of the same name are merged: `localhost`, `127.0.0.1` and `[::1]`
 * stay different registries (what a name resolves to is the node's business, not ours), and so
 * do other IP notations. This is a deliberate difference from notation, which compares scopes
 * as exact strings.
 */
export function canonicalRegistry(registry: string): string {
  const lower = registry.toLowerCase();
  // The port follows the last colon outside IPv6 brackets.
  const match = /^(\[[^\]]*\]|[^:]*)(?::([0-9]+))?$/.exec(lower);
  if (!match) return lower;
  const host = match[1] as string;
  const portText = match[2];
  let port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isSafeInteger(port) || port > 65535)) return lower;
  if (port === DEFAULT_HTTPS_PORT) port = undefined;
  const name = port === undefined && DOCKER_HUB_ALIASES.includes(host) ? DEFAULT_REGISTRY : host;
  return port === undefined ? name : `${name}:${port}`;
}

/** `registry/repository` with the registry in its canonical spelling (the repository is left as written). */
export function canonicalRepository(repository: string): string {
  const slash = repository.indexOf('/');
  if (slash < 0) return repository;
  return `${canonicalRegistry(repository.slice(0, slash))}${repository.slice(slash)}`;
}
