// Trusted identities: RFC 4514 DN parsing with the spec's escaping, and matching the signing certificate's subject (subset, order-independent).
import type { X509Certificate } from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import { UNTRUSTED_IDENTITY_MESSAGE, matchTrustedIdentities, parseDistinguishedName, parseTrustedIdentity } from '../../../src/notary/x509/index.js';
import { certificateSubject } from '../../../src/pki/index.js';
import { cachedKeyPair, issueCertificate } from '../../support/pki.js';
import { envelopeChain } from './upstream.js';
import { thrownBy } from '../../support/errors.js';

/** A self-signed leaf with `subject` (RFC 4514, in DER order). */
async function leafWith(subject: string): Promise<X509Certificate> {
  const generated = await issueCertificate({ commonName: 'x', subject, keyType: 'ec-256', keys: await cachedKeyPair('ec-256', 'identity'), basicConstraints: null });
  return generated.certificate;
}

describe('parseDistinguishedName', () => {
  it.each([
    { text: 'C=US, ST=WA, O=wabbit-networks.io', name: [['C', 'US'], ['ST', 'WA'], ['O', 'wabbit-networks.io']] },
    { text: 'CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US', name: [['CN', 'wabbit-networks.io'], ['O', 'Notary'], ['L', 'Seattle'], ['ST', 'WA'], ['C', 'US']] },
    { text: 'C=US, S=WA, O=x', name: [['C', 'US'], ['ST', 'WA'], ['O', 'x']] },
    { text: 'c=US; st=WA; o=x', name: [['C', 'US'], ['ST', 'WA'], ['O', 'x']] },
    { text: 'C=US, ST=WA, O=Wabbit\\, Inc.', name: [['C', 'US'], ['ST', 'WA'], ['O', 'Wabbit, Inc.']] },
    { text: 'C=US, ST=WA, O=a\\;b\\\\c\\+d\\"e', name: [['C', 'US'], ['ST', 'WA'], ['O', 'a;b\\c+d"e']] },
    { text: 'C=US, ST=WA, O=\\ padded\\ ', name: [['C', 'US'], ['ST', 'WA'], ['O', ' padded ']] },
    { text: 'C=US, ST=WA, O=  trimmed  ', name: [['C', 'US'], ['ST', 'WA'], ['O', 'trimmed']] },
    { text: 'C=US, ST=WA, O=Wabbit\\2C Inc.', name: [['C', 'US'], ['ST', 'WA'], ['O', 'Wabbit, Inc.']] },
    { text: 'C=US, ST=WA, O=\\C3\\9Cnic\\C3\\B6de, CN=Ünicöde', name: [['C', 'US'], ['ST', 'WA'], ['O', 'Ünicöde'], ['CN', 'Ünicöde']] },
    { text: 'C=US, ST=WA, O=a=b#c', name: [['C', 'US'], ['ST', 'WA'], ['O', 'a=b#c']] },
    { text: '2.5.4.6=US, 2.5.4.8=WA, 2.5.4.10=x, 1.2.3.4=y', name: [['C', 'US'], ['ST', 'WA'], ['O', 'x'], ['1.2.3.4', 'y']] },
    { text: 'C=US, ST=WA, O=x, E=a@b.c', name: [['C', 'US'], ['ST', 'WA'], ['O', 'x'], ['EMAILADDRESS', 'a@b.c']] },
  ])('$text', ({ text, name }) => {
    expect([...parseDistinguishedName(text)]).toEqual(name);
  });

  it.each([
    { text: '', fragment: 'it is empty' },
    { text: 'C=US, ST=WA, O=x,', fragment: '"" is not of the form TYPE=value' },
    { text: 'C=US, ST=WA, O=\\ZZ', fragment: '"\\Z" is not a valid escape' },
    { text: 'C=US, ST=WA, O=x\\', fragment: '"\\" is not a valid escape' },
    { text: 'C=US, ST=WA, O=a<b', fragment: "has an unescaped '<'" },
    { text: 'C=US, ST=WA, O=\\FF', fragment: 'the value of O is not valid UTF-8' },
  ])('refuses "$text"', ({ text, fragment }) => {
    const error = thrownBy(NotaryError, () => parseDistinguishedName(text));
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain(fragment);
  });
});

describe('parseTrustedIdentity', () => {
  it.each([
    { identity: '*', kind: 'wildcard' },
    { identity: 'x509.subject: C=US, ST=WA, O=x', kind: 'x509.subject' },
    { identity: 'x509.subject:C=US,ST=WA,O=x', kind: 'x509.subject' },
    { identity: 'arn:aws:signer:us-west-2:123456789012:/signing-profiles/wabbit', kind: 'other' },
  ])('$identity is $kind', ({ identity, kind }) => {
    expect(parseTrustedIdentity(identity).kind).toBe(kind);
  });

  it('names an identity with an invalid DN as written (notation quotes the identity first), not its value after the prefix', () => {
    const error = thrownBy(NotaryError, () => parseTrustedIdentity('x509.subject: C=US, O=Other'));
    expect([error.code, error.message]).toEqual([
      'INVALID_TRUST_POLICY',
      'trusted identity "x509.subject: C=US, O=Other" has an invalid distinguished name: it has no ST attribute; it must contain C, ST (or S) and O at a minimum',
    ]);
  });
});

describe('matchTrustedIdentities', () => {
  const SUBJECT = 'C=US, ST=WA, L=Seattle, O=Notary, OU=Security Tools, CN=wabbit-networks.io';
  const CASES: { case: string; subject?: string; identities: string[]; matched?: string; fragment?: string }[] = [
    { case: 'the wildcard trusts any leaf', identities: ['*'], matched: '*' },
    { case: 'the full subject', identities: [`x509.subject: ${SUBJECT}`], matched: `x509.subject: ${SUBJECT}` },
    {
      case: 'the full subject in another order (Go String() order)',
      identities: ['x509.subject: CN=wabbit-networks.io,OU=Security Tools,O=Notary,L=Seattle,ST=WA,C=US'],
      matched: 'x509.subject: CN=wabbit-networks.io,OU=Security Tools,O=Notary,L=Seattle,ST=WA,C=US',
    },
    { case: 'a subset of the subject (C, ST, O)', identities: ['x509.subject: C=US, ST=WA, O=Notary'], matched: 'x509.subject: C=US, ST=WA, O=Notary' },
    { case: 'S for ST and lower-case types', identities: ['x509.subject: c=US, s=WA, o=Notary'], matched: 'x509.subject: c=US, s=WA, o=Notary' },
    {
      case: 'the second of several identities',
      identities: ['x509.subject: C=US, ST=WA, O=Other', 'arn:aws:signer:us-west-2:1:/signing-profiles/p', 'x509.subject: C=US, ST=WA, O=Notary, OU=Security Tools'],
      matched: 'x509.subject: C=US, ST=WA, O=Notary, OU=Security Tools',
    },
    {
      case: 'escaped comma in a value',
      subject: 'C=US, ST=WA, O=Wabbit\\, Inc., CN=signer',
      identities: ['x509.subject: C=US, ST=WA, O=Wabbit\\, Inc.'],
      matched: 'x509.subject: C=US, ST=WA, O=Wabbit\\, Inc.',
    },
    {
      case: 'hex-escaped UTF-8 value',
      subject: 'C=DE, ST=Bayern, O=Bäckerei',
      identities: ['x509.subject: C=DE, ST=Bayern, O=B\\C3\\A4ckerei'],
      matched: 'x509.subject: C=DE, ST=Bayern, O=B\\C3\\A4ckerei',
    },
    {
      case: 'an attribute beyond Go names (emailAddress)',
      subject: 'C=US, ST=WA, O=Notary, E=signer@example.com',
      identities: ['x509.subject: C=US, ST=WA, O=Notary, E=signer@example.com'],
      matched: 'x509.subject: C=US, ST=WA, O=Notary, E=signer@example.com',
    },
    // Failures
    {
      case: 'values compare case-sensitively',
      identities: ['x509.subject: C=US, ST=WA, O=notary'],
      fragment: `${UNTRUSTED_IDENTITY_MESSAGE}: signing certificate subject "${SUBJECT}" matches none of "x509.subject: C=US, ST=WA, O=notary"; add its subject to trustedIdentities if it is trusted`,
    },
    { case: 'an attribute the leaf lacks', identities: ['x509.subject: C=US, ST=WA, O=Notary, DC=example'], fragment: 'matches none of' },
    { case: 'a different value', identities: ['x509.subject: C=US, ST=WA, O=Notary, CN=other'], fragment: 'matches none of' },
    {
      case: 'only plugin identities (no x509.subject)',
      identities: ['arn:aws:signer:us-west-2:123456789012:/signing-profiles/wabbit'],
      fragment: `${UNTRUSTED_IDENTITY_MESSAGE}: the trust policy statement has no "*" or "x509.subject" trusted identities`,
    },
    {
      case: 'a leaf with an attribute twice',
      subject: 'C=US, ST=WA, O=Notary, OU=a, OU=b',
      identities: ['x509.subject: C=US, ST=WA, O=Notary'],
      fragment: 'its subject has attribute OU more than once, which trusted identities cannot match',
    },
    {
      case: 'a leaf with a multi-valued RDN',
      subject: 'C=US, ST=WA, O=Notary+OU=a',
      identities: ['x509.subject: C=US, ST=WA, O=Notary'],
      fragment: 'its subject has a multi-valued RDN, which trusted identities cannot match',
    },
  ];
  it.each(CASES)('$case', async ({ subject, identities, matched, fragment }) => {
    const leaf = await leafWith(subject ?? SUBJECT);
    if (matched !== undefined) {
      expect(matchTrustedIdentities(leaf, identities)).toBe(matched);
      return;
    }
    const error = thrownBy(NotaryError, () => matchTrustedIdentities(leaf, identities));
    expect(error.code).toBe('UNTRUSTED_IDENTITY');
    expect(error.message).toContain(fragment);
  });

  it('reads the leaf subject from DER, not from a printed form', async () => {
    const leaf = await leafWith('C=US, ST=WA, O=a\\, O=b');
    expect(certificateSubject(leaf)).toEqual({ name: new Map([['C', 'US'], ['ST', 'WA'], ['O', 'a, O=b']]) });
  });

  describe('notation-go mock envelopes (INDEX.md identity CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US)', () => {
    const WABBIT = 'x509.subject: CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US';
    it('matches the wabbit-networks.io leaf of the plugin-version and metadata envelopes', () => {
      expect(matchTrustedIdentities(envelopeChain('ca_compatible_pluginver_sig_env_1.0.0.json')[0] as X509Certificate, [WABBIT])).toBe(WABBIT);
      expect(matchTrustedIdentities(envelopeChain('sig_env_with_metadata.json')[0] as X509Certificate, [WABBIT])).toBe(WABBIT);
    });
    it('does not match ca_valid_sig_env.json, whose leaf is "CN=Notation Test Root"', () => {
      const leaf = envelopeChain('ca_valid_sig_env.json')[0] as X509Certificate;
      expect(thrownBy(NotaryError, () => matchTrustedIdentities(leaf, [WABBIT])).code).toBe('UNTRUSTED_IDENTITY');
      expect(matchTrustedIdentities(leaf, ['x509.subject: C=US, ST=WA, O=Notary, CN=Notation Test Root'])).toBe('x509.subject: C=US, ST=WA, O=Notary, CN=Notation Test Root');
    });
  });
});
