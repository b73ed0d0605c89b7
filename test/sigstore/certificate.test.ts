// Keyless certificates from the Fulcio double, judged by verifyKeylessCertificate: each rule that fails has its own code and says which rule.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readPem } from '../../src/pki/index.js';
import {
  loadTrustedRoot,
  trustFromJson,
  verifyKeylessCertificate,
  verifyRfc3161Timestamp,
  type IdentityPolicy,
  type KeylessCertificateOptions,
  type SigstoreTrust,
} from '../../src/sigstore/index.js';
import { signKeyless, startSigstoreDoubles, type FulcioBehaviour, type IdentityClaims, type KeylessSignature, type SigstoreDoubles } from '../support/sigstore-doubles.js';

let doubles: SigstoreDoubles;
let trust: SigstoreTrust;
const signed = new Map<string, KeylessSignature>();

const EMAIL: IdentityClaims = { email: 'signer@example.com' };
const WORKFLOW: IdentityClaims = {
  workflowRef: 'org/app/.github/workflows/release.yml@refs/heads/main',
  sub: 'repo:org/app:ref:refs/heads/main',
  github: { event_name: 'push', sha: 'a'.repeat(40), workflow: 'release', repository: 'org/app', ref: 'refs/heads/main' },
};
const USERNAME: IdentityClaims = { username: 'alice' };

async function sign(name: string, identity: IdentityClaims, behaviour: Partial<FulcioBehaviour> = {}, tsa = false): Promise<void> {
  Object.assign(doubles.fulcio, { extendedKeyUsage: 'codeSigning', sct: 'trusted' }, behaviour);
  signed.set(name, await signKeyless(doubles, { artifact: Buffer.from(name), identity, tlog: false, tsa }));
}

beforeAll(async () => {
  doubles = await startSigstoreDoubles();
  trust = trustFromJson(JSON.stringify(doubles.trustedRoot), 'the doubles root');
  await sign('email', EMAIL, {}, true);
  await sign('workflow', WORKFLOW);
  await sign('username', USERNAME);
  await sign('no-sct', EMAIL, { sct: 'none' });
  await sign('untrusted-sct', EMAIL, { sct: 'untrusted' });
  await sign('server-auth', EMAIL, { extendedKeyUsage: 'serverAuth' });
  await sign('no-eku', EMAIL, { extendedKeyUsage: 'none' });
}, 30_000);

afterAll(() => doubles.stop());

const options = (name: string, identity: IdentityPolicy, extra: Partial<KeylessCertificateOptions> = {}): KeylessCertificateOptions => {
  const signature = signed.get(name);
  if (!signature) throw new Error(`no signature ${name}`);
  return { certificate: signature.certificate, signedAt: new Date(), trust, identity, ...extra };
};

interface Case {
  name: string;
  signature: string;
  identity: (issuer: string) => IdentityPolicy;
  extra?: () => Partial<KeylessCertificateOptions>;
  /** The code, or undefined when the certificate must verify. */
  code?: string;
  message?: RegExp;
}

const cases: Case[] = [
  { name: 'email SAN, exact subject and issuer', signature: 'email', identity: (issuer) => ({ subject: 'signer@example.com', issuer }) },
  { name: 'Kyverno wildcard subject and issuer', signature: 'email', identity: () => ({ subject: '*@example.com', issuer: 'http://127.0.0.1:*/oidc' }) },
  { name: 'regexps, unanchored as cosign', signature: 'email', identity: () => ({ subjectRegExp: 'signer@example\\.com', issuerRegExp: '^http://127\\.0\\.0\\.1:[0-9]+/oidc$' }) },
  { name: 'wrong subject', signature: 'email', identity: (issuer) => ({ subject: 'mallory@example.com', issuer }), code: 'UNTRUSTED_IDENTITY', message: /subject "mallory@example.com" matches none of the certificate's SANs \("signer@example.com"\)/ },
  { name: 'wrong issuer', signature: 'email', identity: () => ({ subject: 'signer@example.com', issuer: 'https://accounts.google.com' }), code: 'UNTRUSTED_IDENTITY', message: /issuer "https:\/\/accounts.google.com" does not match/ },
  // GHSA-style regression: a policy with only regexps must not pass every identity.
  { name: 'subjectRegExp honoured', signature: 'email', identity: () => ({ subjectRegExp: '^mallory@' }), code: 'UNTRUSTED_IDENTITY', message: /subjectRegExp "\^mallory@" matches none/ },
  { name: 'issuerRegExp honoured beside a matching subject', signature: 'email', identity: () => ({ subject: 'signer@example.com', issuerRegExp: '^https://token\\.actions\\.githubusercontent\\.com$' }), code: 'UNTRUSTED_IDENTITY', message: /issuerRegExp/ },
  { name: 'both exact and regexp given: both must hold', signature: 'email', identity: (issuer) => ({ subject: 'signer@example.com', subjectRegExp: '^other', issuer }), code: 'UNTRUSTED_IDENTITY' },
  { name: 'invalid regexp is a policy error', signature: 'email', identity: () => ({ subjectRegExp: '(' }), code: 'SIGSTORE_POLICY_INVALID', message: /not a valid RE2/ },
  { name: 'backtracking-only syntax is refused by RE2', signature: 'email', identity: () => ({ subjectRegExp: '(a+)+\\1' }), code: 'SIGSTORE_POLICY_INVALID' },
  {
    name: 'GitHub URI SAN with Fulcio extensions by v1 name, v2 name and OID',
    signature: 'workflow',
    identity: (issuer) => ({
      subject: 'https://github.com/org/app/.github/workflows/release.yml@refs/heads/main',
      issuer,
      additionalExtensions: { githubWorkflowTrigger: 'push', githubWorkflowRepository: 'org/app', sourceRepositoryURI: 'https://github.com/org/*', '1.3.6.1.4.1.57264.1.6': 'refs/heads/main' },
    }),
  },
  { name: 'extension mismatch', signature: 'workflow', identity: () => ({ additionalExtensions: { githubWorkflowTrigger: 'pull_request' } }), code: 'UNTRUSTED_IDENTITY', message: /extension githubWorkflowTrigger \(1.3.6.1.4.1.57264.1.2\) must match "pull_request", the certificate has "push"/ },
  { name: 'extension absent', signature: 'email', identity: () => ({ additionalExtensions: { githubWorkflowSha: '*' } }), code: 'UNTRUSTED_IDENTITY', message: /the certificate has none/ },
  { name: 'unknown extension name', signature: 'email', identity: () => ({ additionalExtensions: { workflowColour: 'x' } }), code: 'SIGSTORE_POLICY_INVALID' },
  { name: 'otherName SAN (username)', signature: 'username', identity: (issuer) => ({ subject: 'alice', issuer }) },
  { name: 'SCT missing', signature: 'no-sct', identity: () => ({}), code: 'SCT_MISSING' },
  { name: 'SCT missing but ignored', signature: 'no-sct', identity: () => ({}), extra: () => ({ ignoreSCT: true }) },
  { name: 'SCT from an untrusted CT log', signature: 'untrusted-sct', identity: () => ({}), code: 'SCT_INVALID' },
  { name: 'SCT with the given CT log key', signature: 'email', identity: () => ({}), extra: () => ({ ctlogPublicKeys: [doubles.ctlogPublicKeyPem] }) },
  { name: 'SCT with another given CT log key', signature: 'email', identity: () => ({}), extra: () => ({ ctlogPublicKeys: [doubles.rekorPublicKeyPem] }), code: 'SCT_INVALID' },
  { name: 'server-auth EKU', signature: 'server-auth', identity: () => ({}), code: 'CERTIFICATE_USAGE_INVALID', message: /does not allow code signing/ },
  { name: 'no EKU at all (Go semantics: any)', signature: 'no-eku', identity: () => ({}) },
  { name: 'judged after the 10 minutes', signature: 'email', identity: () => ({}), extra: () => ({ signedAt: new Date(Date.now() + 3_600_000) }), code: 'CERTIFICATE_EXPIRED', message: /not at the signing time/ },
  { name: 'roots and the chain annotation instead of the root', signature: 'email', identity: () => ({}), extra: () => ({ trust: undefined, roots: doubles.fulcioRootPem, chain: intermediates(), ignoreSCT: true }) },
  { name: 'roots without the intermediate', signature: 'email', identity: () => ({}), extra: () => ({ trust: undefined, roots: doubles.fulcioRootPem, ignoreSCT: true }), code: 'INVALID_CERTIFICATE_CHAIN' },
];

function intermediates(): Uint8Array[] {
  return readPem(doubles.chainPem).blocks.map((block) => block.der ?? new Uint8Array()).slice(0, 1);
}

describe('verifyKeylessCertificate', () => {
  test.each(cases)('$name', ({ signature, identity, extra, code, message }) => {
    const run = () => verifyKeylessCertificate(options(signature, identity(doubles.urls.oidc), extra?.()));
    if (code === undefined) {
      expect(run().path).toHaveLength(3);
      return;
    }
    expect(run).toThrow(expect.objectContaining({ code, ...(message ? { message: expect.stringMatching(message) as unknown } : {}) }));
  });

  test('the identity facts: every SAN, the issuer, Fulcio extensions by name, the SCT log', () => {
    const facts = verifyKeylessCertificate(options('workflow', {}));
    expect(facts.subjectAlternativeNames).toEqual([{ kind: 'uri', value: 'https://github.com/org/app/.github/workflows/release.yml@refs/heads/main' }]);
    expect(facts.issuer).toBe(doubles.urls.oidc);
    expect(facts.extensions).toMatchObject({ githubWorkflowTrigger: 'push', githubWorkflowSha: 'a'.repeat(40), buildTrigger: 'push', sourceRepositoryURI: 'https://github.com/org/app' });
    expect(facts.sctLogIds).toEqual([...trust.ctlogs.keys()]);
  });

  test('a certificate of the doubles does not chain to the public-good root', async () => {
    const publicGood = await loadTrustedRoot({ kind: 'embedded' });
    expect(() => verifyKeylessCertificate(options('email', {}, { trust: publicGood }))).toThrow(expect.objectContaining({ code: 'INVALID_CERTIFICATE_CHAIN' }));
  });
});

describe('verifyRfc3161Timestamp', () => {
  const token = () => {
    const text = signed.get('email')?.legacy.rfc3161Timestamp ?? '';
    return Buffer.from((JSON.parse(text) as { SignedRFC3161Timestamp: string }).SignedRFC3161Timestamp, 'base64');
  };
  const signature = () => Buffer.from(signed.get('email')?.legacy.signature ?? '', 'base64');

  test('the TSA double token over the signature gives its time', () => {
    const at = verifyRfc3161Timestamp(token(), signature(), trust);
    expect(Math.abs(at.getTime() - Date.now())).toBeLessThan(60_000);
  });
  test('over another signature → INVALID_TIMESTAMP', () => {
    expect(() => verifyRfc3161Timestamp(token(), Buffer.from('other'), trust)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
  });
  test('a TSA the root does not list → UNTRUSTED_TIMESTAMP', async () => {
    const publicGood = await loadTrustedRoot({ kind: 'embedded' });
    expect(() => verifyRfc3161Timestamp(token(), signature(), publicGood)).toThrow(expect.objectContaining({ code: 'UNTRUSTED_TIMESTAMP' }));
  });
  test('not DER → INVALID_TIMESTAMP', () => {
    expect(() => verifyRfc3161Timestamp(Buffer.from('nope'), signature(), trust)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
  });
});
