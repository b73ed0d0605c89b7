// Keyless cosign signatures end to end (Fulcio/Rekor/TSA/OIDC doubles, sigstore-js, legacy layers in a real docker-registry, verified offline), and RFC 3161 times for key and certificate signatures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_PREDICATE_TYPE,
  ANNOTATION_RFC3161_TIMESTAMP,
  ANNOTATION_SIGNATURE,
  signatureLocation,
  simpleSigningPayload,
  verifyCosignAttestations,
  verifyCosignSignatures,
  type CosignVerifyOptions,
  type KeylessIdentity,
} from '../../src/cosign/index.js';
import { appendLayer, signBytes } from '../../src/cosign/sign.js';
import { generateCertificateChain } from '../../src/notary/pki/generate.js';
import { createHash } from 'node:crypto';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import type { PinnedImage } from '../../src/verification/index.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { signKeyless, startSigstoreDoubles, type SigstoreDoubles } from '../support/sigstore-doubles.js';

let registry: RegistryServer;
let client: RegistryClient;
let doubles: SigstoreDoubles;
let trustedRoot: string;
const signal = new AbortController().signal;
const EMAIL = 'signer@example.com';

beforeAll(async () => {
  [registry, doubles] = await Promise.all([startRegistry(), startSigstoreDoubles()]);
  client = new RegistryClient({ plainHttpForLocalhost: true });
  trustedRoot = JSON.stringify(doubles.trustedRoot);
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  await doubles?.stop();
});

let count = 0;
/** An image signed keyless (at `at`, with or without the tlog and the TSA), its layer written as cosign writes it. */
async function signedImage(options: { at?: Date; tlog?: boolean; tsa?: boolean } = {}): Promise<PinnedImage> {
  const repository = `keyless/image-${++count}`;
  const store = client.repository(registry.host, repository);
  const pushed = await pushImage(store, { layers: [new TextEncoder().encode(`keyless ${count}`)] });
  const pinned: PinnedImage = { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false };
  const target = { repository: `${registry.host}/${repository}`, digest: pinned.digest };
  const payload = simpleSigningPayload(target, undefined);
  doubles.setClock(options.at);
  try {
    const { legacy } = await signKeyless(doubles, { artifact: payload, identity: { email: EMAIL }, tlog: options.tlog ?? true, tsa: options.tsa ?? false });
    await appendLayer(signatureLocation(client, pinned, undefined), target, 'signatures', payload, {
      [ANNOTATION_SIGNATURE]: legacy.signature,
      [ANNOTATION_CERTIFICATE]: legacy.certificatePem,
      [ANNOTATION_CHAIN]: legacy.chainPem,
      ...(legacy.rekorBundle ? { [ANNOTATION_BUNDLE]: JSON.stringify(legacy.rekorBundle) } : {}),
      ...(legacy.rfc3161Timestamp ? { [ANNOTATION_RFC3161_TIMESTAMP]: legacy.rfc3161Timestamp } : {}),
    });
  } finally {
    doubles.setClock(undefined);
  }
  return pinned;
}

const keyless = (identity: KeylessIdentity, extra: Partial<CosignVerifyOptions> = {}): CosignVerifyOptions => ({ keyless: identity, trustedRoot, ...extra });

describe('keyless', () => {
  let fresh: PinnedImage;
  let hourOld: PinnedImage;
  beforeAll(async () => {
    fresh = await signedImage();
    hourOld = await signedImage({ at: new Date(Date.now() - 3_600_000) });
  });

  it.each([
    { name: 'subject and issuer', identity: () => ({ subject: EMAIL, issuer: doubles.urls.oidc }) },
    { name: 'subject wildcard and issuer regexp', identity: () => ({ subject: '*@example.com', issuerRegExp: '^http://127\\.0\\.0\\.1:[0-9]+/oidc$' }) },
  ])('verifies with the trusted root: $name', async ({ identity }) => {
    const outcome = await verifyCosignSignatures(client, fresh, keyless(identity()), signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.signatures[0]).toMatchObject({ verified: true, signer: { kind: 'certificate', subject: EMAIL, issuer: doubles.urls.oidc }, tlog: { integratedTime: expect.any(Number) } });
  });

  it.each([
    { name: 'another subject', identity: () => ({ subject: 'someone@example.com', issuer: doubles.urls.oidc }), code: 'UNTRUSTED_IDENTITY' },
    { name: 'another issuer', identity: () => ({ subject: EMAIL, issuer: 'https://accounts.example' }), code: 'UNTRUSTED_IDENTITY' },
    { name: 'a subject regexp that does not match (not ignored)', identity: () => ({ subjectRegExp: '^admin@', issuer: doubles.urls.oidc }), code: 'UNTRUSTED_IDENTITY' },
  ])('$name → $code', async ({ identity, code }) => {
    const outcome = await verifyCosignSignatures(client, fresh, keyless(identity()), signal);
    expect(outcome.verified).toBe(false);
    expect(outcome.error?.code).toBe(code);
  });

  it('an hour-old signature: its Fulcio certificate is judged at the Rekor integrated time; with the tlog ignored and no TSA it has expired', async () => {
    const identity = { subject: EMAIL, issuer: doubles.urls.oidc };
    expect((await verifyCosignSignatures(client, hourOld, keyless(identity), signal)).error).toBeUndefined();
    const ignored = await verifyCosignSignatures(client, hourOld, keyless(identity, { rekor: { ignoreTlog: true } }), signal);
    expect(ignored.error?.code).toBe('CERTIFICATE_EXPIRED');
  });

  it('with the tlog ignored, an RFC 3161 timestamp of a trusted TSA dates the signature', async () => {
    const old = await signedImage({ at: new Date(Date.now() - 3_600_000), tlog: false, tsa: true });
    const outcome = await verifyCosignSignatures(client, old, keyless({ subject: EMAIL, issuer: doubles.urls.oidc }, { rekor: { ignoreTlog: true } }), signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.verified).toBe(true);
  });

  it('the embedded public-good root does not trust the doubles: the bundle names an unknown log', async () => {
    const outcome = await verifyCosignSignatures(client, fresh, { keyless: { subject: EMAIL, issuer: doubles.urls.oidc } }, signal);
    expect(outcome.error?.code).toBe('TLOG_KEY_UNKNOWN');
  });
});

describe('RFC 3161 times with keys and certificates', () => {
  /** A token of the TSA double over `signature`, stamped at `at`. */
  async function timestamp(signature: Uint8Array, at: Date): Promise<string> {
    doubles.setClock(at);
    try {
      const res = await fetch(doubles.urls.tsa, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ artifactHash: createHash('sha256').update(signature).digest('base64'), hashAlgorithm: 'sha256', certificates: true }),
      });
      expect(res.status).toBe(201);
      return JSON.stringify({ SignedRFC3161Timestamp: Buffer.from(await res.arrayBuffer()).toString('base64') });
    } finally {
      doubles.setClock(undefined);
    }
  }

  it('a certificate expired since: the trusted TSA\'s time (an hour ago) dates the signature, the tlog ignored; without the timestamp CERTIFICATE_EXPIRED; a token over another signature fails', async () => {
    const chain = await generateCertificateChain({
      keyType: 'ec-256',
      root: { notBefore: new Date(Date.now() - 30 * 86_400_000) },
      leaf: { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 1_800_000), extendedKeyUsage: null },
    });
    const privateKey = chain.leaf.privateKey;
    const repository = `keyless/tsa-${++count}`;
    const pushed = await pushImage(client.repository(registry.host, repository), { layers: [new TextEncoder().encode('tsa')] });
    const pinned: PinnedImage = { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false };
    const target = { repository: `${registry.host}/${repository}`, digest: pinned.digest };
    const payload = simpleSigningPayload(target, undefined);
    const signature = signBytes(privateKey, payload);
    const options: CosignVerifyOptions = { certificate: chain.leaf.pem, certificateChain: chain.root.pem, trustedRoot, rekor: { ignoreTlog: true } };
    const layer = (stamp?: string) => ({ [ANNOTATION_SIGNATURE]: Buffer.from(signature).toString('base64'), [ANNOTATION_CERTIFICATE]: chain.leaf.pem, ...(stamp ? { [ANNOTATION_RFC3161_TIMESTAMP]: stamp } : {}) });
    const location = signatureLocation(client, pinned, undefined);

    await appendLayer(location, target, 'signatures', payload, layer());
    expect((await verifyCosignSignatures(client, pinned, options, signal)).error?.code).toBe('CERTIFICATE_EXPIRED');
    await appendLayer(location, target, 'signatures', payload, layer(await timestamp(new Uint8Array([1, 2, 3]), new Date(Date.now() - 3_600_000))));
    await appendLayer(location, target, 'signatures', payload, layer(await timestamp(signature, new Date(Date.now() - 3_600_000))));
    const outcome = await verifyCosignSignatures(client, pinned, options, signal);
    expect(outcome.signatures.map((s) => s.error?.code ?? 'ok')).toEqual(['CERTIFICATE_EXPIRED', 'INVALID_TIMESTAMP', 'ok']);
    expect(outcome.verified).toBe(true);
  });
});

describe('keyless attestations', () => {
  // Only dsse entries: sigstore-js hashes an intoto entry's envelope with the public key inside its signature, which is not
  // the envelope cosign stores as the layer (bundles with intoto entries are covered in bundles.test.ts).
  it.each(['dsse'] as const)('a DSSE envelope logged as a Rekor %s entry, written as cosign writes an .att layer, verifies for the identity; another issuer is UNTRUSTED_IDENTITY', async (entryType) => {
    const repository = `keyless/att-${++count}`;
    const pushed = await pushImage(client.repository(registry.host, repository), { layers: [new TextEncoder().encode(`att ${count}`)] });
    const pinned: PinnedImage = { registry: registry.host, repository, digest: pushed.descriptor.digest, descriptor: pushed.descriptor, insecure: false };
    const target = { repository: `${registry.host}/${repository}`, digest: pinned.digest };
    const SLSA = 'https://slsa.dev/provenance/v1';
    const statement = new TextEncoder().encode(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: SLSA, subject: [{ name: target.repository, digest: { sha256: pinned.digest.slice(7) } }], predicate: {} }));
    const { bundle, legacy } = await signKeyless(doubles, { artifact: statement, payloadType: 'application/vnd.in-toto+json', identity: { email: EMAIL }, rekorEntryType: entryType });
    const envelope = new TextEncoder().encode(JSON.stringify(bundle.dsseEnvelope));
    await appendLayer(signatureLocation(client, pinned, undefined), target, 'attestations', envelope, {
      [ANNOTATION_SIGNATURE]: '',
      [ANNOTATION_PREDICATE_TYPE]: SLSA,
      [ANNOTATION_CERTIFICATE]: legacy.certificatePem,
      [ANNOTATION_CHAIN]: legacy.chainPem,
      ...(legacy.rekorBundle ? { [ANNOTATION_BUNDLE]: JSON.stringify(legacy.rekorBundle) } : {}),
    });
    const outcome = await verifyCosignAttestations(client, pinned, { ...keyless({ subject: EMAIL, issuer: doubles.urls.oidc }), predicateType: SLSA }, signal);
    expect(outcome.error).toBeUndefined();
    expect(outcome.signatures[0]).toMatchObject({ verified: true, predicateType: SLSA, tlog: { integratedTime: expect.any(Number) } });
    const wrong = await verifyCosignAttestations(client, pinned, keyless({ subject: EMAIL, issuer: 'https://accounts.example' }), signal);
    expect(wrong.error?.code).toBe('UNTRUSTED_IDENTITY');
  });
});
