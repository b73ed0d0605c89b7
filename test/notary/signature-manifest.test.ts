// Signature manifests: both forms notation writes, byte for byte; reading the envelope back with the spec's restrictions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/notary/envelope/index.js';
import {
  ANNOTATION_X509_CHAIN_THUMBPRINT,
  buildSignatureManifest,
  certificateThumbprints,
  isSignatureManifest,
  readSignatureManifest,
} from '../../src/notary/signature-manifest.js';
import type { ImageManifest, Manifest } from '../../src/oci/types.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';

const VALID_LAYOUT = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout/e2e-valid-signature/blobs/sha256');
const INVALID_LAYOUT = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout/e2e-invalid-signature/blobs/sha256');
const SIGNATURE_MANIFEST = '90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f';
const ENVELOPE = 'c9af07e038b2b1a463e648986ad7273157511ffeba0b689f33e5472bae471f50';
const SUBJECT = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9', size: 517 };

function json(path: string): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

describe('buildSignatureManifest', () => {
  it('image form reproduces the manifest notation pushed in the e2e layout, byte for byte', () => {
    const envelopeBytes = new Uint8Array(readFileSync(join(VALID_LAYOUT, ENVELOPE)));
    const chain = parseEnvelope('application/jose+json', envelopeBytes).content().signerInfo.certificateChain;
    const built = buildSignatureManifest({
      form: 'image',
      subject: SUBJECT,
      envelope: { mediaType: 'application/jose+json', digest: `sha256:${ENVELOPE}`, size: envelopeBytes.length },
      certificateChain: chain,
      created: new Date('2023-06-27T05:30:33Z'),
    });
    expect(Buffer.from(built.bytes).toString()).toBe(readFileSync(join(VALID_LAYOUT, SIGNATURE_MANIFEST), 'utf8'));
    expect(built.digest).toBe(`sha256:${SIGNATURE_MANIFEST}`);
    expect(built.config.descriptor).toEqual({ mediaType: 'application/vnd.cncf.notary.signature', digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a', size: 2 });
    expect(Buffer.from(built.config.bytes).toString()).toBe('{}');
  });

  it('artifact form is the OCI 1.1 manifest of the spec: artifactType, empty config with data, subject, thumbprints', () => {
    const built = buildSignatureManifest({
      form: 'artifact',
      subject: { ...SUBJECT, annotations: { 'org.opencontainers.image.ref.name': 'v1' } },
      envelope: { mediaType: 'application/cose', digest: 'sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0', size: 32654 },
      certificateChain: [new Uint8Array([1]), new Uint8Array([2])],
      created: new Date('2024-01-02T03:04:05.678Z'),
    });
    expect(Buffer.from(built.bytes).toString()).toBe(
      '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.cncf.notary.signature",' +
        '"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},' +
        '"layers":[{"mediaType":"application/cose","digest":"sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0","size":32654}],' +
        '"subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9","size":517},' +
        '"annotations":{"io.cncf.notary.x509chain.thumbprint#S256":"[\\"4bf5122f344554c53bde2ebb8cd2b7e3d1600ad631c385a5d7cce23c7785459a\\",\\"dbc1b4c900ffe48d575b5da5c638040125f65db0fe3e24494b76ea986457d986\\"]",' +
        '"org.opencontainers.image.created":"2024-01-02T03:04:05Z"}}',
    );
    expect(built.config.descriptor.mediaType).toBe('application/vnd.oci.empty.v1+json');
  });

  it('refuses an envelope media type that is no Notary envelope', () => {
    expect(() =>
      buildSignatureManifest({ form: 'artifact', subject: SUBJECT, envelope: { mediaType: 'text/plain', digest: 'sha256:00', size: 1 }, certificateChain: [] }),
    ).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED_SIGNATURE_FORMAT' }));
  });

  it('thumbprints are lower-case SHA-256 of each DER certificate', () => {
    expect(certificateThumbprints([new TextEncoder().encode('abc')])).toEqual(['ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad']);
  });
});

describe('readSignatureManifest', () => {
  const artifact = (): ImageManifest =>
    buildSignatureManifest({
      form: 'artifact',
      subject: SUBJECT,
      envelope: { mediaType: 'application/jose+json', digest: `sha256:${ENVELOPE}`, size: 2070 },
      certificateChain: [new Uint8Array([1])],
    }).manifest;

  it('reads the e2e manifest notation wrote (image form)', () => {
    const info = readSignatureManifest(json(join(VALID_LAYOUT, SIGNATURE_MANIFEST)));
    expect(info).toMatchObject({
      form: 'image',
      envelope: { mediaType: 'application/jose+json', digest: `sha256:${ENVELOPE}`, size: 2070 },
      subject: SUBJECT,
      thumbprints: ['e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9'],
    });
  });

  it('reads the artifact form it builds', () => {
    const info = readSignatureManifest(artifact());
    expect(info.form).toBe('artifact');
    expect(info.envelope.mediaType).toBe('application/jose+json');
    expect(isSignatureManifest(artifact())).toBe(true);
  });

  it.each<[string, (m: ImageManifest) => Manifest, string, string]>([
    ['the e2e invalid-signature manifest (a tar layer)', () => json(join(INVALID_LAYOUT, '321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9')), 'UNSUPPORTED_SIGNATURE_FORMAT', 'application/vnd.oci.image.layer.v1.tar'],
    ['two layers', (m) => ({ ...m, layers: [...m.layers, ...m.layers] }), 'MALFORMED_SIGNATURE', 'exactly one layer'],
    ['no layer', (m) => ({ ...m, layers: [] }), 'MALFORMED_SIGNATURE', 'exactly one layer'],
    ['another artifactType', (m) => ({ ...m, artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json' }), 'MALFORMED_SIGNATURE', 'artifactType'],
    ['neither form', (m) => ({ ...m, artifactType: undefined }), 'MALFORMED_SIGNATURE', 'neither artifactType nor config.mediaType'],
    ['an index', () => ({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }), 'MALFORMED_SIGNATURE', 'an index'],
    ['a Docker manifest', (m) => ({ ...m, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }), 'MALFORMED_SIGNATURE', 'media type must be'],
    ['an oversized envelope', (m) => ({ ...m, layers: [{ ...(m.layers[0] as ImageManifest['layers'][0]), size: 5 * 1024 * 1024 }] }), 'MALFORMED_SIGNATURE', 'allowed are 1 to'],
  ])('rejects %s with %s', (_name, mutate, code, message) => {
    expect(() => readSignatureManifest(mutate(artifact()))).toThrowError(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('ignores a malformed thumbprint annotation rather than failing', () => {
    const manifest = { ...artifact(), annotations: { [ANNOTATION_X509_CHAIN_THUMBPRINT]: 'not json' } };
    expect(readSignatureManifest(manifest).thumbprints).toBeUndefined();
  });
});
