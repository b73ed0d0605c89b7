// The registry's API version check (`GET /v2/`) with credentials: what `docker login` and oras's Login ask before saving them.
import type { RegistryClient } from './client.js';
import { unexpectedAnswer } from './registry-errors.js';

/** Resolves when `registry` accepts the client's credentials on `/v2/`; OciError UNAUTHORIZED when it rejects them. */
export async function pingRegistry(client: RegistryClient, registry: string, signal?: AbortSignal): Promise<void> {
  const what = `log in to ${registry}`;
  const res = await client.send(registry, { method: 'GET', url: '/v2/', scopes: [], idempotent: true, what, ...(signal ? { signal } : {}) });
  if (res.status === 200) {
    await res.body.dump();
    return;
  }
  throw await unexpectedAnswer(res, { what, name: registry, registry });
}
