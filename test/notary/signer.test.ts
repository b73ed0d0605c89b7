// signArtifact into an OCI layout and into a real docker-registry: the signature is found by referrers and its envelope verifies.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, parseNotaryPayload } from '../../src/notary/envelope/index.js';
import { readSignatureManifest } from '../../src/notary/signature-manifest.js';
import { signArtifact, tsaTimestamper, type SignArtifactOptions, type SignatureFormat } from '../../src/notary/signer.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE } from '../../src/notary/types.js';
import { OciLayoutStore, RegistryClient, pushImage, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

const CASES: [SignatureFormat, 'artifact' | 'image'][] = [
  ['jws', 'artifact'],
  ['jws', 'image'],
  ['cose', 'artifact'],
  ['cose', 'image'],
];

let chain: GeneratedChain;
let registry: RegistryServer;
let client: RegistryClient;
let layoutDir: string;

beforeAll(async () => {
  chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true, leaf: { keys: await cachedKeyPair('ec-256', 'signer-leaf') } });
  layoutDir = await mkdtemp(join(tmpdir(), 'imgverify-sign-'));
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true });
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await rm(layoutDir, { recursive: true, force: true });
});

function options(format: SignatureFormat, form: 'artifact' | 'image', extra: Partial<SignArtifactOptions> = {}): SignArtifactOptions {
  return { key: chain.leaf.privateKey, certificateChain: chain.chain, signatureFormat: format, signatureManifest: form, ...extra };
}

/** What a verifier does: list referrers, read the manifest, fetch and verify the envelope. */
async function findAndVerify(store: ArtifactStore, subject: Descriptor) {
  const referrers = await store.referrers(subject, ARTIFACT_TYPE_NOTARY_SIGNATURE);
  const results = [];
  for (const referrer of referrers) {
    const fetched = await store.fetchManifest(referrer);
    const info = readSignatureManifest(fetched.manifest);
    const envelopeBytes = await store.fetchBlob(info.envelope);
    const content = await parseEnvelope(info.envelope.mediaType, envelopeBytes).verify();
    results.push({ referrer, info, content, payload: parseNotaryPayload(content.payload) });
  }
  return results;
}

describe.each([
  ['OCI layout', async (name: string): Promise<ArtifactStore> => OciLayoutStore.open(join(layoutDir, name), { create: true })],
  ['docker-registry', async (name: string): Promise<ArtifactStore> => client.repository(registry.host, `signer/${name}`)],
])('signArtifact into %s', (_where, openStore) => {
  it.each(CASES)('%s signature in %s manifest form is found and verifies', async (format, form) => {
    const store = await openStore(`${format}-${form}`);
    const image = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode(`layer ${format} ${form}`)] });
    const signed = await signArtifact(store, 'v1', options(format, form, { userMetadata: { buildId: '42' }, expiry: new Date(Date.now() + 86_400_000) }));
    expect(signed.target).toEqual({ mediaType: image.descriptor.mediaType, digest: image.descriptor.digest, size: image.descriptor.size });
    expect(signed.form).toBe(form);

    const found = await findAndVerify(store, signed.target);
    expect(found).toHaveLength(1);
    const [result] = found;
    expect(result?.referrer.digest).toBe(signed.signatureManifest.digest);
    expect(result?.info.form).toBe(form);
    expect(result?.info.envelope.mediaType).toBe(format === 'jws' ? 'application/jose+json' : 'application/cose');
    expect(result?.info.subject?.digest).toBe(image.descriptor.digest);
    expect(result?.payload.targetArtifact).toEqual({ ...signed.target, annotations: { buildId: '42' } });
    expect(result?.content.signerInfo.certificateChain).toEqual(chain.chain);
    expect(result?.content.signerInfo.signedAttributes.expiry).toBeInstanceOf(Date);
  });

  it('signs the digest the tag resolved to, and a second signature adds a referrer', async () => {
    const store = await openStore('twice');
    const image = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode('twice')] });
    await signArtifact(store, 'v1', options('jws', 'artifact'));
    await signArtifact(store, image.descriptor.digest, options('cose', 'image'));
    const found = await findAndVerify(store, image.descriptor);
    expect(found.map((f) => f.info.envelope.mediaType).sort()).toEqual(['application/cose', 'application/jose+json']);
    expect(found.every((f) => f.payload.targetArtifact.digest === image.descriptor.digest)).toBe(true);
  });
});

describe('signArtifact refuses', () => {
  it('a chain that breaks the Notary certificate requirements (before touching the store)', async () => {
    const bad = await generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'signer-bad'), extendedKeyUsage: { usages: ['1.3.6.1.5.5.7.3.1'] } } });
    const store = await OciLayoutStore.open(join(layoutDir, 'refused'), { create: true });
    await expect(signArtifact(store, 'v1', { key: bad.leaf.privateKey, certificateChain: bad.chain })).rejects.toMatchObject({ code: 'INVALID_CERTIFICATE_CHAIN' });
  });

  it('an expired signing certificate', async () => {
    const expired = await generateCertificateChain({
      keyType: 'ec-256',
      leaf: { keys: await cachedKeyPair('ec-256', 'signer-expired'), notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') },
    });
    const store = await OciLayoutStore.open(join(layoutDir, 'expired'), { create: true });
    await expect(signArtifact(store, 'v1', { key: expired.leaf.privateKey, certificateChain: expired.chain })).rejects.toMatchObject({ code: 'CERTIFICATE_EXPIRED' });
  });

  it('reserved user metadata keys', async () => {
    const store = await OciLayoutStore.open(join(layoutDir, 'reserved'), { create: true });
    await pushImage(store, { tag: 'v1', layers: [new Uint8Array([1])] });
    await expect(signArtifact(store, 'v1', options('jws', 'artifact', { userMetadata: { 'io.cncf.notary.x': 'y' } }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('an unknown tag with the store\'s not-found error', async () => {
    const store = await OciLayoutStore.open(join(layoutDir, 'missing'), { create: true });
    await expect(signArtifact(store, 'nope', options('jws', 'artifact'))).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
  });
});

describe('tsaTimestamper', () => {
  // The URL is the signer's input, checked before pki's requestTimestamp is asked (moved from the request tests).
  it.each([
    { url: 'ftp://127.0.0.1/tsa', fragment: 'must use http or https' },
    { url: 'not a url', fragment: 'is not a valid URL' },
  ])('rejects $url as INVALID_INPUT', async ({ url, fragment }) => {
    await expect(tsaTimestamper(url, { rootCertificates: [] })(new Uint8Array([1, 2, 3]), 'ECDSA-SHA-256')).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(fragment),
    });
  });
});
