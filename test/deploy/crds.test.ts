// Our TrustPolicy/TrustStore CRDs: the peer's names, structural schemas, the peer's samples accepted
// unchanged, and what the Notary rules reject rejected by the schema too.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseTrustPolicyStatements, registryScopeProblem } from '../../src/notary/index.js';
import { crdValidator, structuralProblems, type Crd } from '../support/crd-schema.js';
import { REPO_ROOT, SHARED_FIXTURES } from '../support/fixtures.js';

const PEER = resolve(SHARED_FIXTURES, 'kna/configs');
const CRDS = resolve(REPO_ROOT, 'deploy/base/crds');

function documents(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => document.toJS() as Record<string, unknown> | null)
    .filter((document): document is Record<string, unknown> => document !== null);
}

function crd(path: string): Crd {
  return documents(path)[0] as unknown as Crd;
}

const kinds = [
  { kind: 'TrustPolicy', file: 'notation.nirmata.io_trustpolicies.yaml', sample: 'trustpolicy.yaml' },
  { kind: 'TrustStore', file: 'notation.nirmata.io_truststores.yaml', sample: 'truststore.yaml' },
] as const;

describe.each(kinds)('$kind CRD', ({ kind, file, sample }) => {
  const ours = crd(resolve(CRDS, file));
  const peer = crd(resolve(PEER, 'crds', file));

  test("has the peer's group, names, scope and version", () => {
    expect(ours.metadata.name).toBe(peer.metadata.name);
    expect(ours.spec.group).toBe('notation.nirmata.io');
    expect(ours.spec.group).toBe(peer.spec.group);
    expect(ours.spec.scope).toBe('Cluster');
    expect(ours.spec.names).toEqual(peer.spec.names);
    expect(ours.spec.names.kind).toBe(kind);
    expect(ours.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([['v1alpha1', true, true]]);
  });

  test('has a structural schema', () => {
    expect(structuralProblems((ours.spec.versions[0] as Crd['spec']['versions'][0]).schema.openAPIV3Schema)).toEqual([]);
  });

  test(`accepts the peer's ${sample} unchanged (which the peer's CRD accepts too)`, () => {
    const objects = documents(resolve(PEER, 'samples', sample));
    expect(objects.length).toBeGreaterThan(1);
    const validator = crdValidator(ours, 'v1alpha1');
    const peerValidator = crdValidator(peer, 'v1alpha1');
    for (const object of objects) {
      expect(object['kind']).toBe(kind);
      expect(peerValidator.validate(object)).toEqual([]);
      expect(validator.validate(object)).toEqual([]);
    }
  });
});

const trustPolicyValidator = crdValidator(crd(resolve(CRDS, kinds[0].file)), 'v1alpha1');
const trustStoreValidator = crdValidator(crd(resolve(CRDS, kinds[1].file)), 'v1alpha1');

test('accepts our own samples (examples/serve, deploy/samples)', () => {
  const files = ['examples/serve/trustpolicy.yaml', 'examples/serve/truststore.yaml', 'deploy/samples/trustpolicy.yaml', 'deploy/samples/truststore.yaml'];
  for (const path of files) {
    for (const object of documents(resolve(REPO_ROOT, path))) {
      const validator = object['kind'] === 'TrustPolicy' ? trustPolicyValidator : trustStoreValidator;
      expect({ path, errors: validator.validate(object) }).toEqual({ path, errors: [] });
    }
  }
});

type Statement = Record<string, unknown>;

/** The peer's first sample TrustPolicy with its first statement changed by `edit`. */
function trustPolicyWith(edit: (statement: Statement, spec: Record<string, unknown>) => void): Record<string, unknown> {
  const object = structuredClone(documents(resolve(PEER, 'samples/trustpolicy.yaml'))[0] as Record<string, unknown>);
  const spec = object['spec'] as Record<string, unknown>;
  edit((spec['trustPolicies'] as Statement[])[0] as Statement, spec);
  return object;
}

const statement = (name: string, scopes: string[]): Statement => ({
  name,
  registryScopes: scopes,
  signatureVerification: { level: 'strict' },
  trustStores: ['ca:acme'],
  trustedIdentities: ['*'],
});

// Each case: an edit the Notary rules reject, and the schema's error for it.
const rejected: { name: string; edit: (s: Statement, spec: Record<string, unknown>) => void; error: string }[] = [
  { name: 'version other than "1.0"', edit: (_s, spec) => (spec['version'] = '2.0'), error: 'spec.version: must be equal to one of the allowed values' },
  { name: 'no statements', edit: (_s, spec) => (spec['trustPolicies'] = []), error: 'spec.trustPolicies: must NOT have fewer than 1 items' },
  { name: 'duplicate statement names', edit: (s, spec) => (spec['trustPolicies'] = [s, statement(s['name'] as string, ['a.io/b'])]), error: 'duplicate entry ["aws-signer-tp"]' },
  { name: 'statement without a name', edit: (s) => delete s['name'], error: "must have required property 'name'" },
  { name: 'no registry scopes', edit: (s) => (s['registryScopes'] = []), error: 'registryScopes: must NOT have fewer than 1 items' },
  { name: '"*" with other scopes', edit: (s) => (s['registryScopes'] = ['*', 'a.io/b']), error: 'the global scope "*" cannot be used together with other scopes' },
  { name: 'scope with a tag', edit: (s) => (s['registryScopes'] = ['a.io/b:v1']), error: 'registryScopes[0]: must match pattern' },
  { name: 'scope with a wildcard', edit: (s) => (s['registryScopes'] = ['a.io/*']), error: 'registryScopes[0]: must match pattern' },
  { name: 'scope listed twice', edit: (s) => (s['registryScopes'] = ['a.io/b', 'a.io/b']), error: 'registryScopes: duplicate entry "a.io/b"' },
  { name: 'unknown level', edit: (s) => (s['signatureVerification'] = { level: 'lenient' }), error: 'level: must be equal to one of the allowed values' },
  { name: 'no signatureVerification', edit: (s) => delete s['signatureVerification'], error: "must have required property 'signatureVerification'" },
  { name: 'integrity overridden', edit: (s) => (s['signatureVerification'] = { level: 'audit', override: { integrity: 'log' } }), error: 'unknown field "integrity"' },
  { name: 'expiry set to skip', edit: (s) => (s['signatureVerification'] = { level: 'audit', override: { expiry: 'skip' } }), error: 'override.expiry: must be equal to one of the allowed values' },
  { name: 'skip customized', edit: (s) => ((s['signatureVerification'] = { level: 'skip', override: { revocation: 'log' } }), delete s['trustStores'], delete s['trustedIdentities']), error: 'level "skip" cannot be customized' },
  { name: 'skip with trust stores', edit: (s) => (s['signatureVerification'] = { level: 'skip' }), error: 'level "skip" verifies nothing' },
  { name: 'strict without trust stores', edit: (s) => delete s['trustStores'], error: 'levels strict, permissive and audit need trustStores' },
  { name: 'strict without trusted identities', edit: (s) => delete s['trustedIdentities'], error: 'levels strict, permissive and audit need trustStores' },
  { name: 'trust store of unknown type', edit: (s) => (s['trustStores'] = ['x509:acme']), error: 'trustStores[0]: must match pattern' },
  { name: 'trust store name with a space', edit: (s) => (s['trustStores'] = ['ca:acme rockets']), error: 'trustStores[0]: must match pattern' },
  { name: '"*" with other identities', edit: (s) => (s['trustedIdentities'] = ['*', 'x509.subject: CN=a']), error: 'the wildcard "*" cannot be used together with other identities' },
  { name: 'identity listed twice', edit: (s) => (s['trustedIdentities'] = ['x509.subject: CN=a', 'x509.subject: CN=a']), error: 'duplicate entry' },
  { name: 'unknown statement field', edit: (s) => (s['registryScope'] = ['a.io/b']), error: 'unknown field "registryScope"' },
];

test.each(rejected)('TrustPolicy: $name is rejected by the schema and by the Notary rules', ({ edit, error }) => {
  const object = trustPolicyWith(edit);
  const errors = trustPolicyValidator.validate(object);
  expect(errors.some((line) => line.includes(error)), errors.join('\n')).toBe(true);
  const spec = object['spec'] as Record<string, unknown>;
  if (!error.includes('unknown field') && !error.includes('version')) {
    expect(() => parseTrustPolicyStatements(spec['trustPolicies'], spec['version'])).toThrow();
  }
});

const accepted: { name: string; edit: (s: Statement, spec: Record<string, unknown>) => void }[] = [
  { name: 'skip without stores or identities', edit: (s) => ((s['signatureVerification'] = { level: 'skip' }), delete s['trustStores'], delete s['trustedIdentities']) },
  { name: 'audit with overrides', edit: (s) => (s['signatureVerification'] = { level: 'audit', override: { revocation: 'skip', expiry: 'log', authenticity: 'enforce' } }) },
  { name: 'a tsa store and verifyTimestamp', edit: (s) => ((s['trustStores'] = ['ca:acme', 'tsa:timestamps']), (s['signatureVerification'] = { level: 'strict', verifyTimestamp: 'afterCertExpiry' })) },
  { name: 'two statements, global and scoped', edit: (s, spec) => (spec['trustPolicies'] = [s, statement('global', ['*'])]) },
  { name: 'a registry with a port', edit: (s) => (s['registryScopes'] = ['localhost:5000/net-monitor', 'registry.example.com/a/b-c__d.e']) },
  { name: 'no trustPolicyName (metadata.name is used)', edit: (_s, spec) => delete spec['trustPolicyName'] },
];

test.each(accepted)('TrustPolicy: $name is accepted by the schema and by the Notary rules', ({ edit }) => {
  const object = trustPolicyWith(edit);
  expect(trustPolicyValidator.validate(object)).toEqual([]);
  const spec = object['spec'] as Record<string, unknown>;
  expect(() => parseTrustPolicyStatements(spec['trustPolicies'], spec['version'])).not.toThrow();
});

test('the registry scope pattern agrees with the Notary scope rule', () => {
  const scopes = ['*', 'a.io/b', 'localhost:5000/x/y', 'A.io/b', 'a.io/B', 'a.io/b:v1', 'a.io/b@sha256:aa', 'https://a.io/b', 'a.io', 'a-.io/b', 'a.io/b//c', 'a.io/b__c', 'a.io/b___c', 'a.io/*', '**'];
  for (const scope of scopes) {
    const errors = trustPolicyValidator.validate(trustPolicyWith((s) => (s['registryScopes'] = [scope])));
    const notary = scope === '*' ? undefined : registryScopeProblem(scope);
    expect({ scope, accepted: errors.length === 0 }).toEqual({ scope, accepted: notary === undefined });
  }
});

const trustStoreSample = () => structuredClone(documents(resolve(PEER, 'samples/truststore.yaml'))[0] as Record<string, unknown>);

test.each([
  { name: 'unknown type', spec: { type: 'x509' }, error: 'spec.type: must be equal to one of the allowed values' },
  { name: 'name with a slash', spec: { trustStoreName: 'a/b' }, error: 'spec.trustStoreName: must match pattern' },
  { name: 'empty name', spec: { trustStoreName: '' }, error: 'spec.trustStoreName: must NOT have fewer than 1 characters' },
  { name: 'bundle without a certificate', spec: { caBundle: 'not a certificate' }, error: 'spec.caBundle: must match pattern' },
  { name: 'no bundle', spec: { caBundle: undefined }, error: "must have required property 'caBundle'" },
])('TrustStore: $name is rejected', ({ spec, error }) => {
  const object = trustStoreSample();
  const merged = { ...(object['spec'] as Record<string, unknown>), ...spec };
  object['spec'] = JSON.parse(JSON.stringify(merged)) as unknown;
  const errors = trustStoreValidator.validate(object);
  expect(errors.some((line) => line.includes(error)), errors.join('\n')).toBe(true);
});

test('TrustStore: a tsa store is accepted (the peer knows ca and signingAuthority only)', () => {
  const object = trustStoreSample();
  (object['spec'] as Record<string, unknown>)['type'] = 'tsa';
  expect(trustStoreValidator.validate(object)).toEqual([]);
});
