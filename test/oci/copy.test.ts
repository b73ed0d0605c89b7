// copyGraph between OCI layouts and the real registry: the upstream notation layouts survive a
// round trip (layout → registry → layout) byte for byte, referrers included.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { copyGraph, OciLayoutStore, pushImage, RegistryClient } from '../../src/oci/index.js';
import { pushArtifact, pushIndex } from '../../src/oci/push.js';
import { referrersTag } from '../../src/oci/referrers.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { layoutBlobFiles } from '../support/layout.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');
const IMAGE_DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

let registry: RegistryServer;
let client: RegistryClient;
let work: string;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true });
  work = await mkdtemp(join(tmpdir(), 'imgverify-copy-'));
});
afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

test.each(['e2e', 'e2e-valid-signature', 'e2e-invalid-signature'])('%s: layout → registry -r → layout is byte-identical', async (layout) => {
  const source = await OciLayoutStore.open(join(E2E, layout));
  const repo = client.repository(registry.host, `notation/${layout}`);
  const up = await copyGraph(source, repo, 'v1', { recursive: true });
  expect(up.descriptor.digest).toBe(IMAGE_DIGEST);
  const signatures = layout === 'e2e' ? 0 : 1;
  expect(up.referrers).toBe(signatures);
  // The registry (no Referrers API) now lists the signature in the tag-schema index.
  expect((await repo.referrers(up.descriptor)).length).toBe(signatures);

  const target = join(work, layout);
  const down = await copyGraph(repo, await OciLayoutStore.open(target, { create: true }), 'v1', { recursive: true });
  expect(down.referrers).toBe(signatures);
  const expected = await layoutBlobFiles(join(E2E, layout));
  const actual = await layoutBlobFiles(target);
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, bytes] of expected) expect(actual.get(name)?.equals(bytes), name).toBe(true);
  const copied = await OciLayoutStore.open(target);
  expect((await copied.tags()).sort()).toEqual(signatures ? [referrersTag(IMAGE_DIGEST), 'v1'].sort() : ['v1']);
});

test('registry → registry copy of a multi-arch index with referrers on a child, using cross-repository mounts', async () => {
  const src = client.repository(registry.host, 'copy/src');
  const amd64 = await pushImage(src, { layers: [text('amd64 layer')] });
  const arm64 = await pushImage(src, { layers: [text('arm64 layer')], platform: { architecture: 'arm64', os: 'linux' } });
  const index = await pushIndex(src, { tag: 'multi', manifests: [amd64.descriptor, arm64.descriptor] });
  const onIndex = await pushArtifact(src, { artifactType: 'application/vnd.cncf.notary.signature', subject: index.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text('{"sig":1}') }] });
  const onChild = await pushArtifact(src, { artifactType: 'application/spdx+json', subject: amd64.descriptor, blobs: [{ mediaType: 'application/spdx+json', bytes: text('{"sbom":1}') }] });
  const onReferrer = await pushArtifact(src, { artifactType: 'application/vnd.cncf.notary.signature', subject: onChild.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text('{"sig":2}') }] });

  const dst = client.repository(registry.host, 'copy/dst');
  const result = await copyGraph(src, dst, 'multi', { recursive: true });
  expect(result).toMatchObject({ manifests: 3, referrers: 3 });
  expect((await dst.resolve('multi')).digest).toBe(index.descriptor.digest);
  expect((await dst.referrers(index.descriptor)).map((d) => d.digest)).toEqual([onIndex.descriptor.digest]);
  expect((await dst.referrers(amd64.descriptor)).map((d) => d.digest)).toEqual([onChild.descriptor.digest]);
  expect((await dst.referrers(onChild.descriptor)).map((d) => d.digest)).toEqual([onReferrer.descriptor.digest]);
  expect(Buffer.from((await dst.fetchManifest(index.descriptor)).bytes).equals(Buffer.from(index.bytes))).toBe(true);

  // Without -r only the image graph is copied.
  const plain = client.repository(registry.host, 'copy/plain');
  expect(await copyGraph(src, plain, 'multi')).toMatchObject({ manifests: 3, referrers: 0 });
  expect(await plain.referrers(index.descriptor)).toEqual([]);
});
