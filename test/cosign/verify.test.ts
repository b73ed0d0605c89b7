// cosign sign/attest → a real docker-registry (and an OCI layout) → verify: every key type and certificate mode, and each failure its own code.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_SIGNATURE,
  attestImage,
  cosignVerdict,
  MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
  signatureLocation,
  signBytes,
  signImage,
  simpleSigningPayload,
  verifyCosignAttestations,
  verifyCosignSignatures,
  type CosignVerifyOptions,
  type SignatureLocation,
} from '../../src/cosign/index.js';
import { appendLayer } from '../../src/cosign/sign.js';
import { OciLayoutStore, pushArtifact, pushImage, RegistryClient, type ArtifactStore } from '../../src/oci/index.js';
import { toPem } from '../../src/pki/index.js';
import type { PinnedImage } from '../../src/verification/index.js';
import { generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { entryBody, RekorLogDouble } from '../support/rekor-double.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

let registry: RegistryServer;
let client: RegistryClient;
let layoutDir: string;
const log = new RekorLogDouble();
const otherLog = new RekorLogDouble();
const signal = new AbortController().signal;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ plainHttpForLocalhost: true });
  layoutDir = await mkdtemp(join(tmpdir(), 'imgverify-cosign-'));
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await rm(layoutDir, { recursive: true, force: true });
});

let imageCounter = 0;
/** A fresh image in its own repository of the registry (or in the store given), and where its signatures go. */
async function image(store?: ArtifactStore): Promise<{ pinned: PinnedImage; location: SignatureLocation; target: { repository: string; digest: string }; source: RegistryClient | ArtifactStore }> {
  const repository = `cosign/image-${++imageCounter}`;
  const target = store ?? client.repository(registry.host, repository);
  const pushed = await pushImage(target, { layers: [new TextEncoder().encode(`layer ${imageCounter}`)], tag: 'v1' });
  const pinned: PinnedImage = { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false };
  const source = store ?? client;
  return { pinned, location: signatureLocation(source, pinned, undefined), target: { repository: `${registry.host}/${repository}`, digest: pinned.digest }, source };
}

const pem = (key: KeyObject): string => toPem('PUBLIC KEY', new Uint8Array(key.export({ format: 'der', type: 'spki' })));
const tlog = { rekor: { pubKey: log.publicKeyPem } };

const KEY_TYPES: Array<[string, () => { privateKey: KeyObject; publicKey: KeyObject }]> = [
  ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })],
  ['ECDSA P-384', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' })],
  ['ECDSA P-521', () => generateKeyPairSync('ec', { namedCurve: 'secp521r1' })],
  ['RSA 2048 PKCS#1 v1.5', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['Ed25519', () => generateKeyPairSync('ed25519')],
];

describe('key-based signatures', () => {
  it.each(KEY_TYPES)('%s: sign → docker-registry → verify with the Rekor SET', async (_name, generate) => {
    const { privateKey, publicKey } = generate();
    const { pinned, location, target } = await image();
    await signImage(location, target, { privateKey, bundle: log.bundle, annotations: { env: 'prod' } });
    const outcome = await verifyCosignSignatures(client, pinned, { keys: [pem(publicKey)], annotations: { env: 'prod' }, ...tlog }, signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.verified).toBe(true);
    expect(outcome.signatureTag).toBe(`${target.repository}:${pinned.digest.replace(':', '-')}.sig`);
    expect(outcome.signatures).toEqual([expect.objectContaining({ verified: true, signer: { kind: 'key', keyIndex: 0 }, tlog: expect.objectContaining({ logID: log.logID, integratedTime: log.integratedTime }) })]);
    expect(outcome.payloads).toEqual([
      { critical: { identity: { 'docker-reference': target.repository }, image: { 'docker-manifest-digest': pinned.digest }, type: 'cosign container image signature' }, optional: { env: 'prod' } },
    ]);
  });

  it('a failed outcome becomes a verdict with cosign evidence: the deciding error first, then each layer\'s', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const { pinned, location, target } = await image();
    await signImage(location, target, { privateKey });
    const wrongKey = pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey);
    const outcome = await verifyCosignSignatures(client, pinned, { keys: [wrongKey], rekor: { ignoreTlog: true } }, signal);
    const layerError = { code: 'INVALID_SIGNATURE', message: 'invalid signature when validating ASN.1 encoded signature' };
    expect(cosignVerdict(target.repository, pinned.digest, outcome)).toEqual({
      reference: target.repository,
      digest: pinned.digest,
      verified: false,
      error: { code: 'INVALID_SIGNATURE', message: `no matching signatures: ${layerError.message}` },
      evidence: [{ kind: 'cosign', what: 'signatures', verified: false, signatureTag: outcome.signatureTag, errors: [{ code: 'INVALID_SIGNATURE', message: `no matching signatures: ${layerError.message}` }, layerError], signatures: outcome.signatures }],
    });
  });

  it('RSA PSS signatures and the signatureAlgorithm hash (sha384) verify; the default sha256 does not', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const { pinned, location, target } = await image();
    await signImage(location, target, { privateKey, hash: 'sha384' });
    const options: CosignVerifyOptions = { keys: [pem(publicKey)], rekor: { ignoreTlog: true } };
    expect((await verifyCosignSignatures(client, pinned, { ...options, signatureAlgorithm: 'sha384' }, signal)).verified).toBe(true);
    expect((await verifyCosignSignatures(client, pinned, options, signal)).error).toEqual({ code: 'INVALID_SIGNATURE', message: 'no matching signatures: crypto/rsa: verification error' });
  });

  it('a base64 signature written with line breaks verifies (Go decodes it)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const { pinned, location, target } = await image();
    const payload = simpleSigningPayload(target, undefined);
    const wrapped = (Buffer.from(signBytes(privateKey, payload)).toString('base64').match(/.{1,20}/g) ?? []).join('\n');
    await appendLayer(location, target, 'signatures', payload, { [ANNOTATION_SIGNATURE]: wrapped });
    expect((await verifyCosignSignatures(client, pinned, { keys: [pem(publicKey)], rekor: { ignoreTlog: true } }, signal)).verified).toBe(true);
  });
});

describe('each failure has its own code, worded as cosign words it', () => {
  const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keys = [pem(signer.publicKey)];

  it.each([
    {
      name: 'no signature tag',
      sign: async () => undefined,
      options: { keys, ...tlog },
      expected: { code: 'SIGNATURE_NOT_FOUND', message: 'no signatures found' },
    },
    {
      name: 'wrong key',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => signImage(l, t, { privateKey: signer.privateKey, bundle: log.bundle }),
      options: { keys: [pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey)], ...tlog },
      expected: { code: 'INVALID_SIGNATURE', message: 'no matching signatures: invalid signature when validating ASN.1 encoded signature' },
    },
    {
      name: 'tampered payload',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => {
        const payload = simpleSigningPayload(t, undefined);
        const signature = Buffer.from(signBytes(signer.privateKey, payload)).toString('base64');
        await appendLayer(l, t, 'signatures', simpleSigningPayload(t, { tampered: 'yes' }), { [ANNOTATION_SIGNATURE]: signature });
      },
      options: { keys, rekor: { ignoreTlog: true } },
      expected: { code: 'INVALID_SIGNATURE', message: 'no matching signatures: invalid signature when validating ASN.1 encoded signature' },
    },
    {
      name: 'payload signed for another digest',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => signImage(l, { ...t, digest: `sha256:${'a'.repeat(64)}` }, { privateKey: signer.privateKey }).then(async (other) => {
        // The other digest's layer, filed under this image's tag.
        const payload = simpleSigningPayload({ ...t, digest: `sha256:${'a'.repeat(64)}` }, undefined);
        await appendLayer(l, t, 'signatures', payload, other.layer.annotations ?? {});
      }),
      options: { keys, rekor: { ignoreTlog: true } },
      expected: { code: 'TARGET_ARTIFACT_MISMATCH', message: `no matching signatures: invalid or missing digest in claim: sha256:${'a'.repeat(64)}` },
    },
    {
      name: 'a required annotation with another value',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => signImage(l, t, { privateKey: signer.privateKey, annotations: { env: 'dev' } }),
      options: { keys, annotations: { env: 'prod' }, rekor: { ignoreTlog: true } },
      expected: { code: 'USER_METADATA_MISMATCH', message: 'no matching signatures: missing or incorrect annotation' },
    },
    {
      name: 'missing SET while the tlog is required (never looked up online)',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => signImage(l, t, { privateKey: signer.privateKey }),
      options: { keys, ...tlog },
      expected: {
        code: 'TLOG_ENTRY_MISSING',
        message: 'no matching signatures: signature has no transparency log entry (no Rekor bundle annotation); imgverify never looks entries up online: offline verification failed',
      },
    },
    {
      name: 'a SET not made by the log it names',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) =>
        signImage(l, t, { privateKey: signer.privateKey, bundle: (entry) => log.bundleOf(entryBody(entry), { signWith: otherLog.privateKey }) }),
      options: { keys, ...tlog },
      expected: { code: 'TLOG_SET_INVALID', message: 'no matching signatures: error verifying bundle: unable to verify SET' },
    },
    {
      name: 'an entry of a log whose key is not trusted',
      sign: async (l: SignatureLocation, t: { repository: string; digest: string }) => signImage(l, t, { privateKey: signer.privateKey, bundle: otherLog.bundle }),
      options: { keys, ...tlog },
      expected: { code: 'TLOG_KEY_UNKNOWN', message: 'no matching signatures: error verifying bundle: verifying bundle: rekor log public key not found for payload' },
    },
  ])('$name → $expected.code', async ({ sign, options, expected }) => {
    const { pinned, location, target } = await image();
    await sign(location, target);
    const outcome = await verifyCosignSignatures(client, pinned, options as CosignVerifyOptions, signal);
    expect(outcome.verified).toBe(false);
    expect(outcome.error).toEqual(expected);
  });

  it('a genuine Rekor bundle copied from another signature is rejected (TLOG_ENTRY_MISMATCH); ignoring the tlog accepts the layer', async () => {
    const { pinned, location, target } = await image();
    const first = await signImage(location, target, { privateKey: signer.privateKey, bundle: log.bundle, annotations: { n: '1' } });
    const payload = simpleSigningPayload(target, { n: '2' });
    const signature = Buffer.from(signBytes(signer.privateKey, payload)).toString('base64');
    await appendLayer(location, target, 'signatures', payload, { [ANNOTATION_SIGNATURE]: signature, [ANNOTATION_BUNDLE]: first.layer.annotations?.[ANNOTATION_BUNDLE] ?? '' });
    const outcome = await verifyCosignSignatures(client, pinned, { keys, ...tlog }, signal);
    expect(outcome.verified).toBe(true);
    expect(outcome.signatures.map((s) => s.error ?? 'ok')).toEqual(['ok', { code: 'TLOG_ENTRY_MISMATCH', message: 'error verifying bundle: signature in bundle does not match signature being verified' }]);
    expect(outcome.payloads.map((p) => p.optional)).toEqual([{ n: '1' }]);
    const ignoring = await verifyCosignSignatures(client, pinned, { keys, rekor: { ignoreTlog: true } }, signal);
    expect(ignoring.payloads.map((p) => p.optional)).toEqual([{ n: '1' }, { n: '2' }]);
  });
});

describe('certificates', () => {
  let chain: GeneratedChain;
  let expired: GeneratedChain;
  beforeAll(async () => {
    chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true });
    const notBefore = new Date(Date.now() - 10 * 86_400_000);
    expired = await generateCertificateChain({ keyType: 'ec-256', root: { notBefore: new Date(Date.now() - 30 * 86_400_000) }, leaf: { notBefore, notAfter: new Date(Date.now() - 86_400_000), extendedKeyUsage: null } });
  });
  const intermediatesAndRoot = (c: GeneratedChain): string => [...c.intermediates.map((i) => i.pem), c.root.pem].join('');

  it.each([
    { mode: 'cert alone (its key, no chain)', options: (c: GeneratedChain) => ({ certificate: c.leaf.pem }), annotate: false },
    { mode: 'cert + certChain (chains to the last)', options: (c: GeneratedChain) => ({ certificate: c.leaf.pem, certificateChain: intermediatesAndRoot(c) }), annotate: false },
    { mode: 'certChain alone: the signature certificate, intermediates from the chain annotation', options: (c: GeneratedChain) => ({ certificateChain: c.root.pem }), annotate: true },
  ])('$mode', async ({ options, annotate }) => {
    const { pinned, location, target } = await image();
    await signImage(location, target, { privateKey: chain.leaf.privateKey, certificate: chain.leaf.pem, ...(annotate ? { chain: intermediatesAndRoot(chain) } : {}), bundle: log.bundle });
    const outcome = await verifyCosignSignatures(client, pinned, { ...options(chain), ...tlog }, signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.signatures[0]?.signer).toMatchObject({ kind: 'certificate', subject: expect.stringContaining('CN=imgverify test signer') });
  });

  it('certChain alone without the chain annotation: INVALID_CERTIFICATE_CHAIN', async () => {
    const { pinned, location, target } = await image();
    await signImage(location, target, { privateKey: chain.leaf.privateKey, certificate: chain.leaf.pem, bundle: log.bundle });
    const outcome = await verifyCosignSignatures(client, pinned, { certificateChain: chain.root.pem, ...tlog }, signal);
    expect(outcome.error).toEqual({ code: 'INVALID_CERTIFICATE_CHAIN', message: 'no matching signatures: x509: certificate signed by unknown authority' });
  });

  it('an expired leaf (no EKU): judged at the Rekor integrated time it passes; with the tlog ignored and no TSA it fails', async () => {
    const { pinned, location, target } = await image();
    const signedAt = log.integratedTime;
    log.integratedTime = Math.floor(Date.now() / 1000) - 5 * 86_400;
    try {
      await signImage(location, target, { privateKey: expired.leaf.privateKey, certificate: expired.leaf.pem, bundle: log.bundle });
    } finally {
      log.integratedTime = signedAt;
    }
    const options = { certificate: expired.leaf.pem, certificateChain: expired.root.pem };
    expect((await verifyCosignSignatures(client, pinned, { ...options, ...tlog }, signal)).error).toBeUndefined();
    expect((await verifyCosignSignatures(client, pinned, { ...options, rekor: { ignoreTlog: true } }, signal)).error).toEqual({
      code: 'CERTIFICATE_EXPIRED',
      message: 'no matching signatures: expected a signed timestamp to verify an expired certificate',
    });
  });
});

describe('attestations', () => {
  const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const keys = [pem(signer.publicKey)];
  const SLSA = 'https://slsa.dev/provenance/v0.2';

  it('attest → verify-attestation: the statement of the type, other types filtered, old payloadType = predicate type accepted (PAE verbatim)', async () => {
    const { pinned, location, target } = await image();
    await attestImage(location, target, { privateKey: signer.privateKey, predicateType: SLSA, predicate: { builder: { id: 'ci' } }, bundle: log.bundle });
    await attestImage(location, target, { privateKey: signer.privateKey, predicateType: 'https://cyclonedx.org/bom', predicate: { bomFormat: 'CycloneDX' }, payloadType: 'https://cyclonedx.org/bom' });
    const outcome = await verifyCosignAttestations(client, pinned, { keys, predicateType: SLSA, ...tlog }, signal);
    expect(outcome.verified).toBe(true);
    expect(outcome.statements).toEqual([
      { _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA, subject: [{ name: target.repository, digest: { sha256: pinned.digest.slice(7) } }], predicate: { builder: { id: 'ci' } } },
    ]);
    // The second has no tlog entry: accepted only with the tlog ignored, and then found by its own type.
    const old = await verifyCosignAttestations(client, pinned, { keys, predicateType: 'https://cyclonedx.org/bom', rekor: { ignoreTlog: true } }, signal);
    expect(old.statements.map((s) => s.predicate)).toEqual([{ bomFormat: 'CycloneDX' }]);
    const none = await verifyCosignAttestations(client, pinned, { keys, predicateType: 'https://spdx.dev/Document', ...tlog }, signal);
    expect(none.error).toEqual({ code: 'ATTESTATION_NOT_FOUND', message: `none of the attestations matched the predicate type: https://spdx.dev/Document, found: ${SLSA}` });
  });

  it('an attestation about another image: TARGET_ARTIFACT_MISMATCH', async () => {
    const { pinned, location, target } = await image();
    const other = await image();
    const signed = await attestImage(other.location, other.target, { privateKey: signer.privateKey, predicateType: SLSA, predicate: {} });
    const envelope = await other.location.store.fetchBlob(signed.layer);
    await appendLayer(location, target, 'attestations', envelope, signed.layer.annotations ?? {});
    const outcome = await verifyCosignAttestations(client, pinned, { keys, rekor: { ignoreTlog: true } }, signal);
    expect(outcome.error).toEqual({ code: 'TARGET_ARTIFACT_MISMATCH', message: 'no matching attestations: no matching subject digest found' });
  });
});

describe('where signatures live', () => {
  const signer = generateKeyPairSync('ed25519');
  const keys = [pem(signer.publicKey)];

  it('a repository override (COSIGN_REPOSITORY, Kyverno repository)', async () => {
    const { pinned, target } = await image();
    const signatures = `${registry.host}/cosign/signatures-${imageCounter}`;
    await signImage(signatureLocation(client, pinned, signatures), target, { privateKey: signer.privateKey });
    const options = { keys, rekor: { ignoreTlog: true } };
    expect((await verifyCosignSignatures(client, pinned, options, signal)).error).toEqual({ code: 'SIGNATURE_NOT_FOUND', message: 'no signatures found' });
    const outcome = await verifyCosignSignatures(client, pinned, { ...options, repository: signatures }, signal);
    expect(outcome.verified).toBe(true);
    expect(outcome.signatureTag.startsWith(`${signatures}:sha256-`)).toBe(true);
  });

  it('a Sigstore bundle referrer (cosign\'s new format, found through the referrers tag here) is verified first; one that fails leaves the legacy tag to decide', async () => {
    const { pinned, location, target } = await image();
    const store = client.repository(registry.host, pinned.repository);
    await pushArtifact(store, { artifactType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03, subject: pinned.descriptor, blobs: [{ mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03, bytes: new TextEncoder().encode('{}') }] });
    const options = { keys, rekor: { ignoreTlog: true } };
    const outcome = await verifyCosignSignatures(client, pinned, options, signal);
    expect(outcome.error?.code).toBe('BUNDLE_INVALID');
    expect(outcome.error?.message.startsWith('no matching signatures: the bundle breaks the Sigstore bundle schema')).toBe(true);
    await signImage(location, target, { privateKey: signer.privateKey });
    const legacy = await verifyCosignSignatures(client, pinned, options, signal);
    expect(legacy.verified).toBe(true);
    expect(legacy.signatures.map((s) => s.error?.code ?? 'ok')).toEqual(['BUNDLE_INVALID', 'ok']);
  });

  it('more signature layers than the bound: the tag is refused, not tried in part (SIGNATURE_LIMIT_EXCEEDED)', async () => {
    const { pinned, location, target } = await image();
    for (const n of ['1', '2', '3']) await signImage(location, target, { privateKey: signer.privateKey, annotations: { n } });
    const options = { keys, rekor: { ignoreTlog: true } };
    expect((await verifyCosignSignatures(client, pinned, { ...options, maxSignatures: 3 }, signal)).verified).toBe(true);
    expect((await verifyCosignSignatures(client, pinned, { ...options, maxSignatures: 2 }, signal)).error).toEqual({
      code: 'SIGNATURE_LIMIT_EXCEEDED',
      message: `maximum number of signatures on an image is 2, found 3 (${target.repository}:${pinned.digest.replace(':', '-')}.sig)`,
    });
  });

  it('an OCI layout, air-gapped', async () => {
    const store = await OciLayoutStore.open(join(layoutDir, 'image'), { create: true });
    const { pinned, location, target, source } = await image(store);
    await signImage(location, target, { privateKey: signer.privateKey, bundle: log.bundle });
    expect((await verifyCosignSignatures(source, pinned, { keys, ...tlog }, signal)).verified).toBe(true);
  });
});
