// Freshest CRL / distribution point / AIA parsing on upstream notation-core-go and notation-e2e certificates and CRLs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { deltaCrlUrl, parseCrl } from '../../../src/pki/revocation/crl.js';
import { crlUrls, ocspUrls, parseDistributionPointUris } from '../../../src/pki/revocation/extensions.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

const CRL_TESTDATA = join(NOTARY_FIXTURES, 'notation-core-go/revocation-crl-testdata');
const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const EJBCA_DELTA =
  'http://localhost:80/ejbca/publicweb/webdist/certdist?cmd=deltacrl&issuer=UID%3Dc-0nwwozqvawvao3ech%2CCN%3DManagementCA%2CO%3DEJBCA+Container+Quickstart';

function freshestExtensionOf(file: string): ArrayBuffer {
  const certificate = new X509Certificate(readFileSync(join(CRL_TESTDATA, file), 'latin1'));
  const extension = certificate.extensions.find((e) => e.type === '2.5.29.46');
  if (!extension) throw new Error(`${file} has no Freshest CRL extension`);
  return extension.value;
}

function pemCertificates(path: string): X509Certificate[] {
  return (readFileSync(path, 'latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

describe('Freshest CRL extension of the notation-core-go certificates', () => {
  it.each([
    { file: 'certificateWithDeltaCRL.cer', expected: { uris: [EJBCA_DELTA] } },
    { file: 'certificateWith2DeltaCRL.cer', expected: { uris: [EJBCA_DELTA, EJBCA_DELTA] } },
    { file: 'certificateWithZeroDeltaCRLURL.cer', expected: { uris: [] } },
    { file: 'certificateWithNonURIDeltaCRL.cer', expected: { uris: [] } },
    { file: 'certificateWithIncompleteFreshestCRL2.cer', expected: { uris: [] } },
    { file: 'certificateWithIncompleteFreshestCRL.cer', expected: { error: 'invalid Freshest CRL: a distribution point has no full name' } },
  ])('$file', ({ file, expected }) => {
    let outcome: { uris: string[] } | { error: string };
    try {
      outcome = { uris: parseDistributionPointUris(freshestExtensionOf(file), 'Freshest CRL') };
    } catch (err) {
      outcome = { error: (err as Error).message };
    }
    expect(outcome).toEqual(expected);
  });
});

describe('notation-core-go CRLs', () => {
  it('delta.crl is a delta CRL (number 5 relative to base 4)', () => {
    const delta = parseCrl(new Uint8Array(readFileSync(join(CRL_TESTDATA, 'delta.crl'))));
    expect({ number: delta.number, indicator: delta.deltaIndicator, url: deltaCrlUrl(delta) }).toEqual({ number: 5n, indicator: 4n, url: undefined });
  });

  it('crlWithMultipleFreshestCRLs.crl names two delta locations, which is refused', () => {
    const base = parseCrl(new Uint8Array(readFileSync(join(CRL_TESTDATA, 'crlWithMultipleFreshestCRLs.crl'))));
    expect(base.number).toBe(5n);
    expect(() => deltaCrlUrl(base)).toThrow('the Freshest CRL extension names 2 delta CRL locations; only one is supported');
  });
});

describe('revocation URLs of the notation-e2e chains', () => {
  it('reads the CRL chain (leaf CDP; intermediate CDP and AIA OCSP)', () => {
    const [leaf, intermediate, root] = pemCertificates(join(E2E, 'crl/certchain_with_crl.pem'));
    expect([leaf, intermediate, root].map((c) => ({ ocsp: ocspUrls(c!.extensions), crl: crlUrls(c!.extensions) }))).toEqual([
      { ocsp: [], crl: ['http://localhost:10086/leaf.crl'] },
      { ocsp: ['http://localhost.test/ocsp'], crl: ['http://localhost:10086/intermediate.crl'] },
      { ocsp: [], crl: [] },
    ]);
  });

  it('reads the OCSP chain (leaf AIA OCSP)', () => {
    const [leaf, root] = pemCertificates(join(E2E, 'ocsp/certchain_with_ocsp.pem'));
    expect([ocspUrls(leaf!.extensions), ocspUrls(root!.extensions)]).toEqual([['http://localhost:10087'], []]);
  });
});
