// Keep-alive: tag resolves (HEAD) reuse registry connections (undici closes one after a HEAD unless told not to).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MEDIA_TYPE_OCI_MANIFEST, RegistryClient } from '../../src/oci/index.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const MANIFEST_SIZE = 512;
const RESOLVES = 20;

/** A registry double that answers every manifest HEAD and counts the TCP connections it accepts. */
let registry: Server;
let host: string;
let connections = 0;
let heads = 0;

beforeAll(async () => {
  registry = createServer((request, response) => {
    if (request.method === 'HEAD' && /^\/v2\/team\/app\/manifests\/[^/]+$/.test(request.url ?? '')) {
      heads += 1;
      response.writeHead(200, { 'content-type': MEDIA_TYPE_OCI_MANIFEST, 'content-length': MANIFEST_SIZE, 'docker-content-digest': DIGEST });
      response.end();
      return;
    }
    response.writeHead(404).end();
  });
  registry.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(registry.address() as AddressInfo).port}`;
});

afterAll(async () => {
  registry.closeAllConnections();
  await new Promise<void>((resolve) => registry.close(() => resolve()));
});

/**
 * At most two: the pool may dispatch the next HEAD while the previous response is still being
 * released, and then alternates between the two sockets. Without keep-alive after HEAD every resolve
 * opened a connection of its own (20 here).
 */
const MAX_CONNECTIONS = 2;

test(`${RESOLVES} sequential tag resolves share ${MAX_CONNECTIONS} keep-alive connections at most`, async () => {
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  try {
    const repository = client.repository(host, 'team/app');
    for (let i = 0; i < RESOLVES; i++) {
      expect(await repository.resolve(`v${i}`)).toEqual({ mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: DIGEST, size: MANIFEST_SIZE });
    }
  } finally {
    await client.close();
  }
  expect(heads).toBe(RESOLVES);
  expect(connections).toBeLessThanOrEqual(MAX_CONNECTIONS);
});
