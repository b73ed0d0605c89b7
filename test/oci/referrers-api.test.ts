// The Referrers API path (pagination, artifactType filter, limits, support detection) and digest
// checks on content a registry serves altered, against the in-process referrers registry double.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MEDIA_TYPE_OCI_MANIFEST, OciError, pushImage, RegistryClient, type Descriptor } from '../../src/oci/index.js';
import { pushArtifact } from '../../src/oci/push.js';
import { referrersTag } from '../../src/oci/referrers.js';
import { type Repository } from '../../src/oci/repository.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';
import { rejectionOf } from '../support/errors.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const SIGNATURE = 'application/vnd.cncf.notary.signature';
const SBOM = 'application/spdx+json';

/** An image with three signatures and two SBOMs. */
async function seed(repo: Repository): Promise<{ subject: Descriptor; signatures: string[]; sboms: string[] }> {
  const image = await pushImage(repo, { tag: 'v1', layers: [text('subject')] });
  const signatures: string[] = [];
  const sboms: string[] = [];
  for (let i = 0; i < 3; i++) {
    signatures.push((await pushArtifact(repo, { artifactType: SIGNATURE, subject: image.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text(`sig ${i}`) }] })).descriptor.digest);
  }
  for (let i = 0; i < 2; i++) {
    sboms.push((await pushArtifact(repo, { artifactType: SBOM, subject: image.descriptor, blobs: [{ mediaType: SBOM, bytes: text(`sbom ${i}`) }] })).descriptor.digest);
  }
  return { subject: image.descriptor, signatures: signatures.sort(), sboms: sboms.sort() };
}

describe('registry with the Referrers API (paginated, 2 per page)', () => {
  let double: ReferrersRegistryDouble;
  let client: RegistryClient;
  let seeded: Awaited<ReturnType<typeof seed>>;
  let repo: Repository;

  beforeAll(async () => {
    double = await startReferrersRegistryDouble({ pageSize: 2 });
    client = new RegistryClient({ plainHttpForLocalhost: true });
    repo = client.repository(double.host, 'app');
    seeded = await seed(repo);
  });
  afterAll(async () => {
    await client.close();
    await double.stop();
  });

  test('all referrers are listed across pages, following Link headers', async () => {
    const before = double.requests.filter((r) => r.path.includes('/referrers/')).length;
    const all = await repo.referrers(seeded.subject);
    expect(all.map((d) => d.digest).sort()).toEqual([...seeded.signatures, ...seeded.sboms].sort());
    expect(double.requests.filter((r) => r.path.includes('/referrers/')).length - before).toBe(3);
    expect(repo.referrersApiSupport).toBe('supported');
    expect(all.every((d) => d.mediaType === MEDIA_TYPE_OCI_MANIFEST)).toBe(true);
  });

  test.each([
    { artifactType: SIGNATURE, expected: () => seeded.signatures },
    { artifactType: SBOM, expected: () => seeded.sboms },
    { artifactType: 'application/none', expected: () => [] as string[] },
  ])('artifactType $artifactType is filtered by the registry', async ({ artifactType, expected }) => {
    expect((await repo.referrers(seeded.subject, artifactType)).map((d) => d.digest)).toEqual(expected());
  });

  test('no tag-schema index is written when the registry answers OCI-Subject', async () => {
    expect((await rejectionOf(OciError, repo.resolve(referrersTag(seeded.subject.digest)))).code).toBe('MANIFEST_NOT_FOUND');
  });

  test.each([
    { limits: { maxReferrersPages: 2 }, message: /more than 2 pages/ },
    { limits: { maxReferrers: 3 }, message: /more than 3 referrers/ },
  ])('limits $limits → SIZE_LIMIT_EXCEEDED', async ({ limits, message }) => {
    const limited = new RegistryClient({ plainHttpForLocalhost: true, limits });
    try {
      const error = await rejectionOf(OciError, limited.repository(double.host, 'app').referrers(seeded.subject));
      expect(error.code).toBe('SIZE_LIMIT_EXCEEDED');
      expect(error.message).toMatch(message);
    } finally {
      await limited.close();
    }
  });
});

test('a registry that ignores the artifactType filter is filtered by the client', async () => {
  const double = await startReferrersRegistryDouble({ filterArtifactType: false });
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  try {
    const repo = client.repository(double.host, 'app');
    const seeded = await seed(repo);
    expect((await repo.referrers(seeded.subject, SBOM)).map((d) => d.digest)).toEqual(seeded.sboms);
  } finally {
    await client.close();
    await double.stop();
  }
});

test('a registry answering 404 on the Referrers API gets the tag schema; support is detected once', async () => {
  const double = await startReferrersRegistryDouble({ referrersApi: false });
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  try {
    const repo = client.repository(double.host, 'app');
    const seeded = await seed(repo);
    expect(repo.referrersApiSupport).toBe('unsupported');
    const probes = double.requests.filter((r) => r.path.includes('/referrers/')).length;
    expect(probes).toBe(1);
    expect((await repo.referrers(seeded.subject, SIGNATURE)).map((d) => d.digest).sort()).toEqual(seeded.signatures);
    expect((await repo.referrers(seeded.subject)).length).toBe(5);
    expect(double.requests.filter((r) => r.path.includes('/referrers/')).length).toBe(probes);
    expect((await repo.resolve(referrersTag(seeded.subject.digest))).mediaType).toBe('application/vnd.oci.image.index.v1+json');
  } finally {
    await client.close();
    await double.stop();
  }
});

describe('content served altered by the registry is refused', () => {
  let double: ReferrersRegistryDouble;
  let client: RegistryClient;
  beforeAll(async () => {
    double = await startReferrersRegistryDouble();
    client = new RegistryClient({ plainHttpForLocalhost: true });
  });
  afterAll(async () => {
    await client.close();
    await double.stop();
  });

  test('altered manifest → DIGEST_MISMATCH by digest, by descriptor and by tag', async () => {
    const repo = client.repository(double.host, 'tampered');
    const image = await pushImage(repo, { tag: 'v1', layers: [text('m')] });
    const altered = Buffer.from(image.bytes);
    altered[altered.length - 2] = 0x20;
    double.tamper('tampered', image.descriptor.digest, altered);
    for (const target of [image.descriptor.digest, image.descriptor, 'v1'] as const) {
      expect((await rejectionOf(OciError, repo.fetchManifest(target))).code).toBe('DIGEST_MISMATCH');
    }
  });

  test('altered blob → DIGEST_MISMATCH; a longer one is refused before it is read whole', async () => {
    const repo = client.repository(double.host, 'tampered-blob');
    const image = await pushImage(repo, { layers: [text('layer!')] });
    const layer = image.layers[0]!;
    double.tamper('tampered-blob', layer.digest, text('LAYER!'));
    expect((await rejectionOf(OciError, repo.fetchBlob(layer))).code).toBe('DIGEST_MISMATCH');
    double.tamper('tampered-blob', layer.digest, new Uint8Array(1024 * 1024));
    const error = await rejectionOf(OciError, repo.fetchBlob(layer));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toMatch(/more than the 6 the descriptor says/);
  });
});
