// Trust policy documents: upstream notation e2e policies, the spec's examples, and one invalid document per rule of the spec.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotaryError } from '../../../src/notary/errors.js';
import {
  parseTrustPolicyDocument,
  parseTrustPolicyJson,
  parseTrustPolicyStatements,
  type TrustPolicyDocument,
} from '../../../src/notary/trustpolicy/index.js';
import { LOCAL_FIXTURES, NOTARY_FIXTURES } from '../../support/fixtures.js';
import { thrownBy } from '../../support/errors.js';

const E2E_POLICIES = join(NOTARY_FIXTURES, 'notation-e2e/trustpolicies');
const SPEC_EXAMPLES = join(LOCAL_FIXTURES, 'trust/trustpolicies');

function parseFile(path: string): TrustPolicyDocument {
  return parseTrustPolicyJson(readFileSync(path, 'utf8'), path);
}

describe('notation e2e trust policies (notation-e2e/trustpolicies, INDEX.md)', () => {
  const valid: { file: string; level: string; scopes: string[] }[] = [
    { file: 'trustpolicy.json', level: 'strict', scopes: ['*'] },
    { file: 'any_registry_scope_trust_policy.json', level: 'strict', scopes: ['*'] },
    { file: 'permissive_trustpolicy.json', level: 'permissive', scopes: ['*'] },
    { file: 'audit_trustpolicy.json', level: 'audit', scopes: ['*'] },
    { file: 'skip_trustpolicy.json', level: 'skip', scopes: ['*'] },
    { file: 'registry_scope_trustpolicy.json', level: 'strict', scopes: ['localhost:5000/test-repo'] },
  ];
  it.each(valid)('$file is valid: level $level, scopes $scopes', ({ file, level, scopes }) => {
    const document = parseFile(join(E2E_POLICIES, file));
    expect(document.version).toBe('1.0');
    expect(document.trustPolicies).toHaveLength(1);
    const [statement] = document.trustPolicies;
    expect(statement?.name).toBe('e2e');
    expect(statement?.signatureVerification.level).toBe(level);
    expect(statement?.registryScopes).toEqual(scopes);
    if (level === 'skip') {
      expect(statement?.trustStores).toEqual([]);
      expect(document.warnings.map(({ field, message }) => [field, message])).toEqual([
        ['trustPolicies[0].signatureVerification.level', 'statement "e2e": level "skip" with the global scope "*" turns off verification for every repository without a statement of its own'],
      ]);
    } else {
      expect(statement?.trustStores).toEqual([{ type: 'ca', name: 'e2e' }]);
      expect(statement?.trustedIdentities).toEqual(['*']);
    }
  });

  const invalid: { file: string; fragment: string }[] = [
    { file: 'invalid_format_trustpolicy.json', fragment: 'document: is not valid JSON' },
    {
      file: 'multi_statements_with_the_same_name_trustpolicy.json',
      fragment: 'statement "e2e": name: is used by statements #1 and #2; statement names must be unique',
    },
    {
      file: 'wildcard_plus_other_registry_scope_trustpolicy.json',
      fragment: 'statement "e2e": registryScopes: the global scope "*" cannot be used together with other scopes',
    },
  ];
  it.each(invalid)('$file is invalid: $fragment', ({ file, fragment }) => {
    const error = thrownBy(NotaryError, () => parseFile(join(E2E_POLICIES, file)));
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain(fragment);
    expect(error.message).toContain(file);
  });
});

describe('the spec examples (trust-store-trust-policy.md, OCI 1-3)', () => {
  it('example 1: one audit statement with a full x509.subject identity', () => {
    const document = parseFile(join(SPEC_EXAMPLES, 'spec-example-1.json'));
    expect(document.trustPolicies[0]?.trustedIdentities).toEqual([
      'x509.subject: C=US, ST=WA, L=Seattle, O=acme-rockets.io, OU=Finance, CN=SecureBuilder',
    ]);
    expect(document.warnings).toEqual([]);
  });
  it('example 2: four statements incl. skip without stores and strict with overrides', () => {
    const document = parseFile(join(SPEC_EXAMPLES, 'spec-example-2.json'));
    expect(document.trustPolicies.map((s) => [s.name, s.signatureVerification.level])).toEqual([
      ['wabbit-networks-images', 'strict'],
      ['unsigned-image', 'skip'],
      ['use-expired-image', 'strict'],
      ['global-policy-for-all-other-images', 'audit'],
    ]);
    expect(document.trustPolicies[2]?.signatureVerification.override).toEqual({ expiry: 'log', revocation: 'skip' });
    expect(document.trustPolicies[3]?.trustStores).toEqual([
      { type: 'ca', name: 'acme-rockets' },
      { type: 'ca', name: 'acme-rockets-ca2' },
    ]);
    expect(document.warnings).toEqual([]);
  });
  it('example 3: verifyTimestamp afterCertExpiry and a tsa store', () => {
    const [statement] = parseFile(join(SPEC_EXAMPLES, 'spec-example-3.json')).trustPolicies;
    expect(statement?.signatureVerification.verifyTimestamp).toBe('afterCertExpiry');
    expect(statement?.trustStores).toEqual([
      { type: 'ca', name: 'acme-rockets' },
      { type: 'tsa', name: 'trusted-tsa' },
    ]);
  });
  it('verifyTimestamp defaults to always and override to {}', () => {
    const [statement] = parseFile(join(E2E_POLICIES, 'trustpolicy.json')).trustPolicies;
    expect(statement?.signatureVerification).toEqual({ level: 'strict', override: {}, verifyTimestamp: 'always' });
  });
});

type Json = Record<string, unknown>;

/** A valid statement; each invalid case changes one thing. */
function statement(changes: Json = {}): Json {
  return {
    name: 'wabbit',
    registryScopes: ['registry.example.com/software/net-monitor'],
    signatureVerification: { level: 'strict' },
    trustStores: ['ca:wabbit-networks'],
    trustedIdentities: ['x509.subject: C=US, ST=WA, O=wabbit-networks.io'],
    ...changes,
  };
}
function withStatements(...statements: unknown[]): Json {
  return { version: '1.0', trustPolicies: statements };
}
function withIdentities(...trustedIdentities: string[]): Json {
  return withStatements(statement({ trustedIdentities }));
}
function withScopes(...registryScopes: unknown[]): Json {
  return withStatements(statement({ registryScopes }));
}

/** One document per rule of the spec (and of notation's validation), with the rule it breaks. */
const INVALID_DOCUMENTS: { rule: string; document: unknown; fragment: string }[] = [
  // Document
  { rule: 'document is an object', document: [], fragment: 'document: must be a JSON object with "version" and "trustPolicies"' },
  { rule: 'version is required', document: { trustPolicies: [statement()] }, fragment: 'version: is missing; set "version": "1.0"' },
  { rule: 'version is a string', document: { version: 1.0, trustPolicies: [statement()] }, fragment: 'version: must be a string such as "1.0", not number 1' },
  { rule: 'version MUST be 1.0', document: { version: '2.0', trustPolicies: [statement()] }, fragment: 'version: "2.0" is not supported; use "1.0"' },
  { rule: 'trustPolicies is required', document: { version: '1.0' }, fragment: 'trustPolicies: is missing' },
  { rule: 'trustPolicies is an array', document: { version: '1.0', trustPolicies: {} }, fragment: 'trustPolicies: must be an array of statements, not an object' },
  { rule: 'trustPolicies is not empty', document: withStatements(), fragment: 'trustPolicies: is empty' },
  { rule: 'a statement is an object', document: withStatements('wabbit'), fragment: 'statement #1: must be an object, not "wabbit"' },
  // name
  { rule: 'name is required', document: withStatements(statement({ name: undefined })), fragment: 'statement #1: name: is missing; every statement needs a unique name' },
  { rule: 'name is not empty', document: withStatements(statement({ name: '' })), fragment: 'statement #1: name: is missing' },
  { rule: 'name is a string', document: withStatements(statement({ name: 7 })), fragment: 'statement #1: name: must be a string, not number 7' },
  {
    rule: 'names are unique',
    document: withStatements(statement(), statement({ registryScopes: ['registry.example.com/other'] })),
    fragment: 'statement "wabbit": name: is used by statements #1 and #2; statement names must be unique',
  },
  // signatureVerification
  {
    rule: 'signatureVerification is required',
    document: withStatements(statement({ signatureVerification: undefined })),
    fragment: 'statement "wabbit": signatureVerification: is missing',
  },
  {
    rule: 'signatureVerification is an object',
    document: withStatements(statement({ signatureVerification: 'strict' })),
    fragment: 'statement "wabbit": signatureVerification: must be an object with "level", not "strict"',
  },
  {
    rule: 'level is required',
    document: withStatements(statement({ signatureVerification: {} })),
    fragment: 'statement "wabbit": signatureVerification.level: is missing; use one of strict, permissive, audit, skip',
  },
  {
    rule: 'level is strict|permissive|audit|skip',
    document: withStatements(statement({ signatureVerification: { level: 'Strict' } })),
    fragment: 'statement "wabbit": signatureVerification.level: "Strict" is not a verification level',
  },
  {
    rule: 'override is a map',
    document: withStatements(statement({ signatureVerification: { level: 'strict', override: ['expiry'] } })),
    fragment: 'signatureVerification.override: must be an object of validation type to action, not an array',
  },
  {
    rule: 'override keys are validation types',
    document: withStatements(statement({ signatureVerification: { level: 'strict', override: { expiration: 'log' } } })),
    fragment: 'signatureVerification.override.expiration: "expiration" is not a validation type',
  },
  {
    rule: 'integrity cannot be overridden',
    document: withStatements(statement({ signatureVerification: { level: 'strict', override: { integrity: 'log' } } })),
    fragment: 'signatureVerification.override.integrity: integrity validation cannot be overridden',
  },
  {
    rule: 'override values are enforce|log|skip',
    document: withStatements(statement({ signatureVerification: { level: 'strict', override: { expiry: 'ignore' } } })),
    fragment: 'signatureVerification.override.expiry: "ignore" is not a validation action; use enforce or log',
  },
  {
    rule: 'only revocation can be skipped',
    document: withStatements(statement({ signatureVerification: { level: 'audit', override: { authenticity: 'skip' } } })),
    fragment: 'signatureVerification.override.authenticity: "authenticity" cannot be set to "skip"; use enforce or log',
  },
  {
    rule: 'authenticTimestamp cannot be skipped',
    document: withStatements(statement({ signatureVerification: { level: 'strict', override: { authenticTimestamp: 'skip' } } })),
    fragment: 'override.authenticTimestamp: "authenticTimestamp" cannot be set to "skip"',
  },
  {
    rule: 'a skip level cannot be customized',
    document: withStatements(
      statement({ signatureVerification: { level: 'skip', override: { revocation: 'log' } }, trustStores: undefined, trustedIdentities: undefined }),
    ),
    fragment: 'signatureVerification.override: level "skip" cannot be customized',
  },
  {
    rule: 'verifyTimestamp is always|afterCertExpiry',
    document: withStatements(statement({ signatureVerification: { level: 'strict', verifyTimestamp: 'never' } })),
    fragment: 'signatureVerification.verifyTimestamp: "never" is not supported; use always or afterCertExpiry',
  },
  // registryScopes
  { rule: 'registryScopes is required', document: withStatements(statement({ registryScopes: undefined })), fragment: 'statement "wabbit": registryScopes: is missing or empty' },
  { rule: 'registryScopes has at least one value', document: withScopes(), fragment: 'statement "wabbit": registryScopes: is missing or empty' },
  {
    rule: 'registryScopes is an array',
    document: withStatements(statement({ registryScopes: '*' })),
    fragment: 'statement "wabbit": registryScopes: must be an array of strings, not "*"',
  },
  { rule: 'scopes are strings', document: withScopes(42), fragment: 'statement "wabbit": registryScopes[0]: must be a string, not number 42' },
  { rule: 'scopes are not empty', document: withScopes(''), fragment: 'statement "wabbit": registryScopes[0]: is empty' },
  {
    rule: '"*" only alone',
    document: withScopes('registry.example.com/app', '*'),
    fragment: 'registryScopes: the global scope "*" cannot be used together with other scopes',
  },
  { rule: 'no tag in a scope', document: withScopes('registry.example.com/app:v1'), fragment: 'scope "registry.example.com/app:v1" has a tag' },
  {
    rule: 'no digest in a scope',
    document: withScopes(`registry.example.com/app@sha256:${'a'.repeat(64)}`),
    fragment: 'has a digest; it must be a fully qualified repository',
  },
  { rule: 'scopes are fully qualified (no expansion)', document: withScopes('alpine'), fragment: 'scope "alpine" has no repository' },
  { rule: 'no scheme in a scope', document: withScopes('https://registry.example.com/app'), fragment: 'has a scheme' },
  { rule: 'repository URIs MUST NOT contain "*"', document: withScopes('registry.example.com/*'), fragment: 'scope "registry.example.com/*" contains "*"' },
  { rule: 'repository is lower-case', document: withScopes('registry.example.com/App'), fragment: 'has an invalid repository "App"' },
  { rule: 'registry is a host[:port]', document: withScopes('-registry-/app'), fragment: 'has an invalid registry "-registry-"' },
  {
    rule: 'a scope is listed once in a statement',
    document: withScopes('registry.example.com/app', 'registry.example.com/app'),
    fragment: 'scope "registry.example.com/app" is listed twice',
  },
  {
    rule: 'a scope belongs to one statement only',
    document: withStatements(statement({ registryScopes: ['registry.example.com/app'] }), statement({ name: 'other', registryScopes: ['registry.example.com/app'] })),
    fragment: 'statement "other": registryScopes: scope "registry.example.com/app" is also in statement "wabbit"',
  },
  {
    rule: 'only one statement has the global scope',
    document: withStatements(statement({ registryScopes: ['*'] }), statement({ name: 'other', registryScopes: ['*'] })),
    fragment: 'statement "other": registryScopes: scope "*" is also in statement "wabbit"',
  },
  // trustStores / trustedIdentities presence by level
  {
    rule: 'skip has no trust stores',
    document: withStatements(statement({ signatureVerification: { level: 'skip' }, trustedIdentities: undefined })),
    fragment: 'statement "wabbit": level "skip" verifies nothing, so it must not configure trustStores or trustedIdentities',
  },
  {
    rule: 'skip has no trusted identities',
    document: withStatements(statement({ signatureVerification: { level: 'skip' }, trustStores: [] })),
    fragment: 'level "skip" verifies nothing',
  },
  {
    rule: 'non-skip needs trust stores',
    document: withStatements(statement({ trustStores: undefined })),
    fragment: 'statement "wabbit": trustStores: is missing; level "strict" needs at least one trust store',
  },
  {
    rule: 'non-skip needs trusted identities',
    document: withStatements(statement({ signatureVerification: { level: 'audit' }, trustedIdentities: [] })),
    fragment: 'statement "wabbit": trustedIdentities: is missing; level "audit" needs trusted identities',
  },
  // trustStores format
  { rule: 'trust store is type:name', document: withStatements(statement({ trustStores: ['wabbit-networks'] })), fragment: 'trustStores[0]: "wabbit-networks" is malformed; the format is <type>:<name>' },
  {
    rule: 'trust store type is ca|signingAuthority|tsa',
    document: withStatements(statement({ trustStores: ['root:wabbit'] })),
    fragment: 'trustStores[0]: "root:wabbit" uses unsupported trust store type "root"',
  },
  {
    rule: 'trust store names follow [a-zA-Z0-9_.-]+',
    document: withStatements(statement({ trustStores: ['ca:my store'] })),
    fragment: 'trustStores[0]: "ca:my store" uses invalid trust store name "my store"',
  },
  { rule: 'trust store names stay in the store directory', document: withStatements(statement({ trustStores: ['ca:..'] })), fragment: 'uses invalid trust store name ".."' },
  { rule: 'trust store type is case-sensitive', document: withStatements(statement({ trustStores: ['CA:wabbit'] })), fragment: 'unsupported trust store type "CA"' },
  // trustedIdentities
  {
    rule: '"*" identity only alone',
    document: withIdentities('*', 'x509.subject: C=US, ST=WA, O=wabbit-networks.io'),
    fragment: 'trustedIdentities: the wildcard "*" cannot be used together with other identities',
  },
  { rule: 'identities are not empty', document: withIdentities(''), fragment: 'statement "wabbit": trustedIdentities[0]: is empty' },
  { rule: 'identity has a <type>: prefix', document: withIdentities('C=US, ST=WA, O=wabbit'), fragment: 'trusted identity "C=US, ST=WA, O=wabbit" has no "<type>:" prefix' },
  { rule: 'x509.subject has a value', document: withIdentities('x509.subject:  '), fragment: 'has no distinguished name after "x509.subject:"' },
  { rule: 'DN contains C', document: withIdentities('x509.subject: ST=WA, O=wabbit'), fragment: 'it has no C attribute; it must contain C, ST (or S) and O at a minimum' },
  { rule: 'DN contains ST or S', document: withIdentities('x509.subject: C=US, O=wabbit'), fragment: 'it has no ST attribute' },
  { rule: 'DN contains O', document: withIdentities('x509.subject: C=US, ST=WA, OU=wabbit'), fragment: 'it has no O attribute' },
  { rule: 'DN has no multi-valued RDN', document: withIdentities('x509.subject: C=US+ST=WA, O=wabbit'), fragment: 'multi-valued RDNs (joined with "+") are not supported' },
  { rule: 'DN has unique attributes', document: withIdentities('x509.subject: C=US, ST=WA, O=a, O=b'), fragment: 'attribute O appears more than once' },
  { rule: 'S and ST are the same attribute', document: withIdentities('x509.subject: C=US, ST=WA, S=WA, O=a'), fragment: 'attribute ST appears more than once' },
  { rule: 'DN is RDN pairs', document: withIdentities('x509.subject: C=US, ST=WA, O=a, Seattle'), fragment: '"Seattle" is not of the form TYPE=value' },
  { rule: 'DN attribute types are names or OIDs', document: withIdentities('x509.subject: C=US, ST=WA, O=a, 1L=x'), fragment: '"1L" is not an attribute type' },
  { rule: 'DN escapes are RFC 4514 escapes', document: withIdentities('x509.subject: C=US, ST=WA, O=a\\q'), fragment: '"\\q" is not a valid escape' },
  { rule: 'DN special characters are escaped', document: withIdentities('x509.subject: C=US, ST=WA, O=a"b'), fragment: `has an unescaped '"'` },
  { rule: 'DN has no BER (#) values', document: withIdentities('x509.subject: C=US, ST=WA, O=#0403414243'), fragment: 'BER-encoded values are not supported' },
  { rule: 'DN attribute values are not empty', document: withIdentities('x509.subject: C=US, ST=WA, O=a, L='), fragment: 'attribute L has an empty value' },
  {
    rule: 'identities do not overlap',
    document: withIdentities('x509.subject: C=US, ST=WA, O=wabbit-network.io, OU=org1', 'x509.subject:  C=US, ST=WA, O=wabbit-network.io'),
    fragment:
      'trustedIdentities: "x509.subject:  C=US, ST=WA, O=wabbit-network.io" overlaps with "x509.subject: C=US, ST=WA, O=wabbit-network.io, OU=org1"',
  },
  {
    rule: 'identical identities overlap (order-independent)',
    document: withIdentities('x509.subject: C=US, ST=WA, O=wabbit', 'x509.subject: O=wabbit, ST=WA, C=US'),
    fragment: 'overlaps with',
  },
  // Bounds
  {
    rule: 'lists are bounded',
    document: withScopes(...Array.from({ length: 1001 }, (_, i) => `registry.example.com/app${i}`)),
    fragment: 'registryScopes: has 1001 entries, more than the limit of 1000',
  },
];

describe('invalid trust policy documents: one per rule', () => {
  it.each(INVALID_DOCUMENTS)('$rule', ({ document, fragment }) => {
    const error = thrownBy(NotaryError, () => parseTrustPolicyDocument(document, 'policy.json'));
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain('invalid trust policy policy.json: ');
    expect(error.message).toContain(fragment);
  });
});

describe('valid trust policy variations', () => {
  const VALID: { case: string; document: Json; check: (document: TrustPolicyDocument) => void }[] = [
    {
      case: 'S is accepted for ST',
      document: withIdentities('x509.subject: C=US, S=WA, O=wabbit'),
      check: (d) => expect(d.trustPolicies[0]?.trustedIdentities).toEqual(['x509.subject: C=US, S=WA, O=wabbit']),
    },
    {
      case: 'escaped comma, semicolon, backslash and spaces in a DN',
      document: withIdentities('x509.subject: C=US, ST=WA, O=Wabbit\\, Inc.\\; \\\\ \\ x\\ '),
      check: (d) => expect(d.warnings).toEqual([]),
    },
    {
      case: 'plugin identities (AWS Signer profile ARNs) pass through',
      document: withIdentities('arn:aws:signer:us-west-2:123456789012:/signing-profiles/wabbit'),
      check: (d) => expect(d.trustPolicies[0]?.trustedIdentities).toEqual(['arn:aws:signer:us-west-2:123456789012:/signing-profiles/wabbit']),
    },
    {
      case: 'non-overlapping identities',
      document: withIdentities('x509.subject: C=US, ST=WA, O=wabbit, OU=a', 'x509.subject: C=US, ST=WA, O=wabbit, OU=b'),
      check: (d) => expect(d.trustPolicies[0]?.trustedIdentities).toHaveLength(2),
    },
    {
      case: 'revocation can be skipped by override; authenticity logged',
      document: withStatements(statement({ signatureVerification: { level: 'permissive', override: { revocation: 'skip', authenticity: 'log' } } })),
      check: (d) => expect(d.trustPolicies[0]?.signatureVerification.override).toEqual({ revocation: 'skip', authenticity: 'log' }),
    },
    {
      case: 'null trustStores/trustedIdentities on skip are absent (Go nil)',
      document: withStatements(statement({ signatureVerification: { level: 'skip' }, trustStores: null, trustedIdentities: null })),
      check: (d) => expect(d.trustPolicies[0]?.trustStores).toEqual([]),
    },
    {
      case: 'signingAuthority and tsa stores, registry with port',
      document: withStatements(statement({ registryScopes: ['localhost:5000/net-monitor'], trustStores: ['signingAuthority:sa-1', 'tsa:ts_2'] })),
      check: (d) =>
        expect(d.trustPolicies[0]?.trustStores).toEqual([
          { type: 'signingAuthority', name: 'sa-1' },
          { type: 'tsa', name: 'ts_2' },
        ]),
    },
    {
      case: 'unknown fields are ignored with a warning (as notation does)',
      document: { ...withStatements(statement({ globalPolicy: true, signatureVerification: { level: 'strict', mode: 'x' } })), comment: 'x' },
      check: (d) =>
        expect(d.warnings).toEqual([
          { field: 'comment', problem: 'unknown field "comment" is ignored', message: 'document: unknown field "comment" is ignored' },
          { field: 'trustPolicies[0].globalPolicy', problem: 'unknown field "globalPolicy" is ignored', message: 'statement "wabbit": unknown field "globalPolicy" is ignored' },
          { field: 'trustPolicies[0].signatureVerification.mode', problem: 'unknown field "mode" is ignored', message: 'statement "wabbit": signatureVerification: unknown field "mode" is ignored' },
        ]),
    },
    {
      case: 'a statement with only tsa stores is accepted with a warning',
      document: withStatements(statement({ trustStores: ['tsa:ts'] })),
      check: (d) =>
        expect(d.warnings.map(({ field, message }) => [field, message])).toEqual([
          ['trustPolicies[0].trustStores', 'statement "wabbit": trustStores: names only tsa stores; signatures cannot be authenticated without a ca or signingAuthority store'],
        ]),
    },
    {
      case: 'a mis-cased x509.subject prefix is accepted (a plugin may own it) with a warning',
      document: withIdentities('X509.Subject: C=US, ST=WA, O=wabbit'),
      check: (d) =>
        expect(d.warnings.map(({ field, message }) => [field, message])).toEqual([
          ['trustPolicies[0].trustedIdentities[0]', 'statement "wabbit": trustedIdentities: "X509.Subject: C=US, ST=WA, O=wabbit" is not an x509.subject identity (the prefix is case-sensitive); write "x509.subject:"'],
        ]),
    },
    {
      case: 'an attribute type no certificate carries is accepted with a warning',
      document: withIdentities('x509.subject: C=US, ST=WA, O=wabbit, FOO=bar'),
      check: (d) =>
        expect(d.warnings.map(({ field, problem }) => [field, problem])).toEqual([
          ['trustPolicies[0].trustedIdentities[0]', '"x509.subject: C=US, ST=WA, O=wabbit, FOO=bar" uses attribute type FOO, which no certificate subject carries by that name'],
        ]),
    },
  ];
  it.each(VALID)('$case', ({ document, check }) => {
    check(parseTrustPolicyDocument(document));
  });
});

describe('parseTrustPolicyStatements (TrustPolicy resource spec)', () => {
  it('validates statements with the document rules and keeps the source', () => {
    const document = parseTrustPolicyStatements([statement()], '1.0', 'TrustPolicy "tp-team-a"');
    expect(document).toMatchObject({ version: '1.0', source: 'TrustPolicy "tp-team-a"', trustPolicies: [{ name: 'wabbit' }] });
  });
  it.each([
    { statements: [statement({ registryScopes: ['*', 'registry.example.com/app'] })], version: '1.0', fragment: 'registryScopes: the global scope "*"' },
    { statements: [statement()], version: undefined, fragment: 'version: is missing' },
    { statements: undefined, version: '1.0', fragment: 'trustPolicies: is missing' },
  ])('rejects $fragment', ({ statements, version, fragment }) => {
    const error = thrownBy(NotaryError, () => parseTrustPolicyStatements(statements, version, 'TrustPolicy "tp"'));
    expect(error.code).toBe('INVALID_TRUST_POLICY');
    expect(error.message).toContain('invalid trust policy TrustPolicy "tp": ');
    expect(error.message).toContain(fragment);
  });
});
