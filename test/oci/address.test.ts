// The address rule for where a registry may send us (issue 9, M3b), end to end with a registry held to it
// through `publicRegistries` (tests can only listen on loopback); the classification table is test/common/address.test.ts.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { OciError, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';
import { startTokenServerDouble, type TokenServerDouble } from '../support/token-server-double.js';

describe('a registry held to the public rule', () => {
  const BLOB = Buffer.from('blob behind a redirect into the private network');
  const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
  const SUBJECT = `sha256:${'b'.repeat(64)}`;
  const EMPTY_INDEX = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
  const internalRequests: IncomingHttpHeaders[] = [];
  let work: string;
  let internal: HttpDoubleServer;
  let registry: HttpDoubleServer;
  let tokenRegistry: HttpDoubleServer;
  let internalTokenServer: TokenServerDouble;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'imgverify-address-'));
    // A service inside the private network: serves anything, with a body that must not reach an error message.
    internal = await listenHttpDouble((req, res) => {
      internalRequests.push(req.headers);
      if (req.url?.startsWith('/v2/app/referrers/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
        res.end(EMPTY_INDEX);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'NAME_UNKNOWN', message: 'internal-db.corp password=hunter2' }] }));
    });
    registry = await listenHttpDouble((req, res) => {
      const url = req.url ?? '';
      if (url.startsWith('/v2/app/blobs/by-name')) {
        res.writeHead(307, { location: `http://localhost:${internal.port}/blob` });
      } else if (url.startsWith('/v2/app/blobs/')) {
        res.writeHead(307, { location: `http://127.0.0.1:${internal.port}/blob` });
      } else if (url.startsWith('/v2/app/manifests/')) {
        res.writeHead(302, { location: `http://127.0.0.1:${internal.port}/manifest` });
      } else {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', link: `<http://localhost:${internal.port}/v2/app/referrers/${SUBJECT}?page=2>; rel="next"` });
        res.end(EMPTY_INDEX);
        return;
      }
      res.end();
    });
    internalTokenServer = await startTokenServerDouble(work, { users: { gina: 'pw-for-registry' }, anonymousPull: true });
    tokenRegistry = await listenHttpDouble((_req, res) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${internalTokenServer.realm}",service="${internalTokenServer.service}"` });
      res.end();
    });
  });
  afterAll(async () => {
    await Promise.all([internal?.stop(), registry?.stop(), tokenRegistry?.stop(), internalTokenServer?.stop()]);
    await rm(work, { recursive: true, force: true });
  });

  function publicClient(...hosts: string[]): RegistryClient {
    return new RegistryClient({
      plainHttpForLocalhost: true,
      retry: { maxRetries: 0 },
      publicRegistries: hosts,
      credentials: staticCredentials({ username: 'gina', password: 'pw-for-registry' }),
    });
  }

  test('a redirect to a loopback IP literal or to a name resolving to loopback is refused before connecting', async () => {
    const host = `127.0.0.1:${registry.port}`;
    const client = publicClient(host);
    try {
      const repository = client.repository(host, 'app');
      const literal = await rejectionOf(OciError, repository.fetchBlob({ mediaType: 'application/octet-stream', digest: DIGEST, size: BLOB.length }));
      expect(literal.code).toBe('REGISTRY_ERROR');
      expect(literal.message).toBe(
        `blob ${host}/app@${DIGEST}: refused to follow the registry to 127.0.0.1, a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses`,
      );
      const named = await rejectionOf(OciError, client.repository(host, 'app/blobs/by-name').fetchBlob({ mediaType: 'application/octet-stream', digest: DIGEST, size: BLOB.length }));
      expect(named.code).toBe('REGISTRY_ERROR');
      expect(named.message).toBe(
        `blob ${host}/app/blobs/by-name@${DIGEST}: refused to follow the registry to localhost, a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses`,
      );
      expect(internalRequests).toEqual([]);
    } finally {
      await client.close();
    }
  });

  test('a referrers Link into the private network is refused', async () => {
    const host = `127.0.0.1:${registry.port}`;
    const client = publicClient(host);
    try {
      const error = await rejectionOf(OciError, client.repository(host, 'app').referrers({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: SUBJECT, size: 2 }));
      expect(error.code).toBe('REGISTRY_ERROR');
      expect(error.message).toBe(
        `referrers of ${host}/app@${SUBJECT}: refused to follow the registry to localhost, a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses`,
      );
      expect(internalRequests).toEqual([]);
    } finally {
      await client.close();
    }
  });

  test('a token realm in the private network is not asked', async () => {
    const host = `127.0.0.1:${tokenRegistry.port}`;
    const client = publicClient(host);
    try {
      const error = await rejectionOf(OciError, client.repository(host, 'app').fetchManifest('v1'));
      expect(error.code).toBe('REGISTRY_ERROR');
      expect(error.message).toBe(
        `token request to ${new URL(internalTokenServer.realm).origin} for ${host}: refused to follow the registry to 127.0.0.1, a loopback, link-local or private address; a registry held to the public-address rule (one on a public address) may only send us to public addresses`,
      );
      expect(internalTokenServer.requests).toEqual([]);
    } finally {
      await client.close();
    }
  });

  test('a registry on a private address may redirect within private space, but the body found there is never quoted', async () => {
    const host = `127.0.0.1:${registry.port}`;
    const client = publicClient();
    try {
      const error = await rejectionOf(OciError, client.repository(host, 'app').fetchManifest('v1'));
      expect(error.code).toBe('MANIFEST_NOT_FOUND');
      expect(error.message).toBe(`manifest ${host}/app:v1: not found in ${host}/app; check the repository, tag or digest`);
      expect(internalRequests).toHaveLength(1);
    } finally {
      internalRequests.length = 0;
      await client.close();
    }
  });
});
