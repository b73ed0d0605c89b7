// requestTimestamp and verifyTimestampToken against the in-process TSA double on loopback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestTimestamp, verifyTimestampToken } from '../../../src/pki/index.js';
import { issueCertificate } from '../../../src/notary/pki/index.js';
import { startTsaDouble, type TsaBehaviour, type TsaDouble } from '../../support/tsa-double.js';
import { freePort } from '../../support/ports.js';

const SIGNATURE = new TextEncoder().encode('signature bytes of an envelope');

let tsa: TsaDouble;
beforeAll(async () => {
  tsa = await startTsaDouble();
});
afterAll(async () => {
  await tsa.stop();
});

describe('requestTimestamp against the TSA double', () => {
  it.each(['SHA-256', 'SHA-384', 'SHA-512'] as const)('gets a token with a %s imprint that verifies against the double root', async (hashAlgorithm) => {
    tsa.behave('good');
    const before = Date.now();
    const token = await requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm, rootCertificates: [tsa.rootCertificate] });
    const result = await verifyTimestampToken(token, SIGNATURE, [tsa.rootCertificate]);
    expect(result.hashAlgorithm).toBe(hashAlgorithm);
    expect(result.accuracyMs).toBe(1000);
    expect(result.genTime.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(result.tsaChain.map((c) => c.subject)).toEqual([tsa.leaf.certificate.subject, tsa.root.certificate.subject]);
  });

  it.each<{ behaviour: TsaBehaviour; code: string; fragment: string }>([
    { behaviour: 'wrong-nonce', code: 'INVALID_TIMESTAMP', fragment: 'nonce in the token does not echo the request' },
    { behaviour: 'wrong-imprint', code: 'INVALID_TIMESTAMP', fragment: 'message imprint of the token does not match' },
    { behaviour: 'bad-signature', code: 'INVALID_TIMESTAMP', fragment: 'TSA signature does not verify' },
    { behaviour: 'reject', code: 'TIMESTAMP_UNAVAILABLE', fragment: 'the request was rejected (PKIStatus 2)' },
    { behaviour: 'server-error', code: 'TIMESTAMP_UNAVAILABLE', fragment: 'HTTP status 500' },
  ])('fails with $code when the TSA answers $behaviour', async ({ behaviour, code, fragment }) => {
    tsa.behave(behaviour);
    await expect(
      requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm: 'SHA-256', rootCertificates: [tsa.rootCertificate] }),
    ).rejects.toMatchObject({ code, message: expect.stringContaining(fragment) });
  });

  it('times out on a slow TSA within the time allowed', async () => {
    tsa.behave('slow', 2_000);
    const started = Date.now();
    await expect(requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm: 'SHA-256', timeoutMs: 300 })).rejects.toMatchObject({
      code: 'TIMESTAMP_UNAVAILABLE',
      message: expect.stringContaining('no reply within 300 ms'),
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('stops when the caller aborts', async () => {
    tsa.behave('slow', 2_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(
      requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm: 'SHA-256', signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'TIMESTAMP_UNAVAILABLE', message: expect.stringContaining('cancelled') });
  });

  it('fails with TIMESTAMP_UNAVAILABLE when nothing listens', async () => {
    const url = `http://127.0.0.1:${await freePort()}/tsa`;
    await expect(requestTimestamp(url, SIGNATURE, { hashAlgorithm: 'SHA-256', timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'TIMESTAMP_UNAVAILABLE',
    });
  });

  it('refuses a reply larger than the limit', async () => {
    tsa.behave('good');
    await expect(
      requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm: 'SHA-256', maxResponseBytes: 512 }),
    ).rejects.toMatchObject({ code: 'INVALID_TIMESTAMP', message: expect.stringContaining('larger than 512 bytes') });
  });

  it('refuses a reply that is not application/timestamp-reply', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      await expect(requestTimestamp(url, SIGNATURE, { hashAlgorithm: 'SHA-256' })).rejects.toMatchObject({
        code: 'INVALID_TIMESTAMP',
        message: expect.stringContaining('content type is "text/html"'),
      });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('verifyTimestampToken on tokens from the TSA double', () => {
  it.each([
    { name: 'an untrusted TSA root', code: 'UNTRUSTED_TIMESTAMP', fragment: 'does not chain to a trusted TSA root', otherRoot: true, signature: SIGNATURE },
    { name: 'another signature (imprint mismatch)', code: 'INVALID_TIMESTAMP', fragment: 'message imprint does not match', otherRoot: false, signature: new TextEncoder().encode('other') },
  ])('rejects $name with $code', async ({ code, fragment, otherRoot, signature }) => {
    tsa.behave('good');
    const token = await requestTimestamp(tsa.url, SIGNATURE, { hashAlgorithm: 'SHA-256' });
    const roots = otherRoot ? [(await issueCertificate({ commonName: 'other root', purpose: 'ca', keyType: 'ec-256' }, undefined, 'ca')).certificate] : [tsa.rootCertificate];
    await expect(verifyTimestampToken(token, signature, roots)).rejects.toMatchObject({ code, message: expect.stringContaining(fragment) });
  });

  it.each([
    { name: 'an EKU that is not critical', leaf: { extendedKeyUsage: { usages: ['1.3.6.1.5.5.7.3.8'], critical: false } }, fragment: 'must be critical' },
    { name: 'a second EKU', leaf: { extendedKeyUsage: { usages: ['1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.3'], critical: true } }, fragment: 'id-kp-timeStamping as its only extended key usage' },
    { name: 'no EKU', leaf: { extendedKeyUsage: null }, fragment: 'has no extended key usage' },
    { name: 'an expired certificate', leaf: { notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') }, fragment: 'was not valid at' },
  ])('rejects a TSA certificate with $name', async ({ leaf, fragment }) => {
    const bad = await startTsaDouble({ leaf });
    try {
      const token = await requestTimestamp(bad.url, SIGNATURE, { hashAlgorithm: 'SHA-256' });
      await expect(verifyTimestampToken(token, SIGNATURE, [bad.rootCertificate])).rejects.toMatchObject({
        code: 'INVALID_TIMESTAMP',
        message: expect.stringContaining(fragment),
      });
    } finally {
      await bad.stop();
    }
  });
});
