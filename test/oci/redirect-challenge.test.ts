// A redirect to another origin that answers 401: its challenge is not the registry's, so the registry's
// credentials never reach the realm it names and the registry's auth state stays as it was (issue 9, H3).
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OciError, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { rejectionOf } from '../support/errors.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';
import { startTokenServerDouble, type TokenServerDouble } from '../support/token-server-double.js';

const BLOB = Buffer.from('blob behind a hostile redirect');
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const MANIFEST = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }));
const BASIC = `Basic ${Buffer.from('frank:pw-for-registry').toString('base64')}`;

let work: string;
let foreignTokenServer: TokenServerDouble;
let foreign: HttpDoubleServer;
let registry: HttpDoubleServer;
const registryAuthorizations: Array<string | undefined> = [];
const foreignRequests: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-redirect-challenge-'));
  // The realm the foreign origin names: it would accept the registry's credentials and hand out tokens.
  foreignTokenServer = await startTokenServerDouble(work, { users: { frank: 'pw-for-registry' }, anonymousPull: true });
  foreign = await listenHttpDouble((req, res) => {
    foreignRequests.push(req.headers);
    res.writeHead(401, { 'www-authenticate': `Bearer realm="${foreignTokenServer.realm}",service="${foreignTokenServer.service}",scope="repository:app:pull"` });
    res.end();
  });
  // Registry double: Basic auth; blobs redirect to the foreign origin, manifests are served.
  registry = await listenHttpDouble((req, res) => {
    registryAuthorizations.push(req.headers.authorization);
    if (req.headers.authorization !== BASIC) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="double"' });
      res.end();
      return;
    }
    if (req.url?.startsWith('/v2/app/blobs/')) {
      res.writeHead(307, { location: `http://localhost:${foreign.port}/bucket/blob` });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'content-length': MANIFEST.length });
    res.end(MANIFEST);
  });
});
afterAll(async () => {
  await Promise.all([registry?.stop(), foreign?.stop(), foreignTokenServer?.stop()]);
  await rm(work, { recursive: true, force: true });
});

test('a 401 Bearer challenge from the origin a redirect led to gets no credentials and leaves the registry auth state alone', async () => {
  const client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, credentials: staticCredentials({ username: 'frank', password: 'pw-for-registry' }) });
  try {
    const repository = client.repository(`127.0.0.1:${registry.port}`, 'app');
    // The registry's scheme is learnt first, so the blob request carries Basic up front.
    expect((await repository.fetchManifest('v1')).bytes.length).toBe(MANIFEST.length);
    expect(registryAuthorizations).toEqual([undefined, BASIC]);
    const error = await rejectionOf(OciError, repository.fetchBlob({ mediaType: 'application/octet-stream', digest: DIGEST, size: BLOB.length }));
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      `blob 127.0.0.1:${registry.port}/app@${DIGEST}: http://localhost:${foreign.port}, where 127.0.0.1:${registry.port} redirected us, asks for credentials; the credentials of 127.0.0.1:${registry.port} are not sent to another origin`,
    );
    // The foreign origin was asked once, without credentials, and its realm never.
    expect(foreignRequests.map((headers) => headers.authorization)).toEqual([undefined]);
    expect(foreignTokenServer.requests).toEqual([]);
    // The registry still speaks Basic: the next request carries the Basic credentials up front, no foreign token.
    registryAuthorizations.length = 0;
    const fetched = await repository.fetchManifest('v1');
    expect(fetched.bytes.length).toBe(MANIFEST.length);
    expect(registryAuthorizations).toEqual([BASIC]);
    expect(foreignTokenServer.requests).toEqual([]);
  } finally {
    await client.close();
  }
});
