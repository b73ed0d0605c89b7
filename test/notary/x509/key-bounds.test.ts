// RSA public keys beyond 2^32 exponents or 8192-bit moduli are refused on every certificate before any signature is checked with them.
import { createHash, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { parseEnvelope } from '../../../src/notary/envelope/index.js';
import { MEDIA_TYPE_JWS } from '../../../src/notary/types.js';
import { validateCodeSigningChain } from '../../../src/notary/x509/index.js';
import { MAX_RSA_MODULUS_BITS, parseCertificate, PkiError, publicKeyBoundsProblem, SignatureCheckError, verifySignatureValue, verifyTimestampToken } from '../../../src/pki/index.js';
import { oddNumberOfBits, withRsaKey } from '../../support/hostile-keys.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../../support/pki.js';
import { issueToken } from '../../support/tsa-double.js';
import { thrownBy } from '../../support/errors.js';
import { craftJws, jwsHeaders, x5c } from '../envelope/craft.js';

/** An exponent like the review's: 3070 bits, odd (OpenSSL accepts it; each check with it costs ~25 ms). */
const HUGE_EXPONENT = oddNumberOfBits(3070);

describe('RSA key bounds', () => {
  let chain: GeneratedChain;
  beforeAll(async () => {
    chain = await generateCertificateChain({
      keyType: 'rsa-3072',
      root: { keys: await cachedKeyPair('rsa-3072', 'bounds-root') },
      intermediate: { keys: await cachedKeyPair('rsa-3072', 'bounds-intermediate') },
      leaf: { keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'bounds-leaf') },
    });
  });

  it.each([
    { name: 'exponent 2^32 + 1', exponent: 2n ** 32n + 1n, problem: /RSA public exponent is 33 bits long, more than the 2\^32 allowed/ },
    { name: 'exponent of 3070 bits', exponent: HUGE_EXPONENT, problem: /RSA public exponent is 3070 bits long/ },
    { name: `modulus of ${MAX_RSA_MODULUS_BITS + 8} bits`, modulusBits: MAX_RSA_MODULUS_BITS + 8, problem: /RSA modulus is 8200 bits, more than the 8192 allowed/ },
  ])('publicKeyBoundsProblem: $name', (c) => {
    const der = withRsaKey(chain.intermediates[0]!.der, c);
    expect(publicKeyBoundsProblem(new NodeX509Certificate(der).publicKey)).toMatch(c.problem);
  });

  it('accepts exponent 2^32 exactly, 65537 and an 8192-bit modulus', () => {
    for (const override of [{ exponent: 2n ** 32n }, {}, { modulusBits: MAX_RSA_MODULUS_BITS }]) {
      expect(publicKeyBoundsProblem(new NodeX509Certificate(withRsaKey(chain.root.der, override)).publicKey)).toBeUndefined();
    }
  });

  it.each([
    { name: 'an intermediate with a 3070-bit exponent', at: 1, override: { exponent: HUGE_EXPONENT }, problem: /RSA public exponent is 3070 bits long/ },
    { name: 'the root with a 3070-bit exponent', at: 2, override: { exponent: HUGE_EXPONENT }, problem: /RSA public exponent is 3070 bits long/ },
    { name: 'an intermediate with an 8200-bit modulus', at: 1, override: { modulusBits: 8200 }, problem: /RSA modulus is 8200 bits/ },
  ])('a chain with $name is refused before its signatures are checked', (c) => {
    const ders = [...chain.chain];
    ders[c.at] = withRsaKey(ders[c.at]!, c.override);
    const certificates = ders.map((der) => parseCertificate(der));
    // The key problem is named, not "its signature does not verify": the check came first.
    const error = thrownBy(NotaryError, () => validateCodeSigningChain(certificates));
    expect(error.code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect(error.message).toMatch(c.problem);
  });

  it('an envelope whose signing certificate has a 3070-bit exponent fails integrity before its signature is checked', async () => {
    const rsaLeaf = await generateCertificateChain({ keyType: 'rsa-2048', root: { keys: await cachedKeyPair('rsa-2048', 'bounds-root') }, leaf: { keys: await cachedKeyPair('rsa-2048', 'bounds-leaf') } });
    const hostileLeaf = withRsaKey(rsaLeaf.leaf.der, { exponent: HUGE_EXPONENT });
    const { bytes } = craftJws({ protectedHeader: jwsHeaders('PS256'), header: { x5c: x5c([hostileLeaf, rsaLeaf.root.der]) }, key: rsaLeaf.leaf.privateKey, signing: 'RSASSA-PSS-SHA-256' });
    const error = await (async () => parseEnvelope(MEDIA_TYPE_JWS, bytes).verifyIntegrity())().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NotaryError);
    expect((error as NotaryError).code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect((error as NotaryError).message).toMatch(/^the signing certificate with subject ".*" is refused: its RSA public exponent is 3070 bits long/);
  });

  it('CMS, OCSP and CRL signatures are not checked with such a key', () => {
    const key = new NodeX509Certificate(withRsaKey(chain.root.der, { exponent: HUGE_EXPONENT })).publicKey;
    expect(() => verifySignatureValue(key, { algorithm: '1.2.840.113549.1.1.11' }, new Uint8Array([1]), new Uint8Array(384))).toThrow(SignatureCheckError);
    expect(() => verifySignatureValue(key, { algorithm: '1.2.840.113549.1.1.11' }, new Uint8Array([1]), new Uint8Array(384))).toThrow(/RSA public exponent is 3070 bits long/);
  });

  it('a TSA root with a 3070-bit exponent is refused', async () => {
    const tsa = await generateCertificateChain({
      keyType: 'rsa-3072',
      root: { keys: await cachedKeyPair('rsa-3072', 'bounds-root') },
      leaf: { purpose: 'timeStamping', keys: await cachedKeyPair('rsa-3072', 'bounds-intermediate') },
    });
    const signature = new Uint8Array(32).fill(7);
    const imprint = new Uint8Array(createHash('sha256').update(signature).digest());
    const token = issueToken(tsa.leaf, [tsa.leaf, tsa.root], { imprint, hashOid: '2.16.840.1.101.3.4.2.1' });
    await expect(verifyTimestampToken(token, signature, [tsa.root.certificate])).resolves.toMatchObject({ hashAlgorithm: 'SHA-256' });
    const hostileRoot = new X509Certificate(withRsaKey(tsa.root.der, { exponent: HUGE_EXPONENT }));
    const error = await verifyTimestampToken(token, signature, [hostileRoot]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PkiError);
    expect((error as PkiError).code).toBe('INVALID_TIMESTAMP');
    expect((error as PkiError).message).toMatch(/of the timestamp is refused: its RSA public exponent is 3070 bits long/);
  });
});
