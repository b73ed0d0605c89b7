// The process-wide certificate cache: one parse per distinct DER, keyed by the exact bytes; decisions are still made on every call.
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { matchTrustedIdentities, validateCodeSigningChain, verifyChainToTrustAnchors } from '../../../src/notary/x509/index.js';
import { certificateFacts, certificateSubject, nodeCertificate, parseCertificate, PkiError, X509Certificate } from '../../../src/pki/index.js';
import { describeCertificate } from '../../../src/pki/revocation/certificate.js';
import { cachedKeyPair, generateCertificateChain, issueCertificate, type GeneratedChain } from '../../support/pki.js';
import { thrownBy } from '../../support/errors.js';

const SUBJECT = 'C=US, ST=WA, O=Notary, CN=cache test signer';
const LEAF = { subject: SUBJECT, serialNumber: '0a0b0c0d', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2035-01-01T00:00:00Z') };

let chain: GeneratedChain;
/** Same issuer, subject, serial and validity as chain.leaf, another key: different bytes. */
let twin: Uint8Array;

beforeAll(async () => {
  chain = await generateCertificateChain({
    keyType: 'ec-256',
    root: { keys: await cachedKeyPair('ec-256', 'cache-root') },
    leaf: { ...LEAF, keys: await cachedKeyPair('ec-256', 'cache-leaf') },
  });
  twin = (await issueCertificate({ commonName: 'x', ...LEAF, keyType: 'ec-384', keys: await cachedKeyPair('ec-384', 'cache-twin') }, chain.root)).der;
});

describe('parse once per distinct DER', () => {
  it('the same bytes, even in another buffer, give the same objects and facts', () => {
    const first = parseCertificate(chain.leaf.der);
    const copy = parseCertificate(new Uint8Array(Buffer.from(chain.leaf.der)));
    expect(copy).toBe(first);
    expect(certificateFacts(copy)).toBe(certificateFacts(first));
    expect(certificateSubject(copy)).toBe(certificateSubject(first));
    expect(nodeCertificate(chain.leaf.der)).toBe(certificateFacts(first).node);
  });

  it('one record per DER: another object of the same bytes shares its facts, subject and OpenSSL parse; the facts carry the fingerprint and key identifiers', () => {
    const parsed = parseCertificate(chain.leaf.der);
    const other = new X509Certificate(new Uint8Array(chain.leaf.der));
    expect(other).not.toBe(parsed);
    expect(certificateFacts(other)).toBe(certificateFacts(parsed));
    expect(certificateSubject(other)).toBe(certificateSubject(parsed));
    expect(describeCertificate(other).node).toBe(nodeCertificate(chain.leaf.der));
    const facts = certificateFacts(parsed);
    expect(facts.sha256).toBe(createHash('sha256').update(chain.leaf.der).digest('hex'));
    expect(facts.subjectKeyIdentifier).toMatch(/^[0-9a-f]{40}$/);
    expect(facts.authorityKeyIdentifier).toBe(certificateFacts(parseCertificate(chain.chain[1]!)).subjectKeyIdentifier);
  });

  it('a certificate with the same names and serial but other bytes is parsed on its own', () => {
    const leaf = parseCertificate(chain.leaf.der);
    const other = parseCertificate(twin);
    expect([other.subject, other.issuer, other.serialNumber]).toEqual([leaf.subject, leaf.issuer, leaf.serialNumber]);
    expect(other).not.toBe(leaf);
    expect([certificateFacts(leaf).publicKey.curve, certificateFacts(other).publicKey.curve]).toEqual(['prime256v1', 'secp384r1']);
  });

  it('a failed parse is not kept: each attempt reports it with its own source', () => {
    const broken = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]);
    for (const source of ['first try', 'second try']) {
      const error = thrownBy(PkiError, () => parseCertificate(broken, { source }));
      expect([error.code, error.message.startsWith(`${source} is not a valid X.509 certificate`)]).toEqual(['INVALID_CERTIFICATE', true]);
    }
  });
});

describe('decisions are not cached', () => {
  it('validity is checked against the time of each call', () => {
    const certificates = chain.chain.map((der) => parseCertificate(der));
    const cases: { atTime: Date; code?: string }[] = [
      { atTime: new Date('2030-01-01T00:00:00Z') },
      { atTime: new Date('2036-01-01T00:00:00Z'), code: 'CERTIFICATE_EXPIRED' },
      { atTime: new Date('2024-01-01T00:00:00Z'), code: 'CERTIFICATE_EXPIRED' },
      { atTime: new Date('2030-01-01T00:00:00Z') },
    ];
    const outcomes = cases.map(({ atTime }) => {
      try {
        validateCodeSigningChain(certificates, { atTime });
        return undefined;
      } catch (err) {
        return (err as NotaryError).code;
      }
    });
    expect(outcomes).toEqual(cases.map((c) => c.code));
  });

  it('a leaf whose signature was altered is checked on its own after the genuine one passed', () => {
    const root = parseCertificate(chain.root.der);
    validateCodeSigningChain([parseCertificate(chain.leaf.der), root]);
    const altered = new Uint8Array(chain.leaf.der);
    altered.set([altered.at(-1)! ^ 0x01], altered.length - 1); // last byte of the ECDSA signature's s
    const error = thrownBy(NotaryError, () => validateCodeSigningChain([parseCertificate(altered), root]));
    expect([error.code, error.message]).toEqual([
      'INVALID_CERTIFICATE_CHAIN',
      `invalid certificate chain: certificate "${SUBJECT}" is not issued by "${root.subject}": its signature does not verify with the public key of "${root.subject}"; order the chain leaf first, root last`,
    ]);
  });

  it('trust anchors and trusted identities are evaluated on each call', () => {
    const certificates = chain.chain.map((der) => parseCertificate(der));
    const root = certificates.at(-1)!;
    expect(verifyChainToTrustAnchors(certificates, [root])).toBe(root);
    expect(thrownBy(NotaryError, () => verifyChainToTrustAnchors(certificates, [parseCertificate(twin)])).code).toBe('UNTRUSTED_SIGNER');
    expect(matchTrustedIdentities(certificates[0]!, [`x509.subject: ${SUBJECT}`])).toBe(`x509.subject: ${SUBJECT}`);
    expect(thrownBy(NotaryError, () => matchTrustedIdentities(certificates[0]!, ['x509.subject: C=US, ST=WA, O=Someone else'])).code).toBe('UNTRUSTED_IDENTITY');
  });
});
