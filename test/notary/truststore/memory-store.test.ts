// MemoryTrustStore (the service's TrustStore resources) applies the file store's certificate rules; collectTrustedCertificates merges a statement's stores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import {
  FileTrustStore,
  MemoryTrustStore,
  collectTrustedCertificates,
  trustStoreTypeForSigningScheme,
  type TrustStoreBundle,
} from '../../../src/notary/truststore/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { thrownBy } from '../../support/errors.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const CORE_X509 = join(NOTARY_FIXTURES, 'notation-core-go/x509-testdata');
const UPSTREAM_X509 = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata/truststore/x509');

const pem = (path: string): string => readFileSync(path, 'utf8');

describe('MemoryTrustStore.set', () => {
  const VALID: { bundle: TrustStoreBundle; count: number }[] = [
    { bundle: { type: 'ca', name: 'e2e', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) }, count: 1 },
    { bundle: { type: 'ca', name: 'crl-root', caBundle: pem(join(E2E, 'crl/root.crt')) }, count: 1 },
    { bundle: { type: 'signingAuthority', name: 'globalsign', caBundle: pem(join(CORE_X509, 'multi-pem.crt')) }, count: 2 },
    { bundle: { type: 'signingAuthority', name: 'der', caBundle: new Uint8Array(readFileSync(join(CORE_X509, 'multi-der.der'))) }, count: 2 },
    { bundle: { type: 'tsa', name: 'digicert', caBundle: new Uint8Array(readFileSync(join(E2E, 'timestamp/DigiCertTSARootSHA384.cer'))) }, count: 1 },
  ];
  it.each(VALID)('$bundle.type:$bundle.name holds $count certificate(s)', async ({ bundle, count }) => {
    const store = MemoryTrustStore.fromBundles([bundle]);
    expect(store.has(bundle.type, bundle.name)).toBe(true);
    expect(await store.getCertificates(bundle.type, bundle.name)).toHaveLength(count);
  });

  const INVALID: { case: string; bundle: TrustStoreBundle; fragment: string }[] = [
    {
      case: 'a leaf that is not self-signed in a ca store',
      bundle: { type: 'ca', name: 'leaf', caBundle: pem(join(UPSTREAM_X509, 'ca/trust-store-with-leaf-certs/non-ca.crt')) },
      fragment: 'caBundle of TrustStore "leaf" of type "ca": certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io" is not a CA certificate or self-signed signing certificate',
    },
    {
      case: 'a self-signed leaf in a tsa store',
      bundle: { type: 'tsa', name: 'leaf', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) },
      fragment: 'is not a self-signed root CA certificate',
    },
    {
      case: 'a not self-issued CA in a tsa store',
      bundle: { type: 'tsa', name: 'not-self-issued', caBundle: pem(join(E2E, 'timestamp/notSelfIssued.crt')) },
      fragment: 'its issuer name differs from the subject name',
    },
    { case: 'an empty PEM block', bundle: { type: 'tsa', name: 'invalid', caBundle: pem(join(E2E, 'timestamp/invalid.crt')) }, fragment: 'has a PEM "CERTIFICATE" block that is empty or not base64' },
    { case: 'no certificate', bundle: { type: 'ca', name: 'empty', caBundle: '' }, fragment: 'caBundle of TrustStore "empty" of type "ca" holds no certificate' },
    { case: 'garbage', bundle: { type: 'ca', name: 'garbage', caBundle: pem(join(CORE_X509, 'invalid')) }, fragment: 'is neither PEM nor DER' },
    { case: 'a private key', bundle: { type: 'ca', name: 'key', caBundle: pem(join(E2E, 'crl/leaf.key')) }, fragment: 'holds a PEM "PRIVATE KEY" block; only "CERTIFICATE" blocks are allowed' },
    { case: 'an invalid store name', bundle: { type: 'ca', name: 'team a', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) }, fragment: 'trust store name "team a" is invalid' },
    { case: 'an unknown type', bundle: { type: 'root' as 'ca', name: 'x', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) }, fragment: 'unsupported trust store type "root"' },
  ];
  it.each(INVALID)('refuses $case', ({ bundle, fragment }) => {
    const error = thrownBy(NotaryError, () => new MemoryTrustStore().set(bundle));
    expect(error.code).toBe('INVALID_TRUST_STORE');
    expect(error.message).toContain(fragment);
  });

  it('keeps the previous certificates when a replacement is invalid, and deletes', async () => {
    const store = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'e2e', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) }]);
    expect(() => store.set({ type: 'ca', name: 'e2e', caBundle: 'nothing' })).toThrow(NotaryError);
    expect(await store.getCertificates('ca', 'e2e')).toHaveLength(1);
    expect(store.delete('ca', 'e2e')).toBe(true);
    await expect(store.getCertificates('ca', 'e2e')).rejects.toMatchObject({
      code: 'INVALID_TRUST_STORE',
      message: 'the trust store "e2e" of type "ca" does not exist: create a TrustStore resource with trustStoreName "e2e" and type "ca"',
    });
  });

  it('returns a copy callers cannot use to change the store', async () => {
    const store = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'e2e', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) }]);
    (await store.getCertificates('ca', 'e2e')).pop();
    expect(await store.getCertificates('ca', 'e2e')).toHaveLength(1);
  });
});

describe('MemoryTrustStore.onFirstUse', () => {
  it('names its stores without parsing them, and parses and validates on the first lookup', async () => {
    const e2e: TrustStoreBundle = { type: 'ca', name: 'e2e', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) };
    const garbage: TrustStoreBundle = { type: 'ca', name: 'garbage', caBundle: pem(join(CORE_X509, 'invalid')) };
    const store = MemoryTrustStore.onFirstUse([e2e, garbage]);
    expect([store.has('ca', 'e2e'), store.has('ca', 'garbage'), store.has('tsa', 'e2e')]).toEqual([true, true, false]);
    await expect(store.getCertificates('ca', 'e2e')).rejects.toMatchObject({ code: 'INVALID_TRUST_STORE', message: expect.stringContaining('is neither PEM nor DER') });
    const valid = MemoryTrustStore.onFirstUse([e2e]);
    expect((await valid.getCertificates('ca', 'e2e')).map((c) => c.subject)).toEqual(['C=US, ST=WA, L=Seattle, O=Notary, CN=e2e']);
  });
});

describe('collectTrustedCertificates', () => {
  const store = MemoryTrustStore.fromBundles([
    { type: 'ca', name: 'e2e', caBundle: pem(join(E2E, 'localkeys/e2e.crt')) },
    { type: 'ca', name: 'crl', caBundle: pem(join(E2E, 'crl/root.crt')) },
    { type: 'tsa', name: 'globalsign', caBundle: new Uint8Array(readFileSync(join(E2E, 'timestamp/globalsignTSARoot.cer'))) },
  ]);
  const trustStores = [
    { type: 'ca' as const, name: 'e2e' },
    { type: 'tsa' as const, name: 'globalsign' },
    { type: 'ca' as const, name: 'crl' },
  ];
  it.each([
    { type: 'ca' as const, subjects: ['C=US, ST=WA, L=Seattle, O=Notary, CN=e2e', 'C=US, ST=State, L=City, O=Organization, OU=OrgUnit, CN=RootCA'] },
    { type: 'tsa' as const, subjects: ['OU=GlobalSign Root CA - R6, O=GlobalSign, CN=GlobalSign'] },
    { type: 'signingAuthority' as const, subjects: [] },
  ])('merges the $type stores in order', async ({ type, subjects }) => {
    expect((await collectTrustedCertificates(store, trustStores, type)).map((c) => c.subject)).toEqual(subjects);
  });
  it('propagates a missing store as INVALID_TRUST_STORE', async () => {
    await expect(collectTrustedCertificates(new FileTrustStore('/nonexistent'), trustStores, 'ca')).rejects.toMatchObject({ code: 'INVALID_TRUST_STORE' });
  });
  it('maps signing schemes to store types', () => {
    expect(trustStoreTypeForSigningScheme('notary.x509')).toBe('ca');
    expect(trustStoreTypeForSigningScheme('notary.x509.signingAuthority')).toBe('signingAuthority');
  });
});
