// Registry URLs: the endpoint of a registry name, loopback registries, and Link headers of paginated answers.
import { DOCKER_HUB_ENDPOINT, DOCKER_HUB_REGISTRY } from './constants.js';

/** True for `localhost`, 127.0.0.0/8 and `[::1]`, with or without a port. */
export function isLocalhost(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : (registry.split(':')[0] ?? registry);
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `https://registry-1.docker.io` for docker.io; `http(s)://<host>` otherwise. */
export function registryBaseUrl(registry: string, plainHttp: boolean): URL {
  const host = registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_ENDPOINT : registry;
  return new URL(`${plainHttp ? 'http' : 'https'}://${host}`);
}

/** Parse `Link: <url>; rel="next"` (RFC 8288), resolved against the request URL. */
export function nextLink(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(?:^|;)\s*rel\s*=\s*"?next"?\s*(?:;|$)/i.test(match[2] as string)) return new URL(match[1] as string, base);
  }
  return undefined;
}
