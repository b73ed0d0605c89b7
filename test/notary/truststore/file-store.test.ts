// FileTrustStore against notation-go's trust store test data and layouts built from upstream certificates (symlinks, sub-directories, tsa rules).
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { FileTrustStore, type TrustStoreType } from '../../../src/notary/truststore/index.js';
import { NOTARY_FIXTURES } from '../../support/fixtures.js';

/** notation-go's verifier testdata holds `truststore/x509/...`, so it is a config dir. */
const NOTATION_GO_CONFIG = join(NOTARY_FIXTURES, 'notation-go/verifier-testdata');
const UPSTREAM_X509 = join(NOTATION_GO_CONFIG, 'truststore/x509');
const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const CORE_X509 = join(NOTARY_FIXTURES, 'notation-core-go/x509-testdata');

interface StoreCase {
  type: TrustStoreType;
  name: string;
  /** Subjects of the certificates read, in file-name order; or the error expected. */
  subjects?: string[];
  fragment?: string;
}

const GLOBALSIGN_R3 = 'OU=GlobalSign Root CA - R3, O=GlobalSign, CN=GlobalSign';
const NOTATION_TEST_ROOT = 'C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Root';

/** notation-go/verifier-testdata/truststore/x509 as it is (INDEX.md: valid ca/signingAuthority/tsa stores and invalid ones). */
const UPSTREAM_STORES: StoreCase[] = [
  {
    type: 'ca',
    name: 'valid-trust-store',
    subjects: [
      GLOBALSIGN_R3, // GlobalSign.der (DER)
      GLOBALSIGN_R3, // GlobalSignRootCA.crt (PEM)
      NOTATION_TEST_ROOT, // NotationTestRoot.pem
      'C=US, ST=WA, L=Seattle, O=Notary, CN=alpine', // TestTimestamp.crt: self-signed, not a CA
      'C=US, ST=WA, L=Seattle, O=Notary, CN=testTSA', // TestTimestampNotYetValid.crt: validity is not a store rule
      'C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io', // self-signed signing certificate
    ],
  },
  { type: 'ca', name: 'valid-trust-store-2', subjects: [GLOBALSIGN_R3, GLOBALSIGN_R3] },
  { type: 'ca', name: 'valid-trust-store-self-signed', subjects: ['C=US, ST=Washington, L=Seattle, O=Notation Test, OU=TestCert'] },
  { type: 'signingAuthority', name: 'valid-trust-store', subjects: [GLOBALSIGN_R3, GLOBALSIGN_R3, NOTATION_TEST_ROOT] },
  { type: 'signingAuthority', name: 'valid-trust-store-2', subjects: [GLOBALSIGN_R3, GLOBALSIGN_R3] },
  { type: 'tsa', name: 'test-timestamp', subjects: ['OU=GlobalSign Root CA - R6, O=GlobalSign, CN=GlobalSign'] },
  // A valid root; that it is not the root of the tokens it is used with is a verification-time failure.
  { type: 'tsa', name: 'test-mismatch', subjects: ['C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Trusted Root G4'] },
  {
    type: 'ca',
    name: 'trust-store-with-invalid-certs',
    fragment: 'trusted certificate file "invalid" in trust store "trust-store-with-invalid-certs" of type "ca" is neither PEM nor DER',
  },
  {
    type: 'ca',
    name: 'trust-store-with-leaf-certs',
    fragment:
      'trusted certificate file "non-ca.crt" in trust store "trust-store-with-leaf-certs" of type "ca": certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io" is not a CA certificate or self-signed signing certificate',
  },
  {
    type: 'ca',
    name: 'trust-store-with-leaf-certs-in-single-file',
    fragment: 'trusted certificate file "RootAndLeafCerts.crt" in trust store "trust-store-with-leaf-certs-in-single-file" of type "ca": certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io" is not a CA certificate or self-signed',
  },
  // Upstream this is a symlink to valid-trust-store; the copy holds the link target as a text file, which is no certificate either.
  { type: 'ca', name: 'valid-trust-store_SYMLINK', fragment: 'trusted certificate file "valid-trust-store_SYMLINK" in trust store "valid-trust-store_SYMLINK" of type "ca" is neither PEM nor DER' },
  {
    type: 'tsa',
    name: 'test-nonCA',
    fragment: 'certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io" is not a self-signed root CA certificate ("C=US, ST=WA, L=Seattle, O=Notary, CN=wabbit-networks.io" is not a CA allowed to sign certificates)',
  },
  {
    type: 'tsa',
    name: 'test-nonSelfIssued',
    fragment: 'certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=Notation Test Revokable RSA Chain Cert 2" is not a self-signed root CA certificate',
  },
  { type: 'ca', name: 'no-such-store', fragment: 'the trust store "no-such-store" of type "ca" does not exist: create the directory' },
  { type: 'tsa', name: 'valid-trust-store', fragment: 'the trust store "valid-trust-store" of type "tsa" does not exist' },
];

async function outcome(store: FileTrustStore, type: TrustStoreType, name: string): Promise<{ subjects: string[] } | { code: string; message: string }> {
  try {
    return { subjects: (await store.getCertificates(type, name)).map((certificate) => certificate.subject) };
  } catch (err) {
    if (err instanceof NotaryError) return { code: err.code, message: err.message };
    throw err;
  }
}

function expectOutcome(result: Awaited<ReturnType<typeof outcome>>, expected: Pick<StoreCase, 'subjects' | 'fragment'>): void {
  if (expected.subjects) {
    expect(result).toEqual({ subjects: expected.subjects });
  } else {
    expect(result).toMatchObject({ code: 'INVALID_TRUST_STORE' });
    expect((result as { message: string }).message).toContain(expected.fragment);
  }
}

describe('FileTrustStore on notation-go verifier-testdata/truststore', () => {
  const store = new FileTrustStore(NOTATION_GO_CONFIG);
  it('lays stores out as {configDir}/truststore/x509/{type}/{name}', () => {
    expect(store.root).toBe(UPSTREAM_X509);
    expect(store.storePath('signingAuthority', 'x')).toBe(join(UPSTREAM_X509, 'signingAuthority', 'x'));
  });
  it.each(UPSTREAM_STORES)('$type:$name', async ({ type, name, ...expected }) => {
    expectOutcome(await outcome(store, type, name), expected);
  });
});

/** Layouts built in a temp config dir from upstream files: the rules the copied fixtures cannot show (real symlinks, etc.). */
const BUILT_STORES: (StoreCase & { files: Record<string, string | { symlink: string } | { dir: true } | { text: string }> })[] = [
  {
    type: 'ca',
    name: 'with-cert-symlink',
    files: {
      'GlobalSignRootCA.crt': join(UPSTREAM_X509, 'trust-store-with-cert-symlinks/GlobalSignRootCA.crt'),
      'GlobalSignRootCA_SYMLINK.crt': { symlink: 'GlobalSignRootCA.crt' },
    },
    fragment: 'trusted certificate file "GlobalSignRootCA_SYMLINK.crt" in trust store "with-cert-symlink" of type "ca" is not a regular file (directories or symlinks are not supported)',
  },
  {
    type: 'ca',
    name: 'with-sub-directory',
    files: { 'GlobalSignRootCA.crt': join(UPSTREAM_X509, 'trust-store-with-directories/GlobalSignRootCA.crt'), 'sub-dir': { dir: true } },
    fragment: 'trusted certificate file "sub-dir" in trust store "with-sub-directory" of type "ca" is not a regular file',
  },
  { type: 'ca', name: 'empty', files: {}, fragment: 'no x509 certificates were found in the trust store "empty" of type "ca"' },
  { type: 'ca', name: 'empty-file', files: { 'Empty.txt': join(E2E, 'timestamp/Empty.txt') }, fragment: 'trusted certificate file "Empty.txt" in trust store "empty-file" of type "ca" holds no certificate' },
  { type: 'tsa', name: 'e2e-invalid', files: { 'invalid.crt': join(E2E, 'timestamp/invalid.crt') }, fragment: 'has a PEM "CERTIFICATE" block that is empty or not base64' },
  {
    type: 'tsa',
    name: 'e2e-not-self-issued',
    files: { 'notSelfIssued.crt': join(E2E, 'timestamp/notSelfIssued.crt') },
    fragment: `certificate with subject "C=US, ST=WA, L=Seattle, O=Notary, CN=test" is not a self-signed root CA certificate (its issuer name differs from the subject name`,
  },
  // The same certificate is a CA, which a ca store accepts (pinning a non-root is allowed, only not recommended).
  { type: 'ca', name: 'e2e-not-self-issued', files: { 'notSelfIssued.crt': join(E2E, 'timestamp/notSelfIssued.crt') }, subjects: ['C=US, ST=WA, L=Seattle, O=Notary, CN=test'] },
  {
    type: 'tsa',
    name: 'e2e-roots',
    files: { 'DigiCertTSARootSHA384.cer': join(E2E, 'timestamp/DigiCertTSARootSHA384.cer'), 'globalsignTSARoot.cer': join(E2E, 'timestamp/globalsignTSARoot.cer') },
    subjects: ['C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert Trusted Root G4', 'OU=GlobalSign Root CA - R6, O=GlobalSign, CN=GlobalSign'],
  },
  {
    type: 'tsa',
    name: 'intermediate',
    files: { 'timestamp_intermediate.crt': join(CORE_X509, 'timestamp_intermediate.crt') },
    fragment: 'CN=DigiCert Trusted G4 RSA4096 SHA256 TimeStamping CA" is not a self-signed root CA certificate (its signature does not verify',
  },
  { type: 'signingAuthority', name: 'multi', files: { 'multi-pem.crt': join(CORE_X509, 'multi-pem.crt'), 'multi-der.der': join(CORE_X509, 'multi-der.der') }, subjects: Array(4).fill(GLOBALSIGN_R3) },
  { type: 'ca', name: 'chain-file', files: { 'chain.pem': join(E2E, 'crl/certchain_with_crl.pem') }, fragment: 'CN=LeafCert" is not a CA certificate or self-signed signing certificate' },
  { type: 'ca', name: 'with-key', files: { 'e2e.crt': join(E2E, 'localkeys/e2e.crt'), 'e2e.key': join(E2E, 'localkeys/e2e.key') }, fragment: 'trusted certificate file "e2e.key" in trust store "with-key" of type "ca" holds a PEM "PRIVATE KEY" block' },
  { type: 'ca', name: 'e2e', files: { 'e2e.crt': join(E2E, 'localkeys/e2e.crt') }, subjects: ['C=US, ST=WA, L=Seattle, O=Notary, CN=e2e'] },
  { type: 'ca', name: 'text-file', files: { 'README.md': { text: 'put root certificates here\n' } }, fragment: 'trusted certificate file "README.md" in trust store "text-file" of type "ca" is neither PEM nor DER' },
];

describe('FileTrustStore on layouts built from upstream certificates', () => {
  const configDir = mkdtempSync(join(tmpdir(), 'imgverify-truststore-'));
  const store = new FileTrustStore(configDir);
  beforeAll(() => {
    for (const { type, name, files } of BUILT_STORES) {
      const dir = store.storePath(type, name);
      mkdirSync(dir, { recursive: true });
      for (const [file, content] of Object.entries(files)) {
        if (typeof content === 'string') copyFileSync(content, join(dir, file));
        else if ('symlink' in content) symlinkSync(content.symlink, join(dir, file));
        else if ('dir' in content) mkdirSync(join(dir, file));
        else writeFileSync(join(dir, file), content.text);
      }
    }
    // The named store directory itself as a symlink (upstream's valid-trust-store_SYMLINK).
    cpSync(join(UPSTREAM_X509, 'ca/valid-trust-store'), store.storePath('ca', 'valid-trust-store'), { recursive: true });
    symlinkSync('valid-trust-store', store.storePath('ca', 'valid-trust-store_SYMLINK'));
    writeFileSync(store.storePath('ca', 'not-a-directory'), 'a file where a store directory should be');
  });
  afterAll(() => rmSync(configDir, { recursive: true, force: true }));

  it.each(BUILT_STORES)('$type:$name', async ({ type, name, subjects, fragment }) => {
    expectOutcome(await outcome(store, type, name), { ...(subjects && { subjects }), ...(fragment !== undefined && { fragment }) });
  });

  it('refuses a named store that is a symlink to a valid store', async () => {
    expect(await outcome(store, 'ca', 'valid-trust-store')).toHaveProperty('subjects');
    expectOutcome(await outcome(store, 'ca', 'valid-trust-store_SYMLINK'), {
      fragment: `the trust store "valid-trust-store_SYMLINK" of type "ca" at ${store.storePath('ca', 'valid-trust-store_SYMLINK')} is not a regular directory (symlinks are not supported)`,
    });
  });

  it('refuses a named store that is a file', async () => {
    expectOutcome(await outcome(store, 'ca', 'not-a-directory'), { fragment: 'is not a regular directory' });
  });

  it.each([
    { type: 'root' as TrustStoreType, name: 'e2e', fragment: 'unsupported trust store type "root"; use ca, signingAuthority or tsa' },
    { type: 'ca' as TrustStoreType, name: '..', fragment: 'trust store name ".." is invalid' },
    { type: 'ca' as TrustStoreType, name: '../ca/e2e', fragment: 'trust store name "../ca/e2e" is invalid; it must match [a-zA-Z0-9_.-]+' },
    { type: 'ca' as TrustStoreType, name: '', fragment: 'trust store name "" is invalid' },
  ])('refuses store reference $type:$name', async ({ type, name, fragment }) => {
    expectOutcome(await outcome(store, type, name), { fragment });
  });

  it('bounds file size, file count and certificate count', async () => {
    const small = new FileTrustStore(configDir, { maxFileBytes: 500 });
    expectOutcome(await outcome(small, 'ca', 'e2e'), { fragment: 'trusted certificate file "e2e.crt" in trust store "e2e" of type "ca" is 1' });
    const few = new FileTrustStore(configDir, { maxFiles: 1 });
    expectOutcome(await outcome(few, 'tsa', 'e2e-roots'), { fragment: 'the trust store "e2e-roots" of type "tsa" has 2 files, more than the limit of 1' });
    const tight = new FileTrustStore(configDir, { maxCertificates: 3 });
    expectOutcome(await outcome(tight, 'signingAuthority', 'multi'), { fragment: 'holds more than 3 certificates' });
  });

  it('stops when the signal is aborted', async () => {
    await expect(store.getCertificates('ca', 'e2e', { signal: AbortSignal.abort() })).rejects.toThrow(/aborted/);
  });
});
