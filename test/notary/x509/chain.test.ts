// Certificate chain requirements (signature-specification.md "Certificate Requirements"): upstream chains and chains generated per rule.
import { join } from 'node:path';
import type { X509Certificate } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { validateCodeSigningChain, validateTimestampingChain } from '../../../src/notary/x509/index.js';
import { parseCertificate, PkiError, validateChainValidity } from '../../../src/pki/index.js';
import {
  EKU,
  cachedKeyPair,
  generateCertificateChain,
  issueCertificate,
  type CertificateOptions,
  type ChainOptions,
  type GeneratedCertificate,
  type KeyType,
} from '../../support/pki.js';
import { CORE_X509, E2E, TSPCLIENT, bundle, envelopeChain, signedDataCertificates } from './upstream.js';
import { thrownBy } from '../../support/errors.js';

const certificates = (...generated: GeneratedCertificate[]): X509Certificate[] => generated.map((g) => g.certificate);

/** Chains of P-256 keys (fast), each level's key shared per slot so the suite generates few keys. */
async function chain(options: ChainOptions & { intermediatesCount?: number } = {}): Promise<X509Certificate[]> {
  const keyType: KeyType = options.keyType ?? 'ec-256';
  const keys = async (slot: string, overrides?: Partial<CertificateOptions>): Promise<Partial<CertificateOptions>> => ({
    keys: await cachedKeyPair(overrides?.keyType ?? keyType, slot),
    ...overrides,
  });
  const intermediates = options.intermediates ?? Array.from({ length: options.intermediatesCount ?? 0 }, () => ({}));
  const generated = await generateCertificateChain({
    ...options,
    keyType,
    root: await keys('root', options.root),
    intermediates: await Promise.all(intermediates.map((overrides, index) => keys(`intermediate-${index}`, overrides))),
    leaf: await keys('leaf', options.leaf),
  });
  return generated.chain.map((der) => parseCertificate(der));
}

describe('upstream chains meet the code signing requirements', () => {
  /** `validAt`: a time inside every certificate's validity (sig_env_with_metadata's leaf lived one day in 2023). */
  const UPSTREAM: { name: string; chain: () => X509Certificate[]; validAt?: Date }[] = [
    { name: 'notation-e2e localkeys/e2e.crt (self-signed leaf)', chain: () => bundle(join(E2E, 'localkeys/e2e.crt')) },
    { name: 'notation-e2e crl/certchain_with_crl.pem (leaf, intermediate pathlen 0, root)', chain: () => bundle(join(E2E, 'crl/certchain_with_crl.pem')) },
    { name: 'notation-e2e ocsp/certchain_with_ocsp.pem (leaf, root)', chain: () => bundle(join(E2E, 'ocsp/certchain_with_ocsp.pem')) },
    { name: 'notation-core-go openssl-minimum-self-signed.pem', chain: () => bundle(join(CORE_X509, 'openssl-minimum-self-signed.pem')) },
    ...['ca_valid_sig_env.json', 'sa_valid_sig_env.json', 'ca_compatible_pluginver_sig_env_1.0.0.json'].map((file) => ({
      name: `notation-go mock-envelopes ${file} x5c`,
      chain: () => envelopeChain(file),
    })),
    { name: 'notation-go mock-envelopes sig_env_with_metadata.json x5c', chain: () => envelopeChain('sig_env_with_metadata.json'), validAt: new Date('2023-01-11T12:00:00Z') },
  ];
  it.each(UPSTREAM)('$name', ({ chain: read, validAt }) => {
    expect(() => validateCodeSigningChain(read(), { atTime: validAt ?? new Date() })).not.toThrow();
  });

  it('the e2e timestamp CertChain.pem leaf has keyEncipherment, which a signing leaf must not have', () => {
    const error = thrownBy(NotaryError, () => validateCodeSigningChain(bundle(join(E2E, 'timestamp/CertChain.pem'))));
    expect(error.code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect(error.message).toBe(
      'invalid certificate chain: signing certificate "O=Acme Co, CN=test_cert_1": key usage must be digitalSignature only, but it also has keyEncipherment',
    );
  });
});

describe('upstream timestamping chain (notation-core-go x509-testdata timestamp_*)', () => {
  const tsaChain = (): X509Certificate[] =>
    ['timestamp_leaf.crt', 'timestamp_intermediate.crt', 'timestamp_root.crt'].flatMap((file) => bundle(join(CORE_X509, file)));
  it('meets the timestamping requirements', () => {
    expect(() => validateTimestampingChain(tsaChain())).not.toThrow();
  });
  it('is not a code signing chain (its leaf has the timeStamping EKU)', () => {
    const error = thrownBy(NotaryError, () => validateCodeSigningChain(tsaChain()));
    expect(error.code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect(error.message).toContain('signing certificate "C=US, O=DigiCert\\, Inc., CN=DigiCert Timestamp 2023": extended key usage must not contain timeStamping');
  });
  it('tspclient-go TimeStampToken.p7s: GlobalSign TSA → G4 CA (pathlen 0) → R6 cross-signed by R3 → R3', () => {
    const certificateChain = signedDataCertificates(join(TSPCLIENT, 'TimeStampToken.p7s'));
    expect(certificateChain.map((c) => c.subject)).toEqual([
      'C=BE, O=GlobalSign nv-sa, CN=Globalsign TSA for Advanced - G4',
      'C=BE, O=GlobalSign nv-sa, CN=GlobalSign Timestamping CA - SHA384 - G4',
      'OU=GlobalSign Root CA - R6, O=GlobalSign, CN=GlobalSign',
      'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign',
    ]);
    expect(() => validateTimestampingChain(certificateChain)).not.toThrow();
  });
  it('must end with its root', () => {
    const error = thrownBy(NotaryError, () => validateTimestampingChain(tsaChain().slice(0, 2)));
    expect(error.message).toContain('root certificate "C=US, O=DigiCert\\, Inc., CN=DigiCert Trusted G4 RSA4096 SHA256 TimeStamping CA" is not a valid self-signed root');
  });
});

interface ChainCase {
  rule: string;
  build: () => Promise<X509Certificate[]>;
  /** Undefined: the chain is valid. */
  fragment?: string;
}

const nonCritical = (usages: CertificateOptions['keyUsage'] & object): CertificateOptions['keyUsage'] => ({ ...usages, critical: false });

/** One generated chain per rule: valid shapes first, then one violation each. */
const CODE_SIGNING_CASES: ChainCase[] = [
  { rule: 'root → leaf', build: () => chain() },
  { rule: 'root → intermediate → leaf', build: () => chain({ intermediatesCount: 1 }) },
  { rule: 'root → 2 intermediates → leaf', build: () => chain({ intermediatesCount: 2 }) },
  { rule: 'pathLenConstraint equal to the CAs below', build: () => chain({ root: { basicConstraints: { ca: true, pathLength: 1 } }, intermediatesCount: 1 }) },
  { rule: 'intermediate pathLenConstraint 0 above the leaf', build: () => chain({ intermediates: [{ basicConstraints: { ca: true, pathLength: 0 } }] }) },
  { rule: 'leaf without basicConstraints', build: () => chain({ leaf: { basicConstraints: null } }) },
  { rule: 'leaf basicConstraints not critical', build: () => chain({ leaf: { basicConstraints: { ca: false, critical: false } } }) },
  { rule: 'leaf without extendedKeyUsage', build: () => chain({ leaf: { extendedKeyUsage: null } }) },
  { rule: 'leaf extendedKeyUsage codeSigning, critical', build: () => chain({ leaf: { extendedKeyUsage: { usages: [EKU.codeSigning], critical: true } } }) },
  { rule: 'leaf with nonRepudiation besides digitalSignature', build: () => chain({ leaf: { keyUsage: { usages: ['digitalSignature', 'nonRepudiation'] } } }) },
  { rule: 'leaf RSA 2048', build: () => chain({ leaf: { keyType: 'rsa-2048' } }) },
  { rule: 'leaf EC P-384', build: () => chain({ leaf: { keyType: 'ec-384' } }) },
  { rule: 'leaf EC P-521', build: () => chain({ leaf: { keyType: 'ec-521' } }) },
  { rule: 'CA keyUsage with more than keyCertSign', build: () => chain({ root: { keyUsage: { usages: ['keyCertSign', 'cRLSign', 'digitalSignature'] } } }) },
  {
    rule: 'a lone self-signed leaf (notation cert generate-test)',
    build: async () => certificates(await issueCertificate({ commonName: 'self', keys: await cachedKeyPair('ec-256', 'self'), keyType: 'ec-256', basicConstraints: null })),
  },
  // Chain structure
  { rule: 'empty chain', build: async () => [], fragment: 'certificate chain must contain at least one certificate' },
  {
    rule: 'chain length is bounded',
    build: async () => Array(17).fill((await chain())[0]) as X509Certificate[],
    fragment: 'certificate chain has 17 certificates, more than the limit of 16',
  },
  {
    rule: 'the chain ends with a root',
    build: async () => (await chain({ intermediatesCount: 1 })).slice(0, 2),
    fragment: 'root certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Intermediate CA 1" is not a valid self-signed root',
  },
  {
    rule: 'leaf first, root last (order)',
    build: async () => {
      const [leaf, intermediate, root] = await chain({ intermediatesCount: 1 });
      return [leaf, root, intermediate] as X509Certificate[];
    },
    fragment:
      'certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer" is not issued by "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA": its signature does not verify with the public key of "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA"; order the chain leaf first, root last',
  },
  {
    rule: 'no extra root at the end',
    build: async () => {
      const [leaf, root] = await chain();
      return [leaf, root, root] as X509Certificate[];
    },
    fragment: 'intermediate certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA" is self-signed',
  },
  {
    rule: 'no self-signed leaf in a longer chain',
    build: async () => {
      const ca = await issueCertificate({ commonName: 'self CA', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'self-ca'), purpose: 'ca' }, undefined, 'ca');
      const [, root] = await chain();
      return [ca.certificate, root] as X509Certificate[];
    },
    fragment: 'leaf certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=self CA" is self-signed',
  },
  {
    rule: 'no unrelated certificate',
    build: async () => {
      const [leaf] = await chain();
      const [, otherRoot] = await chain({ commonName: 'other', root: { keys: await cachedKeyPair('ec-256', 'other-root') } });
      return [leaf, otherRoot] as X509Certificate[];
    },
    fragment: 'is not issued by "C=US, ST=WA, L=Seattle, O=Notary, CN=other Root CA": its signature does not verify with the public key',
  },
  {
    rule: 'a look-alike root (same name, other key) does not chain',
    build: async () => {
      const [leaf] = await chain();
      const [, lookAlike] = await chain({ root: { keys: await cachedKeyPair('ec-256', 'look-alike') } });
      return [leaf, lookAlike] as X509Certificate[];
    },
    fragment: 'its signature does not verify with the public key of "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA"',
  },
  {
    rule: 'issuer name must be the parent subject, byte for byte',
    build: async () => {
      const rootKeys = await cachedKeyPair('ec-256', 'root');
      const root = await issueCertificate({ commonName: 'Name Root', keyType: 'ec-256', keys: rootKeys, purpose: 'ca' }, undefined, 'ca');
      const renamed = await issueCertificate({ commonName: 'Renamed Root', keyType: 'ec-256', keys: rootKeys, purpose: 'ca' }, undefined, 'ca');
      const leaf = await issueCertificate({ commonName: 'leaf', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'leaf') }, renamed);
      return certificates(leaf, root);
    },
    fragment: 'its issuer name differs from the subject name of "C=US, ST=WA, L=Seattle, O=Notary, CN=Name Root"',
  },
  {
    rule: 'a lone certificate must be self-signed',
    build: async () => (await chain()).slice(0, 1),
    fragment: 'certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer" is the only certificate of the chain but is not self-signed',
  },
  {
    rule: 'a lone certificate meets the leaf rules (a root alone is a CA)',
    build: async () => (await chain()).slice(-1),
    fragment: 'signing certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA" is a CA certificate (basicConstraints cA=true)',
  },
  // CA certificates
  {
    rule: 'CA basicConstraints present',
    build: () => chain({ intermediates: [{ basicConstraints: null }] }),
    fragment: 'is not issued by "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Intermediate CA 1": "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Intermediate CA 1" is not a CA allowed to sign certificates',
  },
  {
    rule: 'CA basicConstraints critical',
    build: () => chain({ intermediates: [{ basicConstraints: { ca: true, critical: false } }] }),
    fragment: 'certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Intermediate CA 1": a CA certificate must have a critical basicConstraints extension with cA set to true',
  },
  {
    rule: 'CA basicConstraints cA=true',
    build: () => chain({ intermediates: [{ basicConstraints: { ca: false } }] }),
    fragment: 'CN=imgverify test signer Intermediate CA 1" is not a CA allowed to sign certificates',
  },
  {
    rule: 'root basicConstraints critical',
    build: () => chain({ root: { basicConstraints: { ca: true, critical: false } } }),
    fragment: 'certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer Root CA": a CA certificate must have a critical basicConstraints extension',
  },
  {
    rule: 'pathLenConstraint of the root',
    build: () => chain({ root: { basicConstraints: { ca: true, pathLength: 0 } }, intermediatesCount: 1 }),
    fragment: 'CN=imgverify test signer Root CA": its path length constraint is 0 but 1 CA certificate(s) follow it in the chain',
  },
  {
    rule: 'pathLenConstraint of an intermediate',
    build: () => chain({ intermediates: [{ basicConstraints: { ca: true, pathLength: 0 } }, {}] }),
    fragment: 'CN=imgverify test signer Intermediate CA 1": its path length constraint is 0 but 1 CA certificate(s) follow it',
  },
  {
    rule: 'CA keyUsage present',
    build: () => chain({ intermediates: [{ keyUsage: null }] }),
    fragment: 'CN=imgverify test signer Intermediate CA 1": the key usage extension must be present',
  },
  {
    rule: 'CA keyUsage critical (code signing)',
    build: () => chain({ intermediates: [{ keyUsage: nonCritical({ usages: ['keyCertSign', 'cRLSign'] }) }] }),
    fragment: 'CN=imgverify test signer Intermediate CA 1": the key usage extension must be marked critical',
  },
  {
    rule: 'CA keyUsage keyCertSign',
    build: () => chain({ intermediates: [{ keyUsage: { usages: ['cRLSign', 'digitalSignature'] } }] }),
    fragment: 'CN=imgverify test signer Intermediate CA 1" is not a CA allowed to sign certificates',
  },
  // Leaf certificates
  {
    rule: 'leaf is not a CA',
    build: () => chain({ leaf: { basicConstraints: { ca: true } } }),
    fragment: 'signing certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer" is a CA certificate (basicConstraints cA=true); the leaf must not be a CA',
  },
  { rule: 'leaf keyUsage present', build: () => chain({ leaf: { keyUsage: null } }), fragment: 'CN=imgverify test signer": the key usage extension must be present' },
  {
    rule: 'leaf keyUsage critical',
    build: () => chain({ leaf: { keyUsage: nonCritical({ usages: ['digitalSignature'] }) } }),
    fragment: 'CN=imgverify test signer": the key usage extension must be marked critical',
  },
  {
    rule: 'leaf keyUsage digitalSignature',
    build: () => chain({ leaf: { keyUsage: { usages: ['nonRepudiation'] } } }),
    fragment: 'signing certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer": key usage must include digitalSignature',
  },
  ...(['keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign'] as const).map((usage) => ({
    rule: `leaf keyUsage without ${usage}`,
    build: () => chain({ leaf: { keyUsage: { usages: ['digitalSignature', usage] } } }),
    fragment: `key usage must be digitalSignature only, but it also has ${usage}`,
  })),
  ...(['anyExtendedKeyUsage', 'serverAuth', 'clientAuth', 'emailProtection', 'timeStamping', 'ocspSigning'] as const).map((eku) => ({
    rule: `leaf extendedKeyUsage without ${eku}`,
    build: () => chain({ leaf: { extendedKeyUsage: { usages: [EKU.codeSigning, EKU[eku]] } } }),
    fragment: `extended key usage must not contain ${eku}`,
  })),
  { rule: 'leaf RSA key of 2048 bits or more', build: () => chain({ leaf: { keyType: 'rsa-1024' } }), fragment: 'RSA key size 1024 bits is not supported (use 2048, 3072 or 4096)' },
  { rule: 'leaf key RSA or ECDSA', build: () => chain({ leaf: { keyType: 'ed25519' } }), fragment: 'public key type ed25519 is not supported (use RSA or ECDSA)' },
  // Other requirements
  {
    rule: 'no SHA-1 signature on a leaf',
    build: () => chain({ leaf: { signatureHash: 'SHA-1' } }),
    fragment: 'certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer" is signed with ecdsa-with-SHA1',
  },
  {
    rule: 'no SHA-1 signature on a root (RSA)',
    build: () => chain({ keyType: 'rsa-2048', root: { signatureHash: 'SHA-1' } }),
    fragment: 'CN=imgverify test signer Root CA" is signed with sha1WithRSAEncryption, which the Notary certificate requirements do not allow',
  },
];

describe('validateCodeSigningChain: one generated chain per rule', () => {
  beforeAll(async () => {
    // RSA keys are slow to make; make the few the table needs once.
    await Promise.all([cachedKeyPair('rsa-2048', 'leaf'), cachedKeyPair('rsa-2048', 'root'), cachedKeyPair('rsa-1024', 'leaf')]);
  });
  it.each(CODE_SIGNING_CASES)('$rule', async ({ build, fragment }) => {
    const certificateChain = await build();
    if (fragment === undefined) {
      expect(() => validateCodeSigningChain(certificateChain)).not.toThrow();
      return;
    }
    const error = thrownBy(NotaryError, () => validateCodeSigningChain(certificateChain));
    expect(error.code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect(error.message).toContain(fragment);
  });
});

describe('validity periods', () => {
  const DAY = 24 * 60 * 60 * 1000;
  const start = new Date('2030-01-01T00:00:00Z');
  const at = (days: number): Date => new Date(start.getTime() + days * DAY);
  /** Root valid days 0–3650, intermediate 0–400 (shorter than the leaf: nesting is not required), leaf 10–500. */
  const dated = (): Promise<X509Certificate[]> =>
    chain({
      root: { notBefore: start, notAfter: at(3650) },
      intermediates: [{ notBefore: start, notAfter: at(400) }],
      leaf: { notBefore: at(10), notAfter: at(500) },
    });

  it.each([
    { case: 'inside every period (periods need not nest)', time: at(100), fragment: undefined },
    { case: 'on the first valid second of the leaf', time: at(10), fragment: undefined },
    { case: 'before the leaf is valid', time: at(5), fragment: 'certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=imgverify test signer" was not yet valid at 2030-01-06T00:00:00.000Z' },
    { case: 'after the intermediate expired', time: at(450), fragment: 'CN=imgverify test signer Intermediate CA 1" had expired at 2031-03-27T00:00:00.000Z: it is valid from 2030-01-01T00:00:00.000Z to 2031-02-05T00:00:00.000Z' },
  ])('atTime $case', async ({ time, fragment }) => {
    const certificateChain = await dated();
    if (fragment === undefined) {
      expect(() => validateCodeSigningChain(certificateChain, { atTime: time })).not.toThrow();
      return;
    }
    const error = thrownBy(PkiError, () => validateCodeSigningChain(certificateChain, { atTime: time }));
    expect(error.code).toBe('CERTIFICATE_EXPIRED');
    expect(error.message).toContain(fragment);
  });

  it.each([
    { case: 'a range inside every period', earliest: at(50), latest: at(60), fragment: undefined },
    { case: 'a range reaching past the intermediate', earliest: at(390), latest: at(410), fragment: 'had expired between' },
    { case: 'a range starting before the leaf', earliest: at(9), latest: at(11), fragment: 'was not yet valid between' },
  ])('validateChainValidity with $case', async ({ earliest, latest, fragment }) => {
    const certificateChain = await dated();
    if (fragment === undefined) {
      expect(() => validateChainValidity(certificateChain, { earliest, latest })).not.toThrow();
      return;
    }
    expect(thrownBy(PkiError, () => validateChainValidity(certificateChain, { earliest, latest }))).toMatchObject({
      code: 'CERTIFICATE_EXPIRED',
      message: expect.stringContaining(fragment),
    });
  });

  it('structure is checked before validity', async () => {
    const certificateChain = (await dated()).slice(0, 2);
    expect(thrownBy(NotaryError, () => validateCodeSigningChain(certificateChain, { atTime: at(1000) })).code).toBe('INVALID_CERTIFICATE_CHAIN');
  });
});

/** A TSA chain: root → TSA leaf with the timeStamping EKU (critical). */
function tsaChain(leaf: Partial<CertificateOptions> = {}): Promise<X509Certificate[]> {
  return chain({ commonName: 'TSA', leaf: { purpose: 'timeStamping', ...leaf } });
}

const TIMESTAMPING_CASES: ChainCase[] = [
  { rule: 'root → TSA leaf', build: () => tsaChain() },
  { rule: 'keyUsage need not be critical (SHOULD)', build: () => tsaChain({ keyUsage: nonCritical({ usages: ['digitalSignature'] }) }) },
  {
    rule: 'CA keyUsage need not be critical either',
    build: () => chain({ commonName: 'TSA', root: { keyUsage: nonCritical({ usages: ['keyCertSign'] }) }, leaf: { purpose: 'timeStamping' } }),
  },
  {
    rule: 'a lone self-signed TSA certificate',
    build: async () =>
      certificates(
        await issueCertificate({ commonName: 'self TSA', keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'self'), purpose: 'timeStamping', basicConstraints: null }),
      ),
  },
  { rule: 'extendedKeyUsage present', build: () => tsaChain({ extendedKeyUsage: null }), fragment: 'timestamp signing certificate "C=US, ST=WA, L=Seattle, O=Notary, CN=TSA": extended key usage must contain timeStamping and nothing else' },
  {
    rule: 'extendedKeyUsage timeStamping only',
    build: () => tsaChain({ extendedKeyUsage: { usages: [EKU.timeStamping, EKU.codeSigning], critical: true } }),
    fragment: 'extended key usage must contain timeStamping and nothing else (RFC 3161 2.3)',
  },
  {
    rule: 'extendedKeyUsage critical',
    build: () => tsaChain({ extendedKeyUsage: { usages: [EKU.timeStamping], critical: false } }),
    fragment: 'the extended key usage extension must be marked critical (RFC 3161 2.3)',
  },
  { rule: 'keyUsage present', build: () => tsaChain({ keyUsage: null }), fragment: 'CN=TSA": the key usage extension must be present' },
  { rule: 'keyUsage digitalSignature', build: () => tsaChain({ keyUsage: { usages: ['nonRepudiation'] } }), fragment: 'key usage must include digitalSignature' },
  { rule: 'leaf key size', build: () => tsaChain({ keyType: 'rsa-1024' }), fragment: 'RSA key size 1024 bits is not supported' },
  { rule: 'CA rules apply', build: () => chain({ commonName: 'TSA', root: { basicConstraints: { ca: true, critical: false } }, leaf: { purpose: 'timeStamping' } }), fragment: 'a CA certificate must have a critical basicConstraints extension' },
];

describe('validateTimestampingChain: one generated chain per rule', () => {
  it.each(TIMESTAMPING_CASES)('$rule', async ({ build, fragment }) => {
    const certificateChain = await build();
    if (fragment === undefined) {
      expect(() => validateTimestampingChain(certificateChain)).not.toThrow();
      return;
    }
    const error = thrownBy(NotaryError, () => validateTimestampingChain(certificateChain));
    expect(error.code).toBe('INVALID_CERTIFICATE_CHAIN');
    expect(error.message).toContain(fragment);
  });
});
