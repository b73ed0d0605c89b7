// Blob redirects (registries hand blobs to storage): followed, without the registry's credentials
// when they leave the registry's origin; and sha512 digests verified like sha256 ones.
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OciError, OciLayoutStore, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { listenHttpDouble, type HttpDoubleServer } from '../support/http-double.js';

const BLOB = Buffer.from('blob kept in object storage');
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const servers: HttpDoubleServer[] = [];
const storageRequests: IncomingHttpHeaders[] = [];
let registryHost: string;

async function listen(handler: RequestListener): Promise<number> {
  const server = await listenHttpDouble(handler);
  servers.push(server);
  return server.port;
}

beforeAll(async () => {
  // Object storage double: serves the blob to anyone, records what it was sent.
  const storagePort = await listen((req, res) => {
    storageRequests.push(req.headers);
    res.writeHead(200, { 'content-length': BLOB.length });
    res.end(BLOB);
  });
  // Registry double: Basic auth, then redirects blob reads to the storage origin.
  const registryPort = await listen((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('dave:pw-for-registry').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="double"' });
      res.end();
      return;
    }
    res.writeHead(307, { location: `http://localhost:${storagePort}/bucket/blob?sig=abc` });
    res.end();
  });
  registryHost = `127.0.0.1:${registryPort}`;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

test('a blob redirected to another origin is fetched there without the Authorization header', async () => {
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: 'dave', password: 'pw-for-registry' }) });
  try {
    const bytes = await client.repository(registryHost, 'app').fetchBlob({ mediaType: 'application/octet-stream', digest: DIGEST, size: BLOB.length });
    expect(Buffer.from(bytes).equals(BLOB)).toBe(true);
    expect(storageRequests).toHaveLength(1);
    expect(storageRequests[0]?.authorization).toBeUndefined();
  } finally {
    await client.close();
  }
});

test('sha512 digests are verified like sha256 ones', async () => {
  const work = await mkdtemp(join(tmpdir(), 'imgverify-sha512-'));
  try {
    const store = await OciLayoutStore.open(work, { create: true });
    const hex = createHash('sha512').update(BLOB).digest('hex');
    await mkdir(join(work, 'blobs/sha512'), { recursive: true });
    await writeFile(join(work, 'blobs/sha512', hex), BLOB);
    const descriptor = { mediaType: 'application/octet-stream', digest: `sha512:${hex}`, size: BLOB.length };
    expect(Buffer.from(await store.fetchBlob(descriptor)).equals(BLOB)).toBe(true);
    await writeFile(join(work, 'blobs/sha512', hex), Buffer.from(BLOB).fill(0x61, 0, 1));
    const error = await store.fetchBlob(descriptor).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OciError);
    expect((error as OciError).code).toBe('DIGEST_MISMATCH');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('a referrers page link to another origin is followed without the registry credentials', async () => {
  const subject = `sha256:${'a'.repeat(64)}`;
  const foreignRequests: IncomingHttpHeaders[] = [];
  const emptyIndex = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
  const foreignPort = await listen((req, res) => {
    foreignRequests.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
    res.end(emptyIndex);
  });
  // Registry double: Basic auth; its Referrers API answers one page whose next link leaves its origin.
  const registryPort = await listen((req, res) => {
    if (req.headers.authorization !== `Basic ${Buffer.from('erin:pw-for-registry').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="double"' });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', link: `<http://localhost:${foreignPort}/v2/app/referrers/${subject}?page=2>; rel="next"` });
    res.end(emptyIndex);
  });
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: 'erin', password: 'pw-for-registry' }) });
  try {
    const referrers = await client.repository(`127.0.0.1:${registryPort}`, 'app').referrers({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: subject, size: 2 });
    expect(referrers).toEqual([]);
    expect(foreignRequests).toHaveLength(1);
    expect(foreignRequests[0]?.authorization).toBeUndefined();
  } finally {
    await client.close();
  }
});
