// Certificate bundles: notation-core-go's PEM/DER parsing data (single, multiple, invalid) and the limits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificate, parseCertificateBundle, PkiError } from '../../../src/pki/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';
import { thrownBy } from '../../support/errors.js';

const CORE_X509 = join(NOTARY_FIXTURES, 'notation-core-go/x509-testdata');
const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const GLOBALSIGN_R3 = 'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign';

describe('parseCertificateBundle on notation-core-go x509-testdata', () => {
  it.each([
    { file: 'pem.crt', subjects: [GLOBALSIGN_R3] },
    { file: 'der.der', subjects: [GLOBALSIGN_R3] },
    { file: 'multi-pem.crt', subjects: [GLOBALSIGN_R3, GLOBALSIGN_R3] },
    { file: 'multi-der.der', subjects: [GLOBALSIGN_R3, GLOBALSIGN_R3] },
    { file: 'openssl-minimum-self-signed.pem', subjects: ['C=US, ST=Washington, L=Seattle, O=Notation Test, OU=TestCert'] },
  ])('$file → $subjects.length certificate(s)', ({ file, subjects }) => {
    expect(parseCertificateBundle(readFileSync(join(CORE_X509, file))).map((c) => c.subject)).toEqual(subjects);
  });

  it('reads PEM given as text the same as bytes', () => {
    const text = readFileSync(join(CORE_X509, 'multi-pem.crt'), 'utf8');
    expect(parseCertificateBundle(text)).toHaveLength(2);
  });

  it.each([
    { case: 'notation-core-go "invalid"', data: () => readFileSync(join(CORE_X509, 'invalid')), fragment: 'x.pem is neither PEM nor DER: expected a certificate at byte 0' },
    { case: 'e2e timestamp/invalid.crt (empty PEM block)', data: () => readFileSync(join(E2E, 'timestamp/invalid.crt')), fragment: 'x.pem has a PEM "CERTIFICATE" block that is empty or not base64' },
    { case: 'e2e timestamp/Empty.txt', data: () => readFileSync(join(E2E, 'timestamp/Empty.txt')), fragment: 'x.pem holds no certificate' },
    { case: 'a private key', data: () => readFileSync(join(E2E, 'localkeys/e2e.key')), fragment: 'x.pem holds a PEM "PRIVATE KEY" block; only "CERTIFICATE" blocks are allowed' },
    { case: 'truncated DER', data: () => readFileSync(join(CORE_X509, 'der.der')).subarray(0, 500), fragment: 'x.pem holds a truncated or malformed DER certificate at byte 0' },
    { case: 'DER followed by junk', data: () => Buffer.concat([readFileSync(join(CORE_X509, 'der.der')), Buffer.from('junk')]), fragment: 'expected a certificate at byte 867' },
    {
      case: 'a DER SEQUENCE that is no certificate',
      data: () => Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
      fragment: 'x.pem is not a valid X.509 certificate',
    },
    {
      case: 'mismatched PEM labels',
      data: () => readFileSync(join(CORE_X509, 'pem.crt'), 'utf8').replace('END CERTIFICATE', 'END X509 CRL'),
      fragment: 'has a PEM block "CERTIFICATE" closed by "X509 CRL"',
    },
  ])('refuses $case', ({ data, fragment }) => {
    const error = thrownBy(PkiError, () => parseCertificateBundle(data(), { source: 'x.pem' }));
    expect(error.code).toBe('INVALID_CERTIFICATE');
    expect(error.message).toContain(fragment);
  });

  it('bounds size and count (INVALID_CERTIFICATE; notary gives it the code of its context)', () => {
    const multi = readFileSync(join(CORE_X509, 'multi-der.der'));
    expect(thrownBy(PkiError, () => parseCertificateBundle(multi, { maxBytes: 1000 }))).toMatchObject({
      code: 'INVALID_CERTIFICATE',
      message: 'certificate data is 1734 bytes, over the 1000-byte limit for certificate files',
    });
    expect(thrownBy(PkiError, () => parseCertificateBundle(multi, { maxCertificates: 1 }))).toMatchObject({
      code: 'INVALID_CERTIFICATE',
      message: 'certificate data holds 2 certificates, over the limit of 1',
    });
  });

  it('parseCertificate takes exactly one DER certificate', () => {
    const der = readFileSync(join(CORE_X509, 'der.der'));
    expect(parseCertificate(der).subject).toBe(GLOBALSIGN_R3);
    expect(thrownBy(PkiError, () => parseCertificate(readFileSync(join(CORE_X509, 'multi-der.der')), { source: 'x5c[0]' })).message).toBe(
      'x5c[0] is not a single DER-encoded X.509 certificate',
    );
    expect(thrownBy(PkiError, () => parseCertificate(new Uint8Array(0))).message).toBe('certificate is empty; expected a DER or PEM certificate');
  });
});
