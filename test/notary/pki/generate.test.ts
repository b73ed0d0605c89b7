// The test PKI produces what the Notary certificate requirements ask for, and the deliberate defects asked of it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate as NodeX509 } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import {
  EKU,
  cachedKeyPair,
  certificatesToPem,
  generateCertificateChain,
  generateTestCertificate,
  issueCertificate,
  parsePrivateKey,
  type KeyType,
} from '../../support/pki.js';
import { parseCertificateBundle } from '../../../src/pki/index.js';

function extension<T extends x509.Extension>(cert: x509.X509Certificate, type: new (raw: ArrayBuffer) => T): T | null {
  return cert.getExtension(type);
}

describe('generateTestCertificate', () => {
  it('makes a self-signed code-signing certificate like notation cert generate-test', async () => {
    const cert = await generateTestCertificate({ commonName: 'e2e', keyType: 'ec-256' });
    expect(cert.certificate.subject).toBe('C=US, ST=WA, L=Seattle, O=Notary, CN=e2e');
    expect(cert.certificate.issuer).toBe(cert.certificate.subject);
    expect(await cert.certificate.verify({ publicKey: cert.certificate.publicKey, signatureOnly: true })).toBe(true);
    const ku = extension(cert.certificate, x509.KeyUsagesExtension);
    expect(ku?.critical).toBe(true);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(extension(cert.certificate, x509.ExtendedKeyUsageExtension)?.usages).toEqual([EKU.codeSigning]);
    expect(extension(cert.certificate, x509.BasicConstraintsExtension)).toBeNull();
    const days = (cert.certificate.notAfter.getTime() - cert.certificate.notBefore.getTime()) / 86_400_000;
    expect(days).toBe(365);
    expect(cert.privateKey.asymmetricKeyType).toBe('ec');
    expect(parsePrivateKey(cert.privateKeyPem).asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
  });

  it.each<[KeyType, string, Record<string, unknown>]>([
    ['rsa-1024', 'rsa', { modulusLength: 1024 }],
    ['rsa-2048', 'rsa', { modulusLength: 2048 }],
    ['ec-384', 'ec', { namedCurve: 'secp384r1' }],
    ['ec-521', 'ec', { namedCurve: 'secp521r1' }],
    ['ed25519', 'ed25519', {}],
  ])('key type %s', async (keyType, asymmetricKeyType, details) => {
    const cert = await generateTestCertificate({ commonName: keyType, keyType });
    expect(cert.publicKey.asymmetricKeyType).toBe(asymmetricKeyType);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject(details);
    expect(new NodeX509(cert.der).publicKey.equals(cert.publicKey)).toBe(true);
  });
});

describe('generateCertificateChain', () => {
  it('builds root → intermediate → leaf that openssl verifies for code signing', async () => {
    const chain = await generateCertificateChain({ keyType: 'ec-256', intermediate: true, commonName: 'signer' });
    expect(chain.chain).toHaveLength(3);
    expect(parseCertificateBundle(chain.chainPem).map((cert) => new Uint8Array(cert.rawData))).toEqual(chain.chain);
    expect(chain.leaf.certificate.issuer).toBe(chain.intermediates[0]?.certificate.subject);
    const bc = extension(chain.root.certificate, x509.BasicConstraintsExtension);
    expect([bc?.ca, bc?.critical]).toEqual([true, true]);
    expect(extension(chain.root.certificate, x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
    );
    const leafBc = extension(chain.leaf.certificate, x509.BasicConstraintsExtension);
    expect(leafBc?.ca).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'imgverify-pki-'));
    try {
      writeFileSync(join(dir, 'root.pem'), chain.root.pem);
      writeFileSync(join(dir, 'inter.pem'), certificatesToPem([chain.intermediates[0]!.der]));
      writeFileSync(join(dir, 'leaf.pem'), chain.leaf.pem);
      const out = execFileSync('openssl', [
        'verify', '-x509_strict', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'inter.pem'), join(dir, 'leaf.pem'),
      ]).toString();
      expect(out.trim()).toBe(`${join(dir, 'leaf.pem')}: OK`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes deliberately broken certificates on request', async () => {
    const keys = await cachedKeyPair('ec-256', 'pki-test');
    const expired = await generateCertificateChain({
      keyType: 'ec-256',
      leaf: { keys, notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') },
    });
    expect(expired.leaf.certificate.notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
    const notCa = await generateCertificateChain({ keyType: 'ec-256', root: { basicConstraints: { ca: false } }, leaf: { keys } });
    expect(extension(notCa.root.certificate, x509.BasicConstraintsExtension)?.ca).toBe(false);
    const wrongUsage = await issueCertificate({
      commonName: 'x', keyType: 'ec-256', keys, keyUsage: { usages: ['digitalSignature', 'keyEncipherment'] }, extendedKeyUsage: null,
    });
    expect(extension(wrongUsage.certificate, x509.KeyUsagesExtension)?.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    );
    expect(extension(wrongUsage.certificate, x509.ExtendedKeyUsageExtension)).toBeNull();
    const sha1 = await issueCertificate({ commonName: 'sha1', keyType: 'rsa-2048', signatureHash: 'SHA-1' });
    expect(execFileSync('openssl', ['x509', '-noout', '-text'], { input: sha1.pem }).toString()).toContain('sha1WithRSAEncryption');
    expect(sha1.certificate.signatureAlgorithm).toMatchObject({ hash: { name: 'SHA-1' } });
  });
});
