// Authenticity: a chain leads to a trust store certificate when one of its certificates is, byte for byte, in the named stores (notation-core-go's rule).
import { join } from 'node:path';
import type { X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { FileTrustStore } from '../../../src/notary/truststore/index.js';
import { UNTRUSTED_SIGNER_MESSAGE, verifyChainToTrustAnchors } from '../../../src/notary/x509/index.js';
import { parseCertificate } from '../../../src/pki/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { cachedKeyPair, generateCertificateChain } from '../../support/pki.js';
import { E2E, bundle, envelopeChain } from './upstream.js';
import { thrownBy } from '../../support/errors.js';

const NOTATION_GO_STORES = new FileTrustStore(join(NOTARY_FIXTURES, 'notation-go/verifier-testdata'));

async function generated(slot: string): Promise<{ leaf: X509Certificate; intermediate: X509Certificate; root: X509Certificate; chain: X509Certificate[] }> {
  const result = await generateCertificateChain({
    keyType: 'ec-256',
    root: { keys: await cachedKeyPair('ec-256', `${slot}-root`) },
    intermediates: [{ keys: await cachedKeyPair('ec-256', `${slot}-intermediate`) }],
    leaf: { keys: await cachedKeyPair('ec-256', `${slot}-leaf`) },
  });
  const chain = result.chain.map((der) => parseCertificate(der));
  return { leaf: chain[0] as X509Certificate, intermediate: chain[1] as X509Certificate, root: chain[2] as X509Certificate, chain };
}

describe('verifyChainToTrustAnchors on upstream data', () => {
  it.each([
    { envelope: 'ca_valid_sig_env.json', store: 'valid-trust-store', anchor: 'C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root' },
    { envelope: 'ca_compatible_pluginver_sig_env_1.0.0.json', store: 'valid-trust-store', anchor: 'C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io' },
  ])('mock envelope $envelope chains to ca:$store ($anchor)', async ({ envelope, store, anchor }) => {
    const anchors = await NOTATION_GO_STORES.getCertificates('ca', store);
    expect(verifyChainToTrustAnchors(envelopeChain(envelope), anchors).subject).toBe(anchor);
  });

  it('sig_env_with_metadata.json is signed by another wabbit-networks.io certificate than the store holds', async () => {
    const anchors = await NOTATION_GO_STORES.getCertificates('ca', 'valid-trust-store');
    expect(thrownBy(NotaryError, () => verifyChainToTrustAnchors(envelopeChain('sig_env_with_metadata.json'), anchors)).code).toBe('UNTRUSTED_SIGNER');
  });

  it('the sa envelope chains to signingAuthority:valid-trust-store', async () => {
    const anchors = await NOTATION_GO_STORES.getCertificates('signingAuthority', 'valid-trust-store');
    expect(verifyChainToTrustAnchors(envelopeChain('sa_valid_sig_env.json'), anchors).subject).toContain('CN=Notation Test Root');
  });

  it('the mock envelope chain is not trusted by ca:valid-trust-store-2 (GlobalSign only)', async () => {
    const anchors = await NOTATION_GO_STORES.getCertificates('ca', 'valid-trust-store-2');
    const error = thrownBy(NotaryError, () => verifyChainToTrustAnchors(envelopeChain('ca_valid_sig_env.json'), anchors));
    expect(error.code).toBe('UNTRUSTED_SIGNER');
    expect(error.message).toBe(
      'signature is not produced by a trusted signer: no certificate of the chain (root "C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root") is in the trust stores named by the trust policy',
    );
  });

  it('the e2e crl chain is trusted through its root, and e2e.crt through itself', () => {
    const chain = bundle(join(E2E, 'crl/certchain_with_crl.pem'));
    expect(verifyChainToTrustAnchors(chain, bundle(join(E2E, 'crl/root.crt'))).subject).toContain('CN=RootCA');
    const e2e = bundle(join(E2E, 'localkeys/e2e.crt'));
    expect(verifyChainToTrustAnchors(e2e, e2e).subject).toContain('CN=e2e');
  });
});

describe('verifyChainToTrustAnchors on generated chains', () => {
  it.each([
    { case: 'the root is an anchor', anchors: (c: Awaited<ReturnType<typeof generated>>) => [c.root], expected: 'root' as const },
    { case: 'a pinned intermediate', anchors: (c: Awaited<ReturnType<typeof generated>>) => [c.intermediate], expected: 'intermediate' as const },
    { case: 'a pinned leaf', anchors: (c: Awaited<ReturnType<typeof generated>>) => [c.leaf], expected: 'leaf' as const },
  ])('$case', async ({ anchors, expected }) => {
    const c = await generated('a');
    expect(verifyChainToTrustAnchors(c.chain, anchors(c))).toBe(c[expected]);
  });

  it.each([
    { case: 'no anchors at all', other: false, fragment: `${UNTRUSTED_SIGNER_MESSAGE}: no trusted certificates are found to verify authenticity` },
    { case: 'an unrelated root', other: true, fragment: `${UNTRUSTED_SIGNER_MESSAGE}: no certificate of the chain (root "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA")` },
  ])('$case → UNTRUSTED_SIGNER', async ({ other, fragment }) => {
    const c = await generated('a');
    // Same subject names, different keys: a look-alike root is not the anchor.
    const anchors = other ? [(await generated('b')).root] : [];
    const error = thrownBy(NotaryError, () => verifyChainToTrustAnchors(c.chain, anchors));
    expect(error.code).toBe('UNTRUSTED_SIGNER');
    expect(error.message).toContain(fragment);
  });
});
