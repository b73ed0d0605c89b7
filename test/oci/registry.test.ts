// Repository against the real CNCF distribution registry (no auth): manifests, blobs, uploads, referrers.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { computeDigest, MEDIA_TYPE_DOCKER_CONFIG, MEDIA_TYPE_DOCKER_LAYER_GZIP, MEDIA_TYPE_DOCKER_MANIFEST, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST, OciError, pushImage, RegistryClient } from '../../src/oci/index.js';
import { encodeJsonDocument } from '../../src/oci/json.js';
import { pushArtifact, pushIndex } from '../../src/oci/push.js';
import { referrersTag } from '../../src/oci/referrers.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { rejectionOf } from '../support/errors.js';

let registry: RegistryServer;
let client: RegistryClient;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 } });
});
afterAll(async () => {
  await client?.close();
  await registry?.stop();
});

describe('read and write', () => {
  test('pushImage, then resolve (HEAD), fetchManifest and fetchBlob give back the same bytes', async () => {
    const repo = client.repository(registry.host, 'app/basic');
    const image = await pushImage(repo, { tag: 'v1', layers: [text('layer one'), text('layer two')] });
    const resolved = await repo.resolve('v1');
    expect(resolved).toEqual({ mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: image.descriptor.digest, size: image.bytes.length });
    expect(await repo.resolve(image.descriptor.digest)).toEqual(resolved);
    const byTag = await repo.fetchManifest('v1');
    expect(Buffer.from(byTag.bytes)).toEqual(Buffer.from(image.bytes));
    expect(byTag.descriptor).toEqual(resolved);
    const byDescriptor = await repo.fetchManifest(resolved);
    expect(byDescriptor.manifest).toEqual(image.manifest);
    expect(new TextDecoder().decode(await repo.fetchBlob(image.layers[1]!))).toBe('layer two');
    expect(await repo.hasBlob(image.layers[0]!)).toBe(true);
    expect(await repo.tags()).toEqual(['v1']);
  });

  test('an OCI index and a Docker v2 manifest are pushed and read with their media types', async () => {
    const repo = client.repository(registry.host, 'app/multi');
    const amd64 = await pushImage(repo, { layers: [text('amd64')] });
    const arm64 = await pushImage(repo, { layers: [text('arm64')], platform: { architecture: 'arm64', os: 'linux' } });
    const index = await pushIndex(repo, { tag: 'multi', manifests: [amd64.descriptor, arm64.descriptor] });
    expect(await repo.resolve('multi')).toEqual({ mediaType: MEDIA_TYPE_OCI_INDEX, digest: index.descriptor.digest, size: index.bytes.length });

    const layer = await repo.pushBlob(text('docker layer'), MEDIA_TYPE_DOCKER_LAYER_GZIP);
    const config = await repo.pushBlob(encodeJsonDocument({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }), MEDIA_TYPE_DOCKER_CONFIG);
    const docker = text(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_DOCKER_MANIFEST, config, layers: [layer] }));
    await repo.pushManifest(docker, MEDIA_TYPE_DOCKER_MANIFEST, 'docker');
    const fetched = await repo.fetchManifest('docker');
    expect(fetched.descriptor).toEqual({ mediaType: MEDIA_TYPE_DOCKER_MANIFEST, digest: computeDigest(docker), size: docker.length });
  });

  test('chunked upload (PATCH) and cross-repository mount', async () => {
    const chunked = new RegistryClient({ plainHttpForLocalhost: true, monolithicUploadMaxBytes: 1000, uploadChunkBytes: 700 });
    try {
      const repo = chunked.repository(registry.host, 'app/chunked');
      const big = new Uint8Array(2500).map((_, i) => i % 251);
      const descriptor = await repo.pushBlob(big, 'application/octet-stream');
      expect(Buffer.from(await repo.fetchBlob(descriptor))).toEqual(Buffer.from(big));
      const other = chunked.repository(registry.host, 'app/mounted');
      expect(await other.hasBlob(descriptor)).toBe(false);
      expect(await other.mountBlob(descriptor, repo)).toBe(true);
      expect(await other.hasBlob(descriptor)).toBe(true);
    } finally {
      await chunked.close();
    }
  });
});

describe('referrers without the Referrers API (distribution 2.8): the tag schema', () => {
  test('pushing a manifest with subject updates the <alg>-<hex> index; referrers() reads and filters it', async () => {
    const repo = client.repository(registry.host, 'app/referred');
    const image = await pushImage(repo, { tag: 'v1', layers: [text('subject')] });
    const signature = await pushArtifact(repo, { artifactType: 'application/vnd.cncf.notary.signature', subject: image.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text('{}') }] });
    const sbom = await pushArtifact(repo, { artifactType: 'application/spdx+json', subject: image.descriptor, blobs: [{ mediaType: 'application/spdx+json', bytes: text('{"sbom":1}') }], annotations: { 'org.example': 'x' } });
    expect(repo.referrersApiSupport).toBe('unsupported');
    const all = await repo.referrers(image.descriptor);
    expect(all).toEqual([
      { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: signature.descriptor.digest, size: signature.bytes.length, artifactType: 'application/vnd.cncf.notary.signature' },
      { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: sbom.descriptor.digest, size: sbom.bytes.length, artifactType: 'application/spdx+json', annotations: { 'org.example': 'x' } },
    ]);
    expect((await repo.referrers(image.descriptor, 'application/spdx+json')).map((d) => d.digest)).toEqual([sbom.descriptor.digest]);
    // Pushing the same referrer again leaves the index as it is (deduplicated).
    const before = await repo.resolve(referrersTag(image.descriptor.digest));
    await repo.pushManifest(sbom.bytes, MEDIA_TYPE_OCI_MANIFEST);
    expect(await repo.resolve(referrersTag(image.descriptor.digest))).toEqual(before);
    // An image without referrers has none.
    const lonely = await pushImage(repo, { layers: [text('lonely')] });
    expect(await repo.referrers(lonely.descriptor)).toEqual([]);
  });
});

describe('integrity and limits', () => {
  test('a blob altered in the registry storage is rejected with DIGEST_MISMATCH', async () => {
    const repo = client.repository(registry.host, 'app/tampered');
    const image = await pushImage(repo, { tag: 'v1', layers: [text('original content!')] });
    const layer = image.layers[0]!;
    const hex = layer.digest.slice('sha256:'.length);
    const file = join(registry.rootDir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    const original = await readFile(file);
    await writeFile(file, Buffer.from('altered content!!'));
    const error = await rejectionOf(OciError, repo.fetchBlob(layer));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(layer.digest);
    await writeFile(file, Buffer.concat([original, Buffer.from('+')]));
    expect((await rejectionOf(OciError, repo.fetchBlob(layer))).code).toBe('DIGEST_MISMATCH');
    await writeFile(file, original);
    expect(new TextDecoder().decode(await repo.fetchBlob(layer))).toBe('original content!');
  });

  test('an oversized manifest is refused with SIZE_LIMIT_EXCEEDED (on HEAD, on GET and on push)', async () => {
    const repo = client.repository(registry.host, 'app/oversized');
    const annotations: Record<string, string> = { padding: 'x'.repeat(5000) };
    const image = await pushImage(repo, { tag: 'big', layers: [text('x')], annotations });
    const small = new RegistryClient({ plainHttpForLocalhost: true, limits: { maxManifestBytes: 4096 } });
    try {
      const limited = small.repository(registry.host, 'app/oversized');
      expect((await rejectionOf(OciError, limited.resolve('big'))).code).toBe('SIZE_LIMIT_EXCEEDED');
      expect((await rejectionOf(OciError, limited.fetchManifest(image.descriptor.digest))).code).toBe('SIZE_LIMIT_EXCEEDED');
      expect((await rejectionOf(OciError, limited.fetchManifest(image.descriptor))).code).toBe('SIZE_LIMIT_EXCEEDED');
      expect((await rejectionOf(OciError, limited.pushManifest(image.bytes, MEDIA_TYPE_OCI_MANIFEST))).code).toBe('SIZE_LIMIT_EXCEEDED');
    } finally {
      await small.close();
    }
  });

  test.each([
    { what: 'unknown tag', run: () => client.repository(registry.host, 'app/basic').resolve('nope'), code: 'MANIFEST_NOT_FOUND' },
    { what: 'unknown repository', run: () => client.repository(registry.host, 'no/such').fetchManifest('v1'), code: 'MANIFEST_NOT_FOUND' },
    { what: 'unknown blob', run: () => client.repository(registry.host, 'app/basic').fetchBlob({ mediaType: 'x', digest: 'sha256:' + '1'.repeat(64), size: 3 }), code: 'BLOB_NOT_FOUND' },
    { what: 'nothing listening', run: () => client.repository('127.0.0.1:1', 'a').resolve('v1'), code: 'REGISTRY_UNAVAILABLE' },
  ])('$what → $code', async ({ run, code }) => {
    expect((await rejectionOf(OciError, run())).code).toBe(code);
  });
});
