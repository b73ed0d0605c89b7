// OciLayoutStore reads the upstream notation layouts (tag-schema referrers) and writes valid layouts.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ANNOTATION_REF_NAME, copyGraph, MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST, OciError, OciLayoutStore, pushImage } from '../../src/oci/index.js';
import { pushArtifact, pushIndex } from '../../src/oci/push.js';
import { referrersTag } from '../../src/oci/referrers.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { rejectionOf } from '../support/errors.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');
const IMAGE_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SIGNATURE_TYPE = 'application/vnd.cncf.notary.signature';

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-layout-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('upstream notation e2e layouts', () => {
  test.each([
    { layout: 'e2e', signatures: [] as string[] },
    { layout: 'e2e-valid-signature', signatures: ['sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f'] },
    { layout: 'e2e-invalid-signature', signatures: ['sha256:321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9'] },
  ])('$layout: v1 resolves and lists its signature referrers', async ({ layout, signatures }) => {
    const store = await OciLayoutStore.open(join(E2E, layout));
    const descriptor = await store.resolve('v1');
    expect(descriptor).toEqual({ mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: IMAGE_DIGEST, size: 517 });
    const referrers = await store.referrers(descriptor, SIGNATURE_TYPE);
    expect(referrers.map((r) => r.digest)).toEqual(signatures);
    expect(referrers.every((r) => r.artifactType === SIGNATURE_TYPE)).toBe(true);
    expect(await store.referrers(descriptor, 'application/other')).toEqual([]);
    const fetched = await store.fetchManifest(descriptor);
    expect(fetched.bytes.length).toBe(517);
  });

  test('finds referrers by subject when the layout has no tag-schema index', async () => {
    const dir = join(work, 'no-tag-index');
    await cp(join(E2E, 'e2e-valid-signature'), dir, { recursive: true });
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ mediaType: string }> };
    index.manifests = index.manifests.filter((m) => m.mediaType !== MEDIA_TYPE_OCI_INDEX);
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));
    const store = await OciLayoutStore.open(dir);
    const referrers = await store.referrers(await store.resolve('v1'));
    expect(referrers).toEqual([
      {
        mediaType: MEDIA_TYPE_OCI_MANIFEST,
        digest: 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
        size: 728,
        artifactType: SIGNATURE_TYPE,
        annotations: {
          'io.cncf.notary.x509chain.thumbprint#S256': '["e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9"]',
          'org.opencontainers.image.created': '2023-06-27T05:30:33Z',
        },
      },
    ]);
  });

  test('layout → layout copy with referrers reproduces every blob byte for byte, tag-schema index included', async () => {
    const source = join(E2E, 'e2e-valid-signature');
    const target = join(work, 'copy-out');
    const result = await copyGraph(await OciLayoutStore.open(source), await OciLayoutStore.open(target, { create: true }), 'v1', { recursive: true });
    expect(result).toMatchObject({ manifests: 1, referrers: 1, blobs: 3 });
    const sourceBlobs = (await readdir(join(source, 'blobs/sha256'))).sort();
    expect((await readdir(join(target, 'blobs/sha256'))).sort()).toEqual(sourceBlobs);
    for (const blob of sourceBlobs) {
      expect(await readFile(join(target, 'blobs/sha256', blob))).toEqual(await readFile(join(source, 'blobs/sha256', blob)));
    }
    const out = await OciLayoutStore.open(target);
    expect((await out.tags()).sort()).toEqual([referrersTag(IMAGE_DIGEST), 'v1'].sort());
  });
});

describe('integrity and limits', () => {
  test('a tampered blob is rejected with DIGEST_MISMATCH', async () => {
    const dir = join(work, 'tampered');
    await cp(join(E2E, 'e2e-valid-signature'), dir, { recursive: true });
    const envelope = join(dir, 'blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50');
    const bytes = await readFile(envelope);
    bytes[100] = bytes[100] === 0x41 ? 0x42 : 0x41;
    await writeFile(envelope, bytes);
    const store = await OciLayoutStore.open(dir);
    const signature = await store.fetchManifest('sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f');
    const layer = (signature.manifest as { layers: Array<{ digest: string; size: number; mediaType: string }> }).layers[0]!;
    const error = await rejectionOf(OciError, store.fetchBlob(layer));
    expect(error.code).toBe('DIGEST_MISMATCH');
    // Longer content than the descriptor says is a mismatch too, not just "too large".
    await writeFile(envelope, Buffer.concat([await readFile(join(E2E, 'e2e-valid-signature/blobs/sha256/c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50')), Buffer.from('x')]));
    expect((await rejectionOf(OciError, store.fetchBlob(layer))).code).toBe('DIGEST_MISMATCH');
  });

  test('a manifest over the limit is refused with SIZE_LIMIT_EXCEEDED before it is read', async () => {
    const store = await OciLayoutStore.open(join(E2E, 'e2e'), { maxManifestBytes: 516 });
    const error = await rejectionOf(OciError, store.fetchManifest(IMAGE_DIGEST));
    expect(error.code).toBe('SIZE_LIMIT_EXCEEDED');
    expect(error.message).toMatch(/517 bytes, over the limit of 516/);
  });

  test.each([
    { what: 'unknown tag', run: (s: OciLayoutStore) => s.resolve('nope'), code: 'MANIFEST_NOT_FOUND' },
    { what: 'absent digest', run: (s: OciLayoutStore) => s.fetchManifest('sha256:' + '0'.repeat(64)), code: 'MANIFEST_NOT_FOUND' },
    { what: 'absent blob', run: (s: OciLayoutStore) => s.fetchBlob({ mediaType: 'x', digest: 'sha256:' + '0'.repeat(64), size: 1 }), code: 'BLOB_NOT_FOUND' },
    { what: 'bad digest string', run: (s: OciLayoutStore) => s.fetchBlob({ mediaType: 'x', digest: 'sha256:zz', size: 1 }), code: 'INVALID_ARGUMENT' },
  ])('$what → $code', async ({ run, code }) => {
    const store = await OciLayoutStore.open(join(E2E, 'e2e'));
    expect((await rejectionOf(OciError, run(store))).code).toBe(code);
  });

  test('a directory without oci-layout is INVALID_LAYOUT', async () => {
    expect((await rejectionOf(OciError, OciLayoutStore.open(work))).code).toBe('INVALID_LAYOUT');
  });
});

describe('writing layouts', () => {
  test('pushImage, pushIndex and pushArtifact build a multi-arch image with a referrer', async () => {
    const dir = join(work, 'written');
    const store = await OciLayoutStore.open(dir, { create: true });
    const amd64 = await pushImage(store, { layers: [new TextEncoder().encode('amd64 layer')] });
    const arm64 = await pushImage(store, { layers: [new TextEncoder().encode('arm64 layer')], platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } });
    const index = await pushIndex(store, { tag: 'multi', manifests: [amd64.descriptor, arm64.descriptor] });
    const sbom = await pushArtifact(store, {
      artifactType: 'application/spdx+json',
      subject: index.descriptor,
      blobs: [{ mediaType: 'application/spdx+json', bytes: new TextEncoder().encode('{"spdxVersion":"SPDX-2.3"}') }],
    });
    expect(await store.resolve('multi')).toEqual({ mediaType: MEDIA_TYPE_OCI_INDEX, digest: index.descriptor.digest, size: index.bytes.length });
    const referrers = await store.referrers(index.descriptor);
    expect(referrers).toEqual([{ mediaType: MEDIA_TYPE_OCI_MANIFEST, digest: sbom.descriptor.digest, size: sbom.bytes.length, artifactType: 'application/spdx+json' }]);
    const written = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string; annotations?: Record<string, string> }> };
    expect(written.manifests.map((m) => m.annotations?.[ANNOTATION_REF_NAME] ?? m.digest)).toEqual([
      amd64.descriptor.digest,
      arm64.descriptor.digest,
      'multi',
      sbom.descriptor.digest,
      referrersTag(index.descriptor.digest),
    ]);
    // Pushing the same referrer again leaves the tag-schema index unchanged.
    const tagIndex = await store.resolve(referrersTag(index.descriptor.digest));
    await store.pushManifest(sbom.bytes, MEDIA_TYPE_OCI_MANIFEST);
    expect(await store.resolve(referrersTag(index.descriptor.digest))).toEqual(tagIndex);
    // Re-tagging keeps the old target reachable as an untagged entry.
    await store.tag(amd64.descriptor, 'multi');
    expect((await store.resolve('multi')).digest).toBe(amd64.descriptor.digest);
    expect((await store.resolve(index.descriptor.digest)).digest).toBe(index.descriptor.digest);
  });
});
