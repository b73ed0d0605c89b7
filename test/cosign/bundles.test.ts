// cosign's new bundle format: Sigstore bundle v0.3 referrers found through the Referrers API (a registry double, paged) and verified
// under the cosign options — key-signed message signatures and DSSE attestations, keyless ones through the Fulcio/Rekor/TSA/OIDC doubles.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dsse } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_TOTO_STATEMENT_TYPE, MEDIA_TYPE_SIGSTORE_BUNDLE_V03, signBytes, verifyCosignAttestations, verifyCosignSignatures } from '../../src/cosign/index.js';
import { pushArtifact, pushImage, RegistryClient } from '../../src/oci/index.js';
import { toPem } from '../../src/pki/index.js';
import type { PinnedImage } from '../../src/verification/index.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';
import { signKeyless, startSigstoreDoubles, type SigstoreDoubles } from '../support/sigstore-doubles.js';

let registry: ReferrersRegistryDouble;
let doubles: SigstoreDoubles;
let client: RegistryClient;
const signal = new AbortController().signal;
const EMAIL = 'signer@example.com';
const SLSA = 'https://slsa.dev/provenance/v1';
const IN_TOTO = 'application/vnd.in-toto+json';
const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = (key: KeyObject): string => toPem('PUBLIC KEY', new Uint8Array(key.export({ format: 'der', type: 'spki' })));

beforeAll(async () => {
  // One referrer per page: listing several bundles walks the Link pages.
  [registry, doubles] = await Promise.all([startReferrersRegistryDouble({ pageSize: 1 }), startSigstoreDoubles()]);
  client = new RegistryClient({ plainHttpForLocalhost: true });
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await doubles?.stop();
});

let count = 0;
async function image(): Promise<{ pinned: PinnedImage; manifest: Uint8Array }> {
  const repository = `bundles/image-${++count}`;
  const store = client.repository(registry.host, repository);
  const pushed = await pushImage(store, { layers: [new TextEncoder().encode(`bundle ${count}`)] });
  const { bytes } = await store.fetchManifest(pushed.descriptor);
  return { pinned: { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false }, manifest: bytes };
}

/** Attach a bundle as cosign --new-bundle-format does: an OCI 1.1 artifact of the bundle media type whose subject is the image. */
async function attach(pinned: PinnedImage, bundle: object): Promise<void> {
  const store = client.repository(registry.host, pinned.repository);
  await pushArtifact(store, { artifactType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03, subject: pinned.descriptor, blobs: [{ mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03, bytes: new TextEncoder().encode(JSON.stringify(bundle)) }] });
}

const keyMaterial = { publicKey: { hint: '' }, tlogEntries: [], timestampVerificationData: { rfc3161Timestamps: [] } };

/** A key-signed message-signature bundle over the manifest bytes (no tlog entry). */
function messageBundle(manifest: Uint8Array, key: KeyObject = signer.privateKey): object {
  return {
    mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
    verificationMaterial: keyMaterial,
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(manifest).digest('base64') },
      signature: Buffer.from(signBytes(key, manifest)).toString('base64'),
    },
  };
}

function statement(digest: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ _type: IN_TOTO_STATEMENT_TYPE, predicateType: SLSA, subject: [{ name: 'image', digest: { sha256: digest.slice('sha256:'.length) } }], predicate: { builder: { id: 'ci' } } }));
}

/** A key-signed DSSE bundle of an in-toto statement about `digest`. */
function dsseBundle(digest: string): object {
  const payload = statement(digest);
  const sig = signBytes(signer.privateKey, new Uint8Array(dsse.preAuthEncoding(IN_TOTO, Buffer.from(payload))));
  return {
    mediaType: MEDIA_TYPE_SIGSTORE_BUNDLE_V03,
    verificationMaterial: keyMaterial,
    dsseEnvelope: { payload: Buffer.from(payload).toString('base64'), payloadType: IN_TOTO, signatures: [{ sig: Buffer.from(sig).toString('base64'), keyid: '' }] },
  };
}

const byKey = { keys: [pem(other.publicKey), pem(signer.publicKey)], rekor: { ignoreTlog: true } };

describe('Sigstore bundle referrers', () => {
  it('key-signed message signature: verifies with the second key; a bundle of another image and a wrong key fail with their codes; the tlog required and absent: TLOG_ENTRY_MISSING', async () => {
    const { pinned, manifest } = await image();
    const elsewhere = await image();
    await attach(pinned, messageBundle(elsewhere.manifest));
    await attach(pinned, messageBundle(manifest, other.privateKey));
    let outcome = await verifyCosignSignatures(client, pinned, { ...byKey, keys: [pem(signer.publicKey)] }, signal);
    expect(outcome.verified).toBe(false);
    expect(outcome.signatures.map((s) => s.error?.code).sort()).toEqual(['INVALID_SIGNATURE', 'TARGET_ARTIFACT_MISMATCH']);

    await attach(pinned, messageBundle(manifest));
    outcome = await verifyCosignSignatures(client, pinned, byKey, signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.signatureTag).toBe(`${registry.host}/${pinned.repository}@${pinned.digest}`);
    // Referrers come in the registry's order: compare as a set.
    expect(outcome.signatures.filter((s) => s.verified).map((s) => s.signer?.keyIndex).sort()).toEqual([0, 1]);

    const tlogRequired = await verifyCosignSignatures(client, pinned, { keys: [pem(signer.publicKey)], trustedRoot: JSON.stringify(doubles.trustedRoot) }, signal);
    expect(tlogRequired.error?.code).toBe('TLOG_ENTRY_MISSING');
    // More bundles than the bound: refused before any is tried.
    const bounded = await verifyCosignSignatures(client, pinned, { ...byKey, maxSignatures: 2 }, signal);
    expect(bounded.error).toEqual({ code: 'SIGNATURE_LIMIT_EXCEEDED', message: `maximum number of Sigstore bundles on an image is 2, found 3 (${registry.host}/${pinned.repository}@${pinned.digest} referrers)` });
  });

  it('key-signed DSSE attestation: the statement whose subject is the image verifies; as a signature it is not one (no signatures found)', async () => {
    const { pinned } = await image();
    await attach(pinned, dsseBundle(pinned.digest));
    const outcome = await verifyCosignAttestations(client, pinned, { ...byKey, predicateType: SLSA }, signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.statements.map((s) => s.predicate)).toEqual([{ builder: { id: 'ci' } }]);
    expect((await verifyCosignSignatures(client, pinned, byKey, signal)).error).toEqual({ code: 'SIGNATURE_NOT_FOUND', message: 'no signatures found' });

    const { pinned: another } = await image();
    await attach(another, dsseBundle(pinned.digest));
    expect((await verifyCosignAttestations(client, another, byKey, signal)).error?.code).toBe('TARGET_ARTIFACT_MISMATCH');
  });

  it('keyless, logged in the Rekor double: a message signature and an attestation (dsse and intoto entries) verify for the identity; another subject is UNTRUSTED_IDENTITY', async () => {
    const { pinned, manifest } = await image();
    const trustedRoot = JSON.stringify(doubles.trustedRoot);
    await attach(pinned, (await signKeyless(doubles, { artifact: manifest, identity: { email: EMAIL } })).bundle);
    await attach(pinned, (await signKeyless(doubles, { artifact: statement(pinned.digest), payloadType: IN_TOTO, identity: { email: EMAIL }, rekorEntryType: 'intoto' })).bundle);
    await attach(pinned, (await signKeyless(doubles, { artifact: statement(pinned.digest), payloadType: IN_TOTO, identity: { email: EMAIL }, rekorEntryType: 'dsse' })).bundle);
    const keyless = { keyless: { subject: EMAIL, issuer: doubles.urls.oidc }, trustedRoot };

    const signatures = await verifyCosignSignatures(client, pinned, keyless, signal);
    expect(signatures.error).toBeUndefined();
    expect(signatures.signatures.filter((s) => s.verified).map((s) => s.signer)).toEqual([{ kind: 'certificate', subject: EMAIL, sans: [`email:${EMAIL}`], issuer: doubles.urls.oidc }]);
    const attestations = await verifyCosignAttestations(client, pinned, { ...keyless, predicateType: SLSA }, signal);
    expect(attestations.error).toBeUndefined();
    expect(attestations.statements).toHaveLength(2);

    const wrong = await verifyCosignSignatures(client, pinned, { ...keyless, keyless: { subject: 'someone@example.com', issuer: doubles.urls.oidc } }, signal);
    expect(wrong.error?.code).toBe('UNTRUSTED_IDENTITY');
  });
});
