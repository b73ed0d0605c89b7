// Revocation of the signing chain through the real RevocationChecker and an OCSP responder double, at each level.
import { AuthorityInfoAccessExtension, CRLDistributionPointsExtension } from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Descriptor } from '../../../src/oci/types.js';
import { createNotaryPayload, signEnvelope } from '../../../src/notary/envelope/index.js';
import { RevocationChecker } from '../../../src/pki/index.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_JWS } from '../../../src/notary/types.js';
import { verifyArtifact } from '../../../src/notary/verifier/index.js';
import { cachedKeyPair, generateCertificateChain, issueCertificate, type GeneratedChain } from '../../support/pki.js';
import { startOcspDouble, type OcspBehaviour, type OcspDouble } from '../../support/ocsp-double.js';
import { startCrlDouble, type CrlDouble } from '../../support/crl-double.js';
import { startTsaDouble, type TsaDouble } from '../../support/tsa-double.js';
import { tsaTimestamper } from '../../../src/notary/signer.js';
import { ArtifactStoreDouble } from './store-double.js';

const TARGET: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'b'.repeat(64)}`, size: 1234 };
const REPOSITORY = 'registry.example/app';

describe('signing chain revocation (OCSP double)', () => {
  let ocsp: OcspDouble;
  let base: GeneratedChain;
  let envelope: Uint8Array;
  let trustStore: MemoryTrustStore;
  let leafSerial: string;
  let tsa: TsaDouble;
  let timestamped: Uint8Array;

  beforeAll(async () => {
    base = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'revocation-root') } });
    ocsp = await startOcspDouble({ responder: { certificate: base.root.der, privateKey: base.root.privateKey } });
    const leaf = await issueCertificate(
      {
        commonName: 'revocable signer',
        keyType: 'ec-256',
        keys: await cachedKeyPair('ec-256', 'revocation-leaf'),
        extensions: [new AuthorityInfoAccessExtension({ ocsp: [`${ocsp.url}/`] })],
      },
      base.root,
    );
    leafSerial = leaf.certificate.serialNumber;
    envelope = await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: createNotaryPayload(TARGET),
      signingScheme: 'notary.x509',
      signingTime: new Date(),
      privateKey: leaf.privateKey,
      certificateChain: [leaf.der, base.root.der],
    });
    tsa = await startTsaDouble();
    timestamped = await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: createNotaryPayload(TARGET),
      signingScheme: 'notary.x509',
      signingTime: new Date(),
      privateKey: leaf.privateKey,
      certificateChain: [leaf.der, base.root.der],
      timestamper: tsaTimestamper(tsa.url, { rootCertificates: [tsa.rootCertificate] }),
    });
    trustStore = MemoryTrustStore.fromBundles([
      { type: 'ca', name: 'test', caBundle: base.root.pem },
      { type: 'tsa', name: 'tsa', caBundle: tsa.root.pem },
    ]);
  });
  afterAll(async () => {
    await Promise.all([ocsp?.stop(), tsa?.stop()]);
  });

  /** Verify `signature` over TARGET under one trust policy statement for REPOSITORY; revocation checked live, no cache. */
  function verifyWith(signature: Uint8Array, signatureVerification: { level: string; override?: Record<string, string> }, trustStores: string[]) {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    store.addSignature(TARGET, MEDIA_TYPE_JWS, signature);
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [{ name: 'revocation', registryScopes: [REPOSITORY], signatureVerification, trustStores, trustedIdentities: ['*'] }],
    });
    return verifyArtifact(store, TARGET, { trustPolicy, trustStore, revocation: new RevocationChecker({ cache: false, timeoutMs: 2_000 }) });
  }

  // Spec, Revocation Checking with OCSP: with an authentic signing time, a certificate whose
  // invalidity date is after it was still valid when it signed.
  it.each([
    { name: 'compromised after the timestamp', invalidityOffsetMs: 60 * 60 * 1000, tsa: true, code: undefined },
    { name: 'compromised before the timestamp', invalidityOffsetMs: -60 * 60 * 1000, tsa: true, code: 'CERTIFICATE_REVOKED' },
    { name: 'compromised after signing, but no tsa store: no authentic time', invalidityOffsetMs: 60 * 60 * 1000, tsa: false, code: 'CERTIFICATE_REVOKED' },
  ])('timestamped signature, leaf $name → $code', async (c) => {
    const now = Date.now();
    ocsp.setStatus(leafSerial, { status: 'revoked', revocationTime: new Date(now), invalidityDate: new Date(now + c.invalidityOffsetMs) });
    ocsp.behave('normal');
    // The TSA double's certificates name no OCSP or CRL location: not revocable.
    const result = await verifyWith(timestamped, { level: 'strict' }, ['ca:test', ...(c.tsa ? ['tsa:tsa'] : [])]);
    expect(result.error?.code).toBe(c.code);
    expect(result.verified).toBe(c.code === undefined);
  });

  it.each<{ name: string; status?: 'good' | 'revoked' | 'unknown'; behaviour?: OcspBehaviour; level?: string; override?: Record<string, string>; code?: string; logged?: string[]; leafStatus?: string; skipped?: boolean }>([
    { name: 'good', status: 'good', leafStatus: 'good' },
    { name: 'revoked, strict', status: 'revoked', code: 'CERTIFICATE_REVOKED' },
    { name: 'revoked, permissive logs it', status: 'revoked', level: 'permissive', logged: ['CERTIFICATE_REVOKED'], leafStatus: 'revoked' },
    { name: 'revoked, audit logs it', status: 'revoked', level: 'audit', logged: ['CERTIFICATE_REVOKED'], leafStatus: 'revoked' },
    { name: 'revoked, override revocation=skip', status: 'revoked', override: { revocation: 'skip' }, skipped: true },
    { name: 'responder says unknown', status: 'unknown', code: 'REVOCATION_UNKNOWN' },
    { name: 'responder broken', status: 'good', behaviour: 'http-error', code: 'REVOCATION_UNKNOWN' },
    { name: 'responder broken, permissive logs it', status: 'good', behaviour: 'bad-signature', level: 'permissive', logged: ['REVOCATION_UNKNOWN'], leafStatus: 'unknown' },
  ])('$name → $code', async (c) => {
    ocsp.setStatus(leafSerial, { status: c.status ?? 'good' });
    ocsp.behave(c.behaviour ?? 'normal');
    const result = await verifyWith(envelope, { level: c.level ?? 'strict', ...(c.override ? { override: c.override } : {}) }, ['ca:test']);
    if (c.code) {
      expect(result.verified).toBe(false);
      expect(result.error?.code).toBe(c.code);
      expect(result.results[0]?.validations.at(-1)).toMatchObject({ type: 'revocation', action: 'enforce', passed: false });
    } else {
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
      expect(result.signature?.errors.map((e) => e.code)).toEqual(c.logged ?? []);
      const revocation = result.signature?.validations.find((v) => v.type === 'revocation');
      if (c.skipped) {
        expect(revocation).toEqual({ type: 'revocation', action: 'skip', passed: false });
        expect(result.signature?.revocation).toBeUndefined();
      } else {
        expect(result.signature?.revocation?.[0]).toMatchObject({ serialNumber: expect.any(String), status: c.leafStatus });
        expect(result.signature?.revocation?.[1]?.status).toBe('skipped');
      }
    }
  });
});

// Issue 9 M3a: under audit an untrusted chain is still evaluated, but the OCSP responder and CRL
// location it names are the sender's choice (internal addresses included): never contacted.
describe('revocation of a chain that failed authenticity', () => {
  let ocsp: OcspDouble;
  let crl: CrlDouble;
  let envelope: Uint8Array;
  let trustStore: MemoryTrustStore;

  beforeAll(async () => {
    const untrusted = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'untrusted-revocation-root') } });
    ocsp = await startOcspDouble({ responder: { certificate: untrusted.root.der, privateKey: untrusted.root.privateKey } });
    crl = await startCrlDouble();
    const leaf = await issueCertificate(
      {
        commonName: 'untrusted revocable signer',
        keyType: 'ec-256',
        keys: await cachedKeyPair('ec-256', 'revocation-leaf'),
        extensions: [new AuthorityInfoAccessExtension({ ocsp: [`${ocsp.url}/`] }), new CRLDistributionPointsExtension([`${crl.url}/leaf.crl`])],
      },
      untrusted.root,
    );
    envelope = await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: createNotaryPayload(TARGET),
      signingScheme: 'notary.x509',
      signingTime: new Date(),
      privateKey: leaf.privateKey,
      certificateChain: [leaf.der, untrusted.root.der],
    });
    const trusted = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'revocation-root') } });
    trustStore = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'test', caBundle: trusted.root.pem }]);
  });
  afterAll(async () => {
    await Promise.all([ocsp?.stop(), crl?.stop()]);
  });

  it('audit: authenticity and revocation are logged, and neither the OCSP responder nor the CRL location is contacted', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    store.addSignature(TARGET, MEDIA_TYPE_JWS, envelope);
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [{ name: 'audit', registryScopes: [REPOSITORY], signatureVerification: { level: 'audit' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
    });
    const result = await verifyArtifact(store, TARGET, { trustPolicy, trustStore, revocation: new RevocationChecker({ cache: false, timeoutMs: 2_000 }) });
    expect(result.verified).toBe(true);
    expect(result.signature?.errors.map((e) => e.code)).toEqual(['UNTRUSTED_SIGNER', 'REVOCATION_UNKNOWN']);
    expect(result.signature?.revocation?.map((r) => r.status)).toEqual(['unknown', 'skipped']);
    expect(result.signature?.revocation?.[0]?.error?.message).toBe(
      'not checked: the certificate chain failed authenticity, so the OCSP responders and CRL locations it names are not contacted',
    );
    expect([ocsp.requests, crl.hits('/leaf.crl')]).toEqual([0, 0]);
  });
});
