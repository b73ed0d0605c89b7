// RevocationChecker against OCSP and CRL doubles on loopback, with test CA chains whose AIA / CDP name them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509CrlReason } from '@peculiar/x509';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RevocationChecker, type RevocationCheckOptions } from '../../../src/pki/index.js';
import type { GeneratedCertificate } from '../../../src/notary/pki/index.js';
import type { CertificateRevocation } from '../../../src/notary/types.js';
import { startCrlDouble, type CrlDouble } from '../../support/crl-double.js';
import { startOcspDouble, type OcspDouble, type OcspResponderIdentity } from '../../support/ocsp-double.js';
import { freePort } from '../../support/ports.js';
import { buildChain, issueResponder, makeCrl, type TestChain } from './pki.js';

const HOUR = 60 * 60 * 1000;
const SIGNING_TIME = new Date(Date.now() - 10 * 24 * HOUR);

let ocsp: OcspDouble;
let crl: CrlDouble;
let test: TestChain;
let leafSerial: string;
let issuerResponder: OcspResponderIdentity;
let delegated: GeneratedCertificate;
let delegatedWithoutEku: GeneratedCertificate;
let foreignResponder: GeneratedCertificate;
let otherIssuer: GeneratedCertificate;

function normalise(serial: string): string {
  return serial.toLowerCase().replace(/^(00)+(?=.)/, '');
}

beforeAll(async () => {
  const placeholder = { certificate: new Uint8Array(0), privateKey: undefined as never };
  ocsp = await startOcspDouble({ responder: placeholder });
  crl = await startCrlDouble();
  test = await buildChain({ leaf: { ocsp: [`${ocsp.url}/leaf`], crl: [`${crl.url}/leaf.crl`] }, intermediate: { crl: [`${crl.url}/intermediate.crl`] } });
  leafSerial = normalise(test.leaf.certificate.serialNumber);
  issuerResponder = { certificate: test.intermediate.der, privateKey: test.intermediate.privateKey };
  delegated = await issueResponder(test.intermediate);
  delegatedWithoutEku = await issueResponder(test.intermediate, { extendedKeyUsage: { usages: ['1.3.6.1.5.5.7.3.3'] } });
  foreignResponder = await issueResponder(test.root);
  otherIssuer = (await buildChain()).intermediate;
});

afterAll(async () => {
  await ocsp.stop();
  await crl.stop();
});

/** Default world: OCSP answers good (signed by the issuer), both CRLs are current and empty. */
beforeEach(async () => {
  ocsp.behave('normal', 0);
  ocsp.setResponder(issuerResponder);
  ocsp.setStatus(leafSerial, { status: 'good' });
  for (const path of ['/leaf.crl', '/intermediate.crl', '/delta.crl']) {
    crl.fail(path, undefined);
    crl.delay(path, 0);
  }
  crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10 }));
  crl.set('/intermediate.crl', await makeCrl(test.root, { number: 3 }));
  crl.set('/delta.crl', undefined);
});

function leafOf(results: CertificateRevocation[]) {
  const [leaf] = results;
  return { status: leaf?.status, source: leaf?.source, code: leaf?.error?.code };
}

async function check(options: RevocationCheckOptions & { timeoutMs?: number; maxResponseBytes?: number } = {}) {
  const { timeoutMs, maxResponseBytes, ...checkOptions } = options;
  return new RevocationChecker({ timeoutMs: timeoutMs ?? 2_000, maxResponseBytes, cache: false }).check(test.chain, checkOptions);
}

type Setup = () => Promise<void> | void;

const ocspCases: { name: string; setup: Setup; expected: ReturnType<typeof leafOf>; fragment?: string }[] = [
  { name: 'OCSP good', setup: () => {}, expected: { status: 'good', source: 'ocsp', code: undefined } },
  {
    name: 'OCSP revoked (keyCompromise)',
    setup: () => ocsp.setStatus(leafSerial, { status: 'revoked', reason: 1 }),
    expected: { status: 'revoked', source: 'ocsp', code: 'CERTIFICATE_REVOKED' },
    fragment: '(reason keyCompromise) according to OCSP',
  },
  { name: 'OCSP unknown → CRL good', setup: () => ocsp.setStatus(leafSerial, { status: 'unknown' }), expected: { status: 'good', source: 'crl', code: undefined } },
  {
    name: 'OCSP unknown → CRL revoked',
    setup: async () => {
      ocsp.setStatus(leafSerial, { status: 'unknown' });
      crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 11, entries: [{ serialNumber: leafSerial }] }));
    },
    expected: { status: 'revoked', source: 'crl', code: 'CERTIFICATE_REVOKED' },
  },
  {
    name: 'OCSP unknown, CRL unavailable',
    setup: () => {
      ocsp.setStatus(leafSerial, { status: 'unknown' });
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'does not know the certificate (status unknown); CRL',
  },
  {
    name: 'expired OCSP response, CRL unavailable',
    setup: () => {
      ocsp.behave('expired');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'OCSP response expired at',
  },
  { name: 'expired OCSP response → CRL good', setup: () => ocsp.behave('expired'), expected: { status: 'good', source: 'crl', code: undefined } },
  {
    name: 'OCSP response not yet valid, CRL unavailable',
    setup: () => {
      ocsp.behave('not-yet-valid');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'not yet valid',
  },
  {
    name: 'bad responder signature, CRL unavailable',
    setup: () => {
      ocsp.behave('bad-signature');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'signature does not verify (bad responder signature)',
  },
  {
    name: 'OCSP tryLater, CRL unavailable',
    setup: () => {
      ocsp.behave('try-later');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'responder answered tryLater',
  },
  {
    name: 'malformed OCSP response, CRL unavailable',
    setup: () => {
      ocsp.behave('malformed');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'OCSP response is malformed',
  },
  {
    name: 'OCSP answer for another certificate, CRL unavailable',
    setup: () => {
      ocsp.behave('wrong-certificate');
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'CertID mismatch',
  },
  { name: 'OCSP HTTP 500 → CRL good', setup: () => ocsp.behave('http-error'), expected: { status: 'good', source: 'crl', code: undefined } },
  { name: 'OCSP without nextUpdate', setup: () => ocsp.behave('no-next-update'), expected: { status: 'good', source: 'ocsp', code: undefined } },
  {
    name: 'delegated responder with OCSPSigning',
    setup: () => ocsp.setResponder({ certificate: delegated.der, privateKey: delegated.privateKey, carry: [delegated.der] }),
    expected: { status: 'good', source: 'ocsp', code: undefined },
  },
  {
    name: 'delegated responder identified by key',
    setup: () => ocsp.setResponder({ certificate: delegated.der, privateKey: delegated.privateKey, carry: [delegated.der], byKey: true }),
    expected: { status: 'good', source: 'ocsp', code: undefined },
  },
  {
    name: 'delegated responder without OCSPSigning, CRL unavailable',
    setup: () => {
      ocsp.setResponder({ certificate: delegatedWithoutEku.der, privateKey: delegatedWithoutEku.privateKey, carry: [delegatedWithoutEku.der] });
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'lacks the OCSPSigning extended key usage',
  },
  {
    name: 'responder issued by another CA, CRL unavailable',
    setup: () => {
      ocsp.setResponder({ certificate: foreignResponder.der, privateKey: foreignResponder.privateKey, carry: [foreignResponder.der] });
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'was not issued by the certificate issuer',
  },
  {
    // Same subject name as the real issuer, another key: identified as the issuer, then the signature fails.
    name: 'response signed by an unrelated CA key of the same name, CRL unavailable',
    setup: () => {
      ocsp.setResponder({ certificate: otherIssuer.der, privateKey: otherIssuer.privateKey, carry: [otherIssuer.der] });
      crl.fail('/leaf.crl', 404);
    },
    expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
    fragment: 'bad responder signature',
  },
];

describe('RevocationChecker: OCSP first, CRL fallback', () => {
  it.each(ocspCases)('$name', async ({ setup, expected, fragment }) => {
    await setup();
    const results = await check();
    expect(leafOf(results)).toEqual(expected);
    if (fragment) expect(results[0]?.error?.message).toContain(fragment);
    expect(results.slice(1).map((r) => r.status)).toEqual(['good', 'skipped']);
  });

  it('gives up on a slow OCSP responder within the timeout and falls back to the CRL', async () => {
    ocsp.behave('slow', 3_000);
    const started = Date.now();
    const results = await check({ timeoutMs: 300 });
    expect(leafOf(results)).toEqual({ status: 'good', source: 'crl', code: undefined });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  // notation's defaults: 2 s for OCSP, 5 s for a CRL (not one timeout for both).
  it('by default gives an OCSP responder 2 s, then falls back to the CRL', async () => {
    ocsp.behave('slow', 3_000);
    const started = Date.now();
    const results = await new RevocationChecker({ cache: false }).check(test.chain);
    expect(leafOf(results)).toEqual({ status: 'good', source: 'crl', code: undefined });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - started).toBeLessThan(2_900);
  });

  it('by default gives a CRL server more than the OCSP 2 s', async () => {
    ocsp.behave('http-error');
    crl.delay('/leaf.crl', 2_500);
    const results = await new RevocationChecker({ cache: false }).check(test.chain);
    expect(leafOf(results)).toEqual({ status: 'good', source: 'crl', code: undefined });
  });

  it('reports an unreachable responder and CRL server as unknown', async () => {
    const port = await freePort();
    const chain = await buildChain({ leaf: { ocsp: [`http://127.0.0.1:${port}/ocsp`], crl: [`http://127.0.0.1:${port}/leaf.crl`] } });
    const [leaf] = await new RevocationChecker({ timeoutMs: 1_000, cache: false }).check(chain.chain);
    expect(leaf).toMatchObject({ status: 'unknown', error: { code: 'REVOCATION_UNKNOWN', message: expect.stringContaining('is unreachable: ECONNREFUSED') } });
  });

  it('never runs past the caller deadline', async () => {
    ocsp.behave('slow', 3_000);
    crl.delay('/leaf.crl', 3_000);
    const started = Date.now();
    const [leaf] = await check({ timeoutMs: 5_000, signal: AbortSignal.timeout(200) });
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(leaf).toMatchObject({ status: 'unknown', error: { code: 'REVOCATION_UNKNOWN', message: expect.stringContaining('the verification deadline passed') } });
  });
});

describe('RevocationChecker: revocation time against the authentic signing time', () => {
  it.each([
    { name: 'OCSP revoked, invalidity date after the signing time', via: 'ocsp', invalidity: new Date(SIGNING_TIME.getTime() + HOUR), expected: 'good' },
    { name: 'OCSP revoked, invalidity date before the signing time', via: 'ocsp', invalidity: new Date(SIGNING_TIME.getTime() - HOUR), expected: 'revoked' },
    { name: 'OCSP revoked after the signing time without invalidity date', via: 'ocsp', invalidity: undefined, expected: 'revoked' },
    { name: 'CRL revoked, invalidity date after the signing time', via: 'crl', invalidity: new Date(SIGNING_TIME.getTime() + HOUR), expected: 'good' },
    { name: 'CRL revoked, invalidity date before the signing time', via: 'crl', invalidity: new Date(SIGNING_TIME.getTime() - HOUR), expected: 'revoked' },
    { name: 'CRL revoked after the signing time without invalidity date', via: 'crl', invalidity: undefined, expected: 'revoked' },
  ])('$name → $expected', async ({ via, invalidity, expected }) => {
    const revocationTime = new Date(SIGNING_TIME.getTime() + 2 * HOUR);
    if (via === 'ocsp') {
      ocsp.setStatus(leafSerial, { status: 'revoked', revocationTime, reason: 1, invalidityDate: invalidity });
    } else {
      ocsp.behave('http-error');
      crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 12, entries: [{ serialNumber: leafSerial, revocationDate: revocationTime, reason: X509CrlReason.keyCompromise, invalidity }] }));
    }
    const results = await check({ authenticSigningTime: SIGNING_TIME });
    expect(leafOf(results)).toMatchObject({ status: expected, source: via });
  });

  it('without an authentic signing time every revocation counts', async () => {
    ocsp.setStatus(leafSerial, { status: 'revoked', reason: 1, invalidityDate: new Date(Date.now() + HOUR) });
    expect(leafOf(await check())).toEqual({ status: 'revoked', source: 'ocsp', code: 'CERTIFICATE_REVOKED' });
  });
});

describe('RevocationChecker: CRL only', () => {
  const crlCases: { name: string; setup: Setup; expected: ReturnType<typeof leafOf>; fragment?: string; maxResponseBytes?: number; timeoutMs?: number }[] = [
    { name: 'good', setup: () => {}, expected: { status: 'good', source: 'crl', code: undefined } },
    {
      name: 'revoked',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 11, entries: [{ serialNumber: leafSerial, reason: X509CrlReason.superseded }] })),
      expected: { status: 'revoked', source: 'crl', code: 'CERTIFICATE_REVOKED' },
      fragment: '(reason superseded) according to CRL',
    },
    {
      name: 'expired CRL',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 11, thisUpdate: new Date(Date.now() - 3 * HOUR), nextUpdate: new Date(Date.now() - HOUR) })),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'the CRL expired at',
    },
    {
      name: 'CRL signed by another key',
      setup: async () => crl.set('/leaf.crl', await makeCrl(otherIssuer, { number: 11 })),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'signature does not verify',
    },
    {
      name: 'CRL larger than allowed',
      setup: () => {},
      maxResponseBytes: 100,
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'more than the 100 allowed',
    },
    {
      name: 'slow CRL server',
      setup: () => crl.delay('/leaf.crl', 2_000),
      timeoutMs: 300,
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'did not answer within 300 ms',
    },
    {
      name: 'not a CRL',
      setup: () => crl.set('/leaf.crl', new TextEncoder().encode('<html>')),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'not valid DER',
    },
    {
      name: 'delta CRL served as the base CRL',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 11, deltaIndicator: 10 })),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'a delta CRL was served where a base CRL was expected',
    },
    {
      name: 'delta CRL revokes the leaf',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 11, deltaIndicator: 10, entries: [{ serialNumber: leafSerial }] }));
      },
      expected: { status: 'revoked', source: 'crl', code: 'CERTIFICATE_REVOKED' },
    },
    {
      name: 'empty delta CRL',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 11, deltaIndicator: 10 }));
      },
      expected: { status: 'good', source: 'crl', code: undefined },
    },
    {
      name: 'delta CRL releases a certificate on hold (removeFromCRL)',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`], entries: [{ serialNumber: leafSerial, reason: X509CrlReason.certificateHold }] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 11, deltaIndicator: 10, entries: [{ serialNumber: leafSerial, reason: X509CrlReason.removeFromCRL }] }));
      },
      expected: { status: 'good', source: 'crl', code: undefined },
    },
    {
      name: 'delta CRL unavailable',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.fail('/delta.crl', 404);
      },
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'delta.crl answered HTTP 404',
    },
    {
      name: 'delta CRL number not greater than the base',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 10, deltaIndicator: 9 }));
      },
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'the delta CRL number 10 is not greater than the base CRL number 10',
    },
    {
      name: 'delta CRL relative to a newer base',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 13, deltaIndicator: 12 }));
      },
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'applies to base CRL 12, newer than the base CRL 10',
    },
    {
      name: 'delta CRL without a delta CRL indicator',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 11 }));
      },
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'has no delta CRL indicator',
    },
    {
      name: 'expired delta CRL',
      setup: async () => {
        crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`] }));
        crl.set('/delta.crl', await makeCrl(test.intermediate, { number: 11, deltaIndicator: 10, thisUpdate: new Date(Date.now() - 3 * HOUR), nextUpdate: new Date(Date.now() - HOUR) }));
      },
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'the delta CRL expired at',
    },
    {
      name: 'two delta CRL locations',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshest: [`${crl.url}/delta.crl`, `${crl.url}/delta2.crl`] })),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'names 2 delta CRL locations; only one is supported',
    },
    {
      name: 'freshest CRL extension with no URL (as certificateWithZeroDeltaCRLURL.cer)',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshestRaw: Buffer.from('30063004A002A000', 'hex') })),
      expected: { status: 'good', source: 'crl', code: undefined },
    },
    {
      name: 'incomplete freshest CRL extension (as certificateWithIncompleteFreshestCRL.cer)',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshestRaw: Buffer.from('30043002A000', 'hex') })),
      expected: { status: 'unknown', source: undefined, code: 'REVOCATION_UNKNOWN' },
      fragment: 'failed to parse the Freshest CRL extension',
    },
    {
      name: 'non-URI freshest CRL name (as certificateWithNonURIDeltaCRL.cer)',
      setup: async () => crl.set('/leaf.crl', await makeCrl(test.intermediate, { number: 10, freshestRaw: Buffer.from('30093007A005A0038501FF', 'hex') })),
      expected: { status: 'good', source: 'crl', code: undefined },
    },
  ];

  it.each(crlCases)('$name', async ({ setup, expected, fragment, maxResponseBytes, timeoutMs }) => {
    ocsp.behave('http-error');
    await setup();
    const results = await check({ maxResponseBytes, timeoutMs });
    expect(leafOf(results)).toEqual(expected);
    if (fragment) expect(results[0]?.error?.message).toContain(fragment);
  });

  it('revokes the intermediate from the root-signed CRL', async () => {
    crl.set('/intermediate.crl', await makeCrl(test.root, { number: 4, entries: [{ serialNumber: normalise(test.intermediate.certificate.serialNumber) }] }));
    const results = await check();
    expect(results.map((r) => r.status)).toEqual(['good', 'revoked', 'skipped']);
    expect(results[1]).toMatchObject({ source: 'crl', error: { code: 'CERTIFICATE_REVOKED' } });
  });
});

describe('RevocationChecker: chains and inputs', () => {
  it('skips certificates without revocation information and the root', async () => {
    const plain = await buildChain();
    const results = await new RevocationChecker({ cache: false }).check(plain.chain);
    expect(results.map((r) => r.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(results.map((r) => r.subject)).toEqual(plain.chain.map((c) => c.subject));
  });

  it('marks every certificate unknown when the chain is out of order', async () => {
    const results = await new RevocationChecker({ cache: false }).check([test.leaf.certificate, test.root.certificate, test.intermediate.certificate]);
    expect(results.map((r) => r.status)).toEqual(['unknown', 'unknown', 'skipped']);
    expect(results[0]?.error?.message).toContain('the certificate chain is invalid');
  });

  it('refuses non-http URLs', async () => {
    const chain = await buildChain({ leaf: { ocsp: ['https://127.0.0.1:1/ocsp'], crl: ['ldap://127.0.0.1/crl'] } });
    const [leaf] = await new RevocationChecker({ cache: false }).check(chain.chain);
    expect(leaf?.error?.message).toContain('only http URLs are supported');
    expect(leaf?.status).toBe('unknown');
  });

  it('names a TSA certificate as such when checking a timestamping chain', async () => {
    ocsp.setStatus(leafSerial, { status: 'revoked' });
    const [leaf] = await check({ purpose: 'timestamping' });
    expect(leaf?.error?.message).toMatch(/^TSA certificate "/);
  });

  it('returns nothing for an empty chain', async () => {
    expect(await new RevocationChecker().check([])).toEqual([]);
  });
});

describe('RevocationChecker: caching until nextUpdate', () => {
  it('reuses an OCSP response and CRLs in memory', async () => {
    const checker = new RevocationChecker({ timeoutMs: 2_000 });
    const before = { ocsp: ocsp.requests, crl: crl.hits('/intermediate.crl') };
    await checker.check(test.chain);
    await checker.check(test.chain);
    expect({ ocsp: ocsp.requests - before.ocsp, crl: crl.hits('/intermediate.crl') - before.crl }).toEqual({ ocsp: 1, crl: 1 });
  });

  it('reuses responses from the disk cache in a new checker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgverify-revocation-'));
    try {
      const before = { ocsp: ocsp.requests, crl: crl.hits('/intermediate.crl') };
      await new RevocationChecker({ timeoutMs: 2_000, cacheDir: dir }).check(test.chain);
      const results = await new RevocationChecker({ timeoutMs: 2_000, cacheDir: dir }).check(test.chain);
      expect(results.map((r) => r.status)).toEqual(['good', 'good', 'skipped']);
      expect({ ocsp: ocsp.requests - before.ocsp, crl: crl.hits('/intermediate.crl') - before.crl }).toEqual({ ocsp: 1, crl: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fetches again once the cached answer is past its nextUpdate', async () => {
    let now = new Date();
    const checker = new RevocationChecker({ timeoutMs: 2_000, now: () => now });
    const before = ocsp.requests;
    await checker.check(test.chain);
    now = new Date(Date.now() + 2 * HOUR);
    const [leaf] = await checker.check(test.chain);
    expect(ocsp.requests - before).toBe(2);
    // The double's fresh answer is already past its nextUpdate two hours ahead, and so is the CRL.
    expect(leaf?.status).toBe('unknown');
  });
});
