// cosign's key files and the seed's PEM forms: encrypted private keys cosign wrote decrypt, ours round-trip, the seed 001 key and certificates are accepted.
import { createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptPrivateKey, generateKeyPair, parsePublicKeys, signBytes, verifySignature } from '../../src/cosign/index.js';
import { parseCertificates, verifyChain } from '../../src/cosign/certificates.js';
import { CosignError } from '../../src/cosign/errors.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';

const fixture = (name: string): Promise<string> => readFile(join(LOCAL_FIXTURES, 'cosign', name), 'utf8');

describe('encrypted private keys', () => {
  it.each([
    { file: 'sigstore.key', type: 'ec' },
    { file: 'cosign-legacy.key', type: 'ec' },
  ])('$file, written by cosign, decrypts with its password to a $type key', async ({ file, type }) => {
    const key = await decryptPrivateKey(await fixture(file), 'hello');
    expect(createPublicKey(key).asymmetricKeyType).toBe(type);
  });

  it.each([
    { name: 'a wrong password', file: 'sigstore.key', password: 'wrong', message: 'decrypt: encrypted: decryption failed' },
    { name: 'a SEC 1 key inside (cosign refuses it too)', file: 'cosign-ec-sec1.key', password: 'hello', message: 'parsing private key: x509: failed to parse private key (not PKCS #8)' },
  ])('$name: INVALID_INPUT', async ({ file, password, message }) => {
    await expect(decryptPrivateKey(await fixture(file), password)).rejects.toMatchObject({ code: 'INVALID_INPUT', message });
  });

  it('generate-key-pair writes an ENCRYPTED SIGSTORE PRIVATE KEY whose key signs for its cosign.pub', async () => {
    const { privateKeyPem, publicKeyPem } = await generateKeyPair('secret');
    expect(privateKeyPem.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n')).toBe(true);
    const document = JSON.parse(Buffer.from(privateKeyPem.split('\n').slice(1, -2).join(''), 'base64').toString('utf8')) as { kdf: { params: unknown }; cipher: { name: string } };
    expect(document.kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    expect(document.cipher.name).toBe('nacl/secretbox');
    const privateKey = await decryptPrivateKey(privateKeyPem, 'secret');
    const [publicKey] = parsePublicKeys([publicKeyPem]);
    const data = new TextEncoder().encode('payload');
    expect(() => verifySignature(publicKey!, data, signBytes(privateKey, data))).not.toThrow();
  });
});

describe('seed 001 forms', () => {
  it('the publicKeys block (and several keys in one text) parse', async () => {
    const seedKey = await fixture('seed-001-cosign.pub');
    expect(parsePublicKeys([seedKey]).map((key) => key.asymmetricKeyDetails?.namedCurve)).toEqual(['prime256v1']);
    expect(parsePublicKeys([`${seedKey}${seedKey}`])).toHaveLength(2);
  });

  it('cert + certChain: the leaf (no EKU extension, Go semantics) chains to the root at its NotBefore', async () => {
    const [leaf] = parseCertificates(await fixture('seed-001-cert.pem'), 'cert', 'INVALID_INPUT');
    const roots = parseCertificates(await fixture('seed-001-cert-chain.pem'), 'certChain', 'INVALID_INPUT');
    expect(leaf?.keyUsage).toBeUndefined();
    const chain = verifyChain(leaf as X509Certificate, roots, [], new Date((leaf as X509Certificate).validFrom));
    expect(chain.map((certificate) => certificate.fingerprint256)).toEqual([leaf?.fingerprint256, roots[0]?.fingerprint256]);
  });

  it.each([
    { name: 'no PEM block', text: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE', code: 'INVALID_INPUT' },
    { name: 'a P-224 key', text: generateKeyPairSync('ec', { namedCurve: 'secp224r1' }).publicKey.export({ format: 'pem', type: 'spki' }).toString(), code: 'UNSUPPORTED_ALGORITHM' },
  ])('$name: $code', ({ text, code }) => {
    let caught: unknown;
    try {
      parsePublicKeys([text]);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CosignError);
    expect((caught as CosignError).code).toBe(code);
  });
});
