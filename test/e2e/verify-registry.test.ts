// Sign into an OCI layout → copy to the real docker-registry → verify: JWS and COSE, both manifest forms, every failure kind, multi-arch.
import { AuthorityInfoAccessExtension } from '@peculiar/x509';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OciLayoutStore, RegistryClient, copyGraph, pushImage, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { pushIndex } from '../../src/oci/push.js';
import { createNotaryPayload, hashOf, signEnvelope } from '../../src/notary/envelope/index.js';
import { RevocationChecker } from '../../src/pki/index.js';
import { buildSignatureManifest, type SignatureManifestForm } from '../../src/notary/signature-manifest.js';
import { signArtifact, tsaTimestamper } from '../../src/notary/signer.js';
import { requestTimestamp } from '../../src/pki/index.js';
import { parseTrustPolicyDocument } from '../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore, type TrustStoreBundle } from '../../src/notary/truststore/index.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS, type ExtendedAttribute, type ImageVerificationResult } from '../../src/notary/types.js';
import { notaryVerdict, verifyImage, verifyInStore, type VerifyImageOptions } from '../../src/notary/verifier/index.js';
import { failureReason } from '../../src/service/index.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { cachedKeyPair, generateCertificateChain, issueCertificate, type CertificateOptions, type GeneratedChain } from '../support/pki.js';
import { startTsaDouble, type TsaDouble } from '../support/tsa-double.js';

const DAY = 24 * 60 * 60 * 1000;

interface SignOptions {
  format?: 'jws' | 'cose';
  form?: SignatureManifestForm;
  chain: GeneratedChain;
  signingTime?: Date;
  expiry?: Date;
  userMetadata?: Record<string, string>;
  extendedAttributes?: ExtendedAttribute[];
  /** Sign this descriptor instead of the subject (a signature for another artifact). */
  payloadTarget?: Descriptor;
  /** Change the envelope after signing. */
  tamper?: (envelope: Uint8Array) => Uint8Array;
  tsa?: TsaDouble;
  /** Sign with imgverify's signer (signArtifact) instead of the step-by-step helper below. */
  viaSigner?: boolean;
}

/** notation's signing steps (signing-and-verification-workflow.md): envelope, blob, signature manifest with the subject. */
async function sign(store: ArtifactStore, subject: Descriptor, options: SignOptions): Promise<Descriptor> {
  const mediaType = options.format === 'cose' ? MEDIA_TYPE_COSE : MEDIA_TYPE_JWS;
  const target = options.payloadTarget ?? subject;
  let envelope = await signEnvelope({
    mediaType,
    payload: createNotaryPayload({ mediaType: target.mediaType, digest: target.digest, size: target.size }, options.userMetadata),
    signingScheme: 'notary.x509',
    signingTime: options.signingTime ?? new Date(),
    ...(options.expiry ? { expiry: options.expiry } : {}),
    ...(options.extendedAttributes ? { extendedAttributes: options.extendedAttributes } : {}),
    privateKey: options.chain.leaf.privateKey,
    certificateChain: options.chain.chain,
    ...(options.tsa
      ? { timestamper: (signature: Uint8Array, algorithm) => requestTimestamp((options.tsa as TsaDouble).url, signature, { hashAlgorithm: hashOf(algorithm) }) }
      : {}),
  });
  if (options.tamper) envelope = options.tamper(envelope);
  const blob = await store.pushBlob(envelope, mediaType);
  const built = buildSignatureManifest({ form: options.form ?? 'artifact', subject, envelope: blob, certificateChain: options.chain.chain });
  await store.pushBlob(built.config.bytes, built.config.descriptor.mediaType);
  return store.pushManifest(built.bytes, built.mediaType);
}

/** Replace the JWS payload with another descriptor's, keeping the signature: integrity must fail. */
function tamperJwsPayload(envelope: Uint8Array): Uint8Array {
  const jws = JSON.parse(Buffer.from(envelope).toString('utf8')) as { payload: string };
  const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as { targetArtifact: { size: number } };
  payload.targetArtifact.size += 1;
  jws.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return new Uint8Array(Buffer.from(JSON.stringify(jws)));
}

function policy(options: { trustedIdentities?: string[]; level?: string; tsa?: boolean; override?: Record<string, string> } = {}) {
  return parseTrustPolicyDocument({
    version: '1.0',
    trustPolicies: [
      {
        name: 'e2e',
        registryScopes: ['*'],
        signatureVerification: { level: options.level ?? 'strict', ...(options.override ? { override: options.override } : {}) },
        trustStores: ['ca:test', ...(options.tsa ? ['tsa:test-tsa'] : [])],
        trustedIdentities: options.trustedIdentities ?? ['*'],
      },
    ],
  });
}

describe('sign → docker-registry → verify', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  let workDir: string;
  let chain: GeneratedChain;
  let otherChain: GeneratedChain;
  let expiredChain: GeneratedChain;
  let ocspChain: GeneratedChain;
  let shortLivedChain: GeneratedChain;
  let serverAuthChain: GeneratedChain;
  let tsa: TsaDouble;
  let trustStore: MemoryTrustStore;
  let layoutCount = 0;

  beforeAll(async () => {
    [registry, workDir, tsa] = await Promise.all([startRegistry(), mkdtemp(join(tmpdir(), 'imgverify-e2e-verify-')), startTsaDouble()]);
    client = new RegistryClient({ plainHttpForLocalhost: true });
    const keys = { root: await cachedKeyPair('ec-256', 'e2e-root'), leaf: await cachedKeyPair('ec-256', 'e2e-leaf') };
    chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'e2e signer', root: { keys: keys.root }, leaf: { keys: keys.leaf, subject: 'C=US, ST=WA, L=Seattle, O=Acme, CN=e2e signer' } });
    otherChain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'stranger', root: { keys: await cachedKeyPair('ec-256', 'e2e-other-root') }, leaf: { keys: keys.leaf } });
    // Leaves under the same root as `chain`, so only the property under test differs.
    const underRoot = async (overrides: Partial<CertificateOptions>): Promise<GeneratedChain> => {
      const leaf = await issueCertificate({ commonName: 'e2e signer', keyType: 'ec-256', keys: keys.leaf, ...overrides }, chain.root);
      return { ...chain, leaf, chain: [leaf.der, chain.root.der], chainPem: leaf.pem + chain.root.pem };
    };
    expiredChain = await underRoot({ notBefore: new Date(Date.now() - 3 * DAY), notAfter: new Date(Date.now() - DAY) });
    // extendedKeyUsage serverAuth is forbidden for code signing (signature-specification.md, Leaf Certificates).
    serverAuthChain = await underRoot({ extendedKeyUsage: { usages: ['1.3.6.1.5.5.7.3.1'], critical: false } });
    shortLivedChain = await underRoot({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + DAY) });
    // A leaf naming an OCSP responder on a closed loopback port: revocation status cannot be determined.
    ocspChain = await underRoot({ extensions: [new AuthorityInfoAccessExtension({ ocsp: ['http://127.0.0.1:9/ocsp'] })] });
    const bundles: TrustStoreBundle[] = [
      { type: 'ca', name: 'test', caBundle: chain.root.pem },
      { type: 'tsa', name: 'test-tsa', caBundle: tsa.root.pem },
    ];
    trustStore = MemoryTrustStore.fromBundles(bundles);
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), tsa?.stop(), workDir && rm(workDir, { recursive: true, force: true })]);
  });

  /** A fresh layout with one image tagged v1, signed as asked, copied with its referrers to `<registry>/<repo>`. */
  async function signedImage(repo: string, signatures: (Omit<SignOptions, 'chain'> & { chain?: GeneratedChain })[] = [{}]) {
    const layout = await OciLayoutStore.open(join(workDir, `layout-${++layoutCount}`), { create: true });
    const image = await pushImage(layout, { tag: 'v1', layers: [new TextEncoder().encode(`layer of ${repo}`)] });
    for (const signature of signatures) {
      const signer = signature.chain ?? chain;
      if (signature.viaSigner) {
        await signArtifact(layout, 'v1', {
          key: signer.leaf.privateKey,
          certificateChain: signer.chain,
          signatureFormat: signature.format ?? 'jws',
          signatureManifest: signature.form ?? 'artifact',
          ...(signature.userMetadata ? { userMetadata: signature.userMetadata } : {}),
          ...(signature.tsa ? { timestamper: tsaTimestamper(signature.tsa.url, { rootCertificates: [signature.tsa.rootCertificate] }) } : {}),
        });
      } else {
        await sign(layout, image.descriptor, { ...signature, chain: signer });
      }
    }
    const remote = client.repository(registry.host, repo);
    await copyGraph(layout, remote, 'v1', { recursive: true });
    return { layout, descriptor: image.descriptor, reference: `${registry.host}/${repo}:v1` };
  }

  function options(extra: Partial<VerifyImageOptions> = {}): VerifyImageOptions {
    return { trustPolicy: policy(), trustStore, registry: client, revocation: new RevocationChecker({ cache: false, timeoutMs: 1_000 }), ...extra };
  }

  function expectVerified(result: ImageVerificationResult, digest: string): void {
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
    expect(result.digest).toBe(digest);
  }

  it.each([
    { format: 'jws' as const, form: 'artifact' as const },
    { format: 'jws' as const, form: 'image' as const },
    { format: 'cose' as const, form: 'artifact' as const },
    { format: 'cose' as const, form: 'image' as const },
  ])('$format signature in $form form verifies from the registry and from the layout', async ({ format, form }) => {
    const { layout, descriptor, reference } = await signedImage(`round-trip/${format}-${form}`, [{ format, form, viaSigner: true }]);
    const result = await verifyImage(reference, options());
    expectVerified(result, descriptor.digest);
    expect(result.signature?.signatureMediaType).toBe(format === 'jws' ? MEDIA_TYPE_JWS : MEDIA_TYPE_COSE);
    expect(result.signature?.certificateChain?.[0]).toBe('C=US, ST=WA, L=Seattle, O=Acme, CN=e2e signer');
    // The same signature verifies where it was made: the OCI layout.
    expectVerified(await verifyInStore(layout, 'v1', `${registry.host}/round-trip/${format}-${form}`, 'layout:v1', options()), descriptor.digest);
  });

  it.each([
    { name: 'tampered payload', sign: { tamper: tamperJwsPayload }, code: 'INVALID_SIGNATURE' },
    { name: 'signature for another artifact', sign: { payloadTarget: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 10 } }, code: 'TARGET_ARTIFACT_MISMATCH' },
    { name: 'wrong trust store', sign: { chain: undefined as unknown as GeneratedChain }, signer: 'other', code: 'UNTRUSTED_SIGNER' },
    { name: 'identity mismatch', sign: {}, identities: ['x509.subject: C=US, ST=WA, O=Wabbit'], code: 'UNTRUSTED_IDENTITY' },
    { name: 'expired certificate', sign: { signingTime: new Date(Date.now() - 2 * DAY) }, signer: 'expired', code: 'CERTIFICATE_EXPIRED' },
    { name: 'expired signature', sign: { signingTime: new Date(Date.now() - 2 * 60 * 60 * 1000), expiry: new Date(Date.now() - 60 * 60 * 1000) }, code: 'SIGNATURE_EXPIRED' },
    { name: 'unknown critical attribute', sign: { extendedAttributes: [{ key: 'com.example.policy', critical: true, value: 'v' }] }, code: 'UNKNOWN_CRITICAL_ATTRIBUTE' },
    { name: 'revocation status unknown (OCSP unreachable)', sign: {}, signer: 'ocsp', code: 'REVOCATION_UNKNOWN' },
    { name: 'revocation unknown, permissive: logged', sign: {}, signer: 'ocsp', level: 'permissive', logged: ['REVOCATION_UNKNOWN'] },
    { name: 'identity matches a DN subset', sign: {}, identities: ['x509.subject: C=US, ST=WA, O=Acme'] },
    { name: 'leaf breaks the certificate requirements', sign: {}, signer: 'serverAuth', code: 'INVALID_CERTIFICATE_CHAIN' },
  ])('$name → $code', async (c) => {
    const signer = { other: otherChain, expired: expiredChain, ocsp: ocspChain, serverAuth: serverAuthChain }[c.signer ?? ''] ?? chain;
    const repo = `failures/${c.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`;
    const { descriptor, reference } = await signedImage(repo, [{ ...c.sign, chain: signer }]);
    const result = await verifyImage(reference, options({ trustPolicy: policy({ trustedIdentities: c.identities, level: c.level }) }));
    if (c.code) {
      expect(result.verified).toBe(false);
      expect(result.error?.code).toBe(c.code);
    } else {
      expectVerified(result, descriptor.digest);
      expect(result.signature?.errors.map((e) => e.code)).toEqual(c.logged ?? []);
    }
  });

  // notation names a failed verification by its validation type; the 406 reason and the CLI say it the same way.
  it.each([
    { name: 'tampered payload', sign: { tamper: tamperJwsPayload }, code: 'INVALID_SIGNATURE', check: 'integrity' },
    { name: 'wrong trust store', sign: {}, signer: 'other', code: 'UNTRUSTED_SIGNER', check: 'authenticity' },
    { name: 'identity mismatch', sign: {}, identities: ['x509.subject: C=US, ST=WA, O=Wabbit'], code: 'UNTRUSTED_IDENTITY', check: 'authenticity' },
    { name: 'expired certificate', sign: { signingTime: new Date(Date.now() - 2 * DAY) }, signer: 'expired', code: 'CERTIFICATE_EXPIRED', check: 'authenticTimestamp' },
    { name: 'expired signature', sign: { signingTime: new Date(Date.now() - 2 * 60 * 60 * 1000), expiry: new Date(Date.now() - 60 * 60 * 1000) }, code: 'SIGNATURE_EXPIRED', check: 'expiry' },
    { name: 'revocation status unknown', sign: {}, signer: 'ocsp', code: 'REVOCATION_UNKNOWN', check: 'revocation' },
  ])('notation parity: $name → $check validation failed', async (c) => {
    const signer = { other: otherChain, expired: expiredChain, ocsp: ocspChain }[c.signer ?? ''] ?? chain;
    const repo = `parity/${c.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}`;
    const { reference } = await signedImage(repo, [{ ...c.sign, chain: signer }]);
    const verdict = notaryVerdict(await verifyImage(reference, options({ trustPolicy: policy({ trustedIdentities: c.identities }) })));
    const message = verdict.error?.message ?? '';
    expect([verdict.error?.code, verdict.failedCheck]).toEqual([c.code, c.check]);
    expect(failureReason(verdict)).toBe(`${c.check} validation failed. Failure reason: ${message} (${c.code})`);
    if (c.check === 'expiry') expect(failureReason(verdict)).toMatch(/^expiry validation failed\. Failure reason: digital signature has expired on "[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT" \(SIGNATURE_EXPIRED\)$/);
  });

  it('a caller that understands the critical attribute accepts it', async () => {
    const { descriptor, reference } = await signedImage('critical/understood', [{ extendedAttributes: [{ key: 'com.example.policy', critical: true, value: 'v' }] }]);
    expectVerified(await verifyImage(reference, options({ understoodCriticalAttributes: ['com.example.policy'] })), descriptor.digest);
  });

  it('user metadata: required values must be signed', async () => {
    const { descriptor, reference } = await signedImage('metadata/app', [{ userMetadata: { buildId: '42', team: 'blue' }, viaSigner: true }]);
    const ok = await verifyImage(reference, options({ userMetadata: { buildId: '42' } }));
    expectVerified(ok, descriptor.digest);
    expect(ok.signature?.userMetadata).toEqual({ buildId: '42', team: 'blue' });
    expect((await verifyImage(reference, options({ userMetadata: { buildId: '43' } }))).error?.code).toBe('USER_METADATA_MISMATCH');
  });

  it('newest failing signature, older good one: the good one wins', async () => {
    const { descriptor, reference } = await signedImage('multi/sigs', [{}, { chain: otherChain }]);
    const result = await verifyImage(reference, options());
    expectVerified(result, descriptor.digest);
  });

  it('timestamped signature: authentic signing time from the TSA; once the certificate expires, only the timestamp keeps it valid', async () => {
    // The TSA double states 1 s accuracy, so the token's lower limit precedes the (whole-second)
    // signing time: it must still verify (the signing time is not authenticated).
    const { descriptor, reference } = await signedImage('timestamp/app', [{ tsa, chain: shortLivedChain, viaSigner: true }]);
    const withTsa = options({ trustPolicy: policy({ tsa: true }) });
    const now = await verifyImage(reference, withTsa);
    expectVerified(now, descriptor.digest);
    const signedAt = Date.parse(now.signature?.authenticSigningTime ?? '');
    expect(Math.abs(signedAt - Date.now())).toBeLessThan(60_000);
    // Without a tsa store the timestamp is not consulted.
    expect((await verifyImage(reference, options())).signature?.authenticSigningTime).toBeUndefined();
    // Two days later the leaf has expired: the timestamp proves it was valid when it signed.
    const later = new Date(Date.now() + 2 * DAY);
    expectVerified(await verifyImage(reference, { ...withTsa, now: later }), descriptor.digest);
    const afterExpiry = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [
        { name: 'e2e', registryScopes: ['*'], signatureVerification: { level: 'strict', verifyTimestamp: 'afterCertExpiry' }, trustStores: ['ca:test', 'tsa:test-tsa'], trustedIdentities: ['*'] },
      ],
    });
    expectVerified(await verifyImage(reference, { ...withTsa, trustPolicy: afterExpiry, now: later }), descriptor.digest);
    const noTsa = await verifyImage(reference, { ...options(), now: later });
    expect(noTsa.error?.code).toBe('CERTIFICATE_EXPIRED');
  });

  it('validUntil: a pass lasts until the signature expiry or, without an authentic signing time, the first certificate notAfter', async () => {
    const expiry = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    const withExpiry = await signedImage('valid-until/expiry', [{ chain: shortLivedChain, expiry }]);
    expect((await verifyImage(withExpiry.reference, options())).signature?.validUntil).toBe(expiry.toISOString());
    const noExpiry = await signedImage('valid-until/chain', [{ chain: shortLivedChain }]);
    const leafNotAfter = shortLivedChain.leaf.certificate.notAfter;
    expect((await verifyImage(noExpiry.reference, options())).signature?.validUntil).toBe(leafNotAfter.toISOString());
    // A verified timestamp fixes the time the chain is judged at: certificate expiry no longer ends the pass.
    const stamped = await signedImage('valid-until/timestamp', [{ tsa, chain: shortLivedChain, viaSigner: true }]);
    const result = await verifyImage(stamped.reference, options({ trustPolicy: policy({ tsa: true }) }));
    expectVerified(result, stamped.descriptor.digest);
    expect(result.signature?.validUntil).toBeUndefined();
  });

  it('an unsigned image → SIGNATURE_NOT_FOUND naming registry/repository@digest', async () => {
    const { descriptor, reference } = await signedImage('unsigned/app', []);
    const result = await verifyImage(reference, options());
    expect(result.error).toEqual({
      code: 'SIGNATURE_NOT_FOUND',
      message: `no signature is associated with "${registry.host}/unsigned/app@${descriptor.digest}", make sure the artifact was signed successfully`,
    });
  });

  it('an unreachable registry fails closed with the OCI error code', async () => {
    const dead = new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, timeouts: { connectMs: 500, headersMs: 1_000 } });
    const result = await verifyImage('127.0.0.1:9/app:v1', options({ registry: dead }));
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('REGISTRY_UNAVAILABLE');
  });

  describe('multi-arch index', () => {
    let indexDescriptor: Descriptor;
    let arm64: Descriptor;
    let reference: string;

    beforeAll(async () => {
      const layout = await OciLayoutStore.open(join(workDir, 'layout-multiarch'), { create: true });
      const amd = await pushImage(layout, { layers: [new TextEncoder().encode('amd64')], platform: { os: 'linux', architecture: 'amd64' } });
      const arm = await pushImage(layout, { layers: [new TextEncoder().encode('arm64')], platform: { os: 'linux', architecture: 'arm64' } });
      const index = await pushIndex(layout, { tag: 'v1', manifests: [amd.descriptor, arm.descriptor] });
      indexDescriptor = index.descriptor;
      arm64 = arm.descriptor;
      // notation signs the index by default; the arm64 manifest is signed too, the amd64 one is not.
      await sign(layout, { mediaType: index.descriptor.mediaType, digest: index.descriptor.digest, size: index.descriptor.size }, { chain });
      await sign(layout, { mediaType: arm.descriptor.mediaType, digest: arm.descriptor.digest, size: arm.descriptor.size }, { chain, format: 'cose' });
      await copyGraph(layout, client.repository(registry.host, 'multiarch/app'), 'v1', { recursive: true });
      reference = `${registry.host}/multiarch/app:v1`;
    });

    it('without --platform the index digest is verified', async () => {
      const result = await verifyImage(reference, options());
      expectVerified(result, indexDescriptor.digest);
      expect(result.descriptor?.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    });

    it('--platform linux/arm64 verifies the platform manifest with its own signature', async () => {
      const result = await verifyImage(reference, options({ platform: 'linux/arm64' }));
      expectVerified(result, arm64.digest);
      expect(result.signature?.signedDigest).toBeUndefined();
    });

    it('--platform linux/amd64 (unsigned manifest): resolved scope fails, index-or-platform accepts the index signature', async () => {
      const resolved = await verifyImage(reference, options({ platform: 'linux/amd64' }));
      expect(resolved.error?.code).toBe('SIGNATURE_NOT_FOUND');
      const either = await verifyImage(reference, options({ platform: 'linux/amd64', signatureScope: 'index-or-platform' }));
      expect(either.verified).toBe(true);
      expect(either.signature?.signedDigest).toBe(indexDescriptor.digest);
      expect(either.digest).not.toBe(indexDescriptor.digest);
    });

    it('a platform the index lacks → INVALID_INPUT', async () => {
      const result = await verifyImage(reference, options({ platform: 'linux/s390x' }));
      expect(result.error?.code).toBe('INVALID_INPUT');
      expect(result.error?.message).toMatch(/has no manifest for platform linux\/s390x \(it lists: linux\/amd64, linux\/arm64\)/);
    });
  });
});
