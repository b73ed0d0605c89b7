// A TrustPolicy that breaks a Notary rule, or is accepted with a warning, is reported at the exact field of the resource, once: file, document, resource, `spec.` path, problem.
import { expect, test } from 'vitest';
import { buildSnapshot, EMPTY_SNAPSHOT, formatIssue, parseManifestText } from '../../src/config/index.js';
import { notaryConfigValidators } from '../../src/service/index.js';

const statement = (name: string, fields: Record<string, unknown> = {}) => ({
  name,
  registryScopes: [`registry.example.com/${name}`],
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:x'],
  trustedIdentities: ['*'],
  ...fields,
});

test.each([
  {
    rule: 'a scope with a tag',
    statements: [statement('a', { registryScopes: ['registry.example.com/a', 'a.io/b:v1'] })],
    line: 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[0].registryScopes[1]: scope "a.io/b:v1" has a tag; it must be a fully qualified repository without scheme, tag or digest, e.g. registry.example.com/my/repository or localhost:5000/app',
  },
  {
    rule: 'an identity that is no valid DN, in the second statement',
    statements: [statement('a'), statement('b', { trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme', 'x509.subject: C=US, O=Other'] })],
    line: 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[1].trustedIdentities[1]: trusted identity "x509.subject: C=US, O=Other" has an invalid distinguished name: it has no ST attribute; it must contain C, ST (or S) and O at a minimum',
  },
  {
    rule: 'a scope in two statements',
    statements: [statement('a'), statement('b', { registryScopes: ['registry.example.com/a'] })],
    line: 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[1].registryScopes: scope "registry.example.com/a" is also in statement "a"; a registry scope can belong to one statement only',
  },
])('$rule', ({ statements, line }) => {
  const text = JSON.stringify({ apiVersion: 'notation.nirmata.io/v1alpha1', kind: 'TrustPolicy', metadata: { name: 'tp' }, spec: { version: '1.0', trustPolicies: statements } });
  const snapshot = buildSnapshot([parseManifestText('policy.yaml', text)], EMPTY_SNAPSHOT, { validators: notaryConfigValidators });
  expect(snapshot.issues.map(formatIssue)).toEqual([line]);
});

test('warnings name their exact field as errors do (they named spec.trustPolicies, or spec.trustPolicies[].trustStores with every missing store)', () => {
  const statements = [
    statement('a', { trustStores: ['tsa:x'] }),
    statement('b', { trustStores: ['ca:x', 'ca:y'], trustedIdentities: ['x509.subject: C=US, ST=WA, O=Acme, FOO=bar'] }),
  ];
  const text = JSON.stringify({ apiVersion: 'notation.nirmata.io/v1alpha1', kind: 'TrustPolicy', metadata: { name: 'tp' }, spec: { version: '1.0', trustPolicies: statements } });
  const snapshot = buildSnapshot([parseManifestText('policy.yaml', text)], EMPTY_SNAPSHOT, { validators: notaryConfigValidators });
  expect(snapshot.issues.map((issue) => [issue.severity, issue.code, formatIssue(issue)])).toEqual([
    ['warning', 'WEAK_TRUST_POLICY', 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[0].trustStores: names only tsa stores; signatures cannot be authenticated without a ca or signingAuthority store'],
    [
      'warning',
      'WEAK_TRUST_POLICY',
      'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[1].trustedIdentities[0]: "x509.subject: C=US, ST=WA, O=Acme, FOO=bar" uses attribute type FOO, which no certificate subject carries by that name',
    ],
    ['warning', 'MISSING_TRUST_STORE', 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[1].trustStores[0]: no TrustStore resource provides ca:x; verifications that need it fail until one is added'],
    ['warning', 'MISSING_TRUST_STORE', 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[1].trustStores[1]: no TrustStore resource provides ca:y; verifications that need it fail until one is added'],
    ['warning', 'MISSING_TRUST_STORE', 'policy.yaml: document 1 (TrustPolicy "tp"): spec.trustPolicies[0].trustStores[0]: no TrustStore resource provides tsa:x; verifications that need it fail until one is added'],
  ]);
});
