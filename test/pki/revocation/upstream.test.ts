// RevocationChecker on the notation-e2e CRL and OCSP chains, with doubles on the ports their certificates name.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevocationChecker } from '../../../src/pki/index.js';
import type { CertificateRevocation } from '../../../src/notary/types.js';
import { startCrlDouble, type CrlDouble } from '../../support/crl-double.js';
import { startOcspDouble, type OcspDouble } from '../../support/ocsp-double.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
/** The ports written into the upstream certificates' CDP / AIA URLs. */
const CRL_PORT = 10086;
const OCSP_PORT = 10087;
const LOOPBACK = ['127.0.0.1', '::1'];

function pemCertificates(path: string): X509Certificate[] {
  return (readFileSync(path, 'latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem));
}

function der(path: string): Uint8Array {
  const bytes = readFileSync(path);
  const isPem = bytes.subarray(0, 10).toString('latin1').startsWith('-----');
  return isPem ? new Uint8Array(new X509Certificate(bytes.toString('latin1')).rawData) : new Uint8Array(bytes);
}

/** Status, source and error code per certificate: the part of CertificateRevocation a case decides. */
function summary(results: CertificateRevocation[]) {
  return results.map((r) => ({ status: r.status, source: r.source, code: r.error?.code }));
}

describe('notation-e2e CRL chain (certchain_with_crl.pem) with CRLs served on localhost:10086', () => {
  const chain = pemCertificates(join(E2E, 'crl/certchain_with_crl.pem'));
  const crl = (name: string) => new Uint8Array(readFileSync(join(E2E, 'crl', name)));
  let server: CrlDouble;

  beforeAll(async () => {
    server = await startCrlDouble({ port: CRL_PORT, hosts: LOOPBACK });
  });
  afterAll(async () => {
    await server.stop();
  });

  it.each([
    {
      name: 'good leaf and intermediate',
      leaf: 'leaf.crl',
      intermediate: 'intermediate.crl',
      expected: [{ status: 'good', source: 'crl' }, { status: 'good', source: 'crl' }, { status: 'skipped' }],
    },
    {
      name: 'revoked leaf',
      leaf: 'leaf_revoked.crl',
      intermediate: 'intermediate.crl',
      expected: [{ status: 'revoked', source: 'crl', code: 'CERTIFICATE_REVOKED' }, { status: 'good', source: 'crl' }, { status: 'skipped' }],
    },
    {
      name: 'revoked intermediate',
      leaf: 'leaf.crl',
      intermediate: 'intermediate_revoked.crl',
      expected: [{ status: 'good', source: 'crl' }, { status: 'revoked', source: 'crl', code: 'CERTIFICATE_REVOKED' }, { status: 'skipped' }],
    },
    {
      name: 'expired leaf CRL',
      leaf: 'leaf_expired.crl',
      intermediate: 'intermediate.crl',
      expected: [{ status: 'unknown', code: 'REVOCATION_UNKNOWN' }, { status: 'good', source: 'crl' }, { status: 'skipped' }],
    },
  ])('$name', async ({ leaf, intermediate, expected }) => {
    server.set('/leaf.crl', crl(leaf));
    server.set('/intermediate.crl', crl(intermediate));
    const results = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
    expect(summary(results)).toEqual(expected.map((e) => ({ source: undefined, code: undefined, ...e })));
  });

  it('reports the revocation time and the CRL URL of a revoked leaf', async () => {
    server.set('/leaf.crl', crl('leaf_revoked.crl'));
    server.set('/intermediate.crl', crl('intermediate.crl'));
    const [leaf] = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
    expect(leaf).toEqual({
      subject: 'C=US, ST=State, L=City, O=Organization, OU=OrgUnit, CN=LeafCert',
      serialNumber: '1000',
      status: 'revoked',
      source: 'crl',
      revocationTime: '2024-11-11T05:30:52.000Z',
      error: {
        code: 'CERTIFICATE_REVOKED',
        message: 'certificate "C=US, ST=State, L=City, O=Organization, OU=OrgUnit, CN=LeafCert" (serial 1000) was revoked at 2024-11-11T05:30:52.000Z according to CRL http://localhost:10086/leaf.crl',
      },
    });
  });

  it('says why the expired leaf CRL leaves the status unknown', async () => {
    // leaf_expired.crl was signed by an earlier intermediate key (its AKI differs; openssl crl -CAfile agrees), and
    // the signature is checked before freshness, as notation-core-go does.
    server.set('/leaf.crl', crl('leaf_expired.crl'));
    server.set('/intermediate.crl', crl('intermediate.crl'));
    const [leaf] = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
    expect(leaf?.error?.message).toBe(
      'revocation status of "C=US, ST=State, L=City, O=Organization, OU=OrgUnit, CN=LeafCert" is unknown: CRL http://localhost:10086/leaf.crl: ' +
        'the CRL signature does not verify with the key of C=US, ST=State, L=City, O=Organization, OU=OrgUnit, CN=IntermediateCA',
    );
  });

  it('notes the failed OCSP attempt when the intermediate falls back to its CRL', async () => {
    server.set('/leaf.crl', crl('leaf.crl'));
    server.set('/intermediate.crl', new Uint8Array(0));
    const [, intermediate] = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
    expect(intermediate).toMatchObject({ status: 'unknown', error: { code: 'REVOCATION_UNKNOWN' } });
    expect(intermediate?.error?.message).toMatch(/OCSP http:\/\/localhost\.test\/ocsp: .*; CRL http:\/\/localhost:10086\/intermediate\.crl: the CRL is not valid DER/);
  });

  it('treats an unreachable CRL server as unknown', async () => {
    server.fail('/leaf.crl', 503);
    try {
      const [leaf] = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
      expect(leaf).toMatchObject({ status: 'unknown', error: { code: 'REVOCATION_UNKNOWN', message: expect.stringContaining('answered HTTP 503') } });
    } finally {
      server.fail('/leaf.crl', undefined);
    }
  });
});

describe('notation-e2e OCSP chain (certchain_with_ocsp.pem) with an OCSP double on localhost:10087', () => {
  const chain = pemCertificates(join(E2E, 'ocsp/certchain_with_ocsp.pem'));
  const delegated = {
    certificate: der(join(E2E, 'ocsp/ocsp.crt')),
    privateKey: createPrivateKey(readFileSync(join(E2E, 'ocsp/ocsp.key'))),
    carry: [der(join(E2E, 'ocsp/ocsp.crt'))],
  };
  const leafSerial = '520d9b1364d98367711da2b6a0a0f34b23e3d02a';
  let responder: OcspDouble;

  beforeAll(async () => {
    responder = await startOcspDouble({ port: OCSP_PORT, hosts: LOOPBACK, responder: delegated });
  });
  afterAll(async () => {
    await responder.stop();
  });

  it.each([
    { name: 'good from the delegated responder (ocsp.crt / ocsp.key)', status: { status: 'good' }, responderKind: 'delegated', expected: { status: 'good', source: 'ocsp' } },
    { name: 'good signed by the root CA itself (root.key)', status: { status: 'good' }, responderKind: 'issuer', expected: { status: 'good', source: 'ocsp' } },
    { name: 'revoked', status: { status: 'revoked', revocationTime: new Date('2025-03-01T00:00:00Z'), reason: 1 }, responderKind: 'delegated', expected: { status: 'revoked', source: 'ocsp', code: 'CERTIFICATE_REVOKED' } },
    { name: 'unknown (no CRL to fall back to)', status: { status: 'unknown' }, responderKind: 'delegated', expected: { status: 'unknown', code: 'REVOCATION_UNKNOWN' } },
    { name: 'delegated responder certificate not carried', status: { status: 'good' }, responderKind: 'uncarried', expected: { status: 'unknown', code: 'REVOCATION_UNKNOWN' } },
  ] as const)('$name', async ({ status, responderKind, expected }) => {
    responder.setStatus(leafSerial, status);
    responder.setResponder(
      responderKind === 'delegated'
        ? delegated
        : responderKind === 'issuer'
          ? { certificate: der(join(E2E, 'ocsp/root.crt')), privateKey: createPrivateKey(readFileSync(join(E2E, 'ocsp/root.key'))) }
          : { ...delegated, carry: [] },
    );
    const results = await new RevocationChecker({ timeoutMs: 2_000, cache: false }).check(chain);
    expect(summary(results)).toEqual([{ source: undefined, code: undefined, ...expected }, { status: 'skipped', source: undefined, code: undefined }]);
  });
});
