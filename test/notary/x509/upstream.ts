// Reads certificate chains out of the upstream test data for the x509 tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { X509Certificate } from '@peculiar/x509';
import * as pkijs from 'pkijs';
import { parseCertificate, parseCertificateBundle } from '../../../src/pki/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

export const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
export const CORE_X509 = join(NOTARY_FIXTURES, 'notation-core-go/x509-testdata');
export const MOCK_ENVELOPES = join(NOTARY_FIXTURES, 'notation-go/mock-envelopes');
export const TSPCLIENT = join(NOTARY_FIXTURES, 'tspclient-go/testdata');

/** Every certificate of a PEM or DER file. */
export function bundle(path: string): X509Certificate[] {
  return parseCertificateBundle(readFileSync(path), { source: path });
}

/** The x5c chain (leaf first) of one of notation-go's mock JWS envelopes. */
export function envelopeChain(file: string): X509Certificate[] {
  const envelope = JSON.parse(readFileSync(join(MOCK_ENVELOPES, file), 'utf8')) as { header: { x5c: string[] } };
  return envelope.header.x5c.map((certificate, index) => parseCertificate(Buffer.from(certificate, 'base64'), { source: `${file} x5c[${index}]` }));
}

/** The certificates a CMS SignedData (an RFC 3161 timestamp token) carries, in their order. */
export function signedDataCertificates(path: string): X509Certificate[] {
  const contentInfo = pkijs.ContentInfo.fromBER(new Uint8Array(readFileSync(path)));
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  return (signedData.certificates ?? []).map((certificate, index) => {
    if (!(certificate instanceof pkijs.Certificate)) throw new Error(`${path}: certificate ${index} is not an X.509 certificate`);
    return parseCertificate(new Uint8Array(certificate.toSchema().toBER()), { source: `${path} certificate ${index}` });
  });
}
