// Validation of TrustPolicy/TrustStore manifests and snapshot building: errors name file, document and field.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  buildSnapshot,
  EMPTY_SNAPSHOT,
  formatIssue,
  parseManifestText,
  resourceJsonSchemas,
  type ConfigSnapshot,
} from '../../src/config/index.js';
import { REPO_ROOT } from '../support/fixtures.js';
import { E2E_CERT_PEM, trustPolicyYaml, trustStoreYaml } from './manifest-builders.js';

function snapshotOf(files: Record<string, string>, previous: ConfigSnapshot = EMPTY_SNAPSHOT): ConfigSnapshot {
  return buildSnapshot(
    Object.entries(files).map(([file, text]) => parseManifestText(file, text)),
    previous,
  );
}

const validPolicy = trustPolicyYaml({ name: 'tp-a' });
const validStore = trustStoreYaml({ name: 'tp-a-ts' });

describe('invalid resources are rejected with file, document and field', () => {
  const cases: { name: string; text: string; expected: string }[] = [
    {
      name: 'unquoted version',
      text: validPolicy.replace("version: '1.0'", 'version: 1.0'),
      expected: 'bad.yaml: document 1 (TrustPolicy "tp-a"): spec.version: must be the string "1.0" (quote it in YAML: version: "1.0")',
    },
    {
      name: 'unknown level',
      text: validPolicy.replace('level: strict', 'level: paranoid'),
      expected:
        'bad.yaml: document 1 (TrustPolicy "tp-a"): spec.trustPolicies[0].signatureVerification.level: Invalid option: expected one of "strict"|"permissive"|"audit"|"skip"',
    },
    {
      name: 'trust store reference without type',
      text: validPolicy.replace('- ca:tp-a-ts', '- tp-a-ts'),
      expected:
        'bad.yaml: document 1 (TrustPolicy "tp-a"): spec.trustPolicies[0].trustStores[0]: must be {type}:{name} with type ca, signingAuthority or tsa',
    },
    {
      name: 'misspelt field',
      text: validPolicy.replace('trustedIdentities:', 'trustedIdentitys:'),
      expected: 'bad.yaml: document 1 (TrustPolicy "tp-a"): spec.trustPolicies[0]: Unrecognized key: "trustedIdentitys"',
    },
    {
      name: 'wrong apiVersion of our kind',
      text: validPolicy.replace('notation.nirmata.io/v1alpha1', 'notation.nirmata.io/v1'),
      expected: 'bad.yaml: document 1 (TrustPolicy "tp-a"): apiVersion: must be notation.nirmata.io/v1alpha1',
    },
    {
      name: 'missing metadata.name',
      text: validStore.replace('  name: tp-a-ts\n', '  labels: {app: x}\n'),
      expected: 'bad.yaml: document 1 (TrustStore): metadata.name: Invalid input: expected string, received undefined',
    },
    {
      name: 'unknown trust store type',
      text: validStore.replace('type: ca', 'type: root'),
      expected: 'bad.yaml: document 1 (TrustStore "tp-a-ts"): spec.type: Invalid option: expected one of "ca"|"signingAuthority"|"tsa"',
    },
    {
      name: 'caBundle without certificates',
      text: trustStoreYaml({ name: 'tp-a-ts', pem: 'not a certificate' }),
      expected:
        'bad.yaml: document 1 (TrustStore "tp-a-ts"): spec.caBundle: holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
    },
    {
      name: 'truncated caBundle (half-written)',
      text: trustStoreYaml({ name: 'tp-a-ts', pem: E2E_CERT_PEM.slice(0, 400) }),
      expected: 'bad.yaml: document 1 (TrustStore "tp-a-ts"): spec.caBundle: holds no PEM certificate (expected -----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)',
    },
    {
      name: 'corrupt certificate',
      text: trustStoreYaml({ name: 'tp-a-ts', pem: E2E_CERT_PEM.replace(/MII[A-Za-z0-9]/, 'MIIZ') }),
      expected: 'bad.yaml: document 1 (TrustStore "tp-a-ts"): spec.caBundle: certificate 1 is not a valid X.509 certificate',
    },
    {
      name: 'unknown kind of our group',
      text: validPolicy.replace('kind: TrustPolicy', 'kind: TrustPolicies'),
      expected: 'bad.yaml: document 1: kind: unknown kind "TrustPolicies": expected TrustPolicy or TrustStore',
    },
    {
      name: 'second document of a file',
      text: `${validStore}---\n${validPolicy.replace('registryScopes:\n    - "*"', 'registryScopes: []')}`,
      expected:
        'bad.yaml: document 2 (TrustPolicy "tp-a"): spec.trustPolicies[0].registryScopes: must list at least one scope ("*" or registry/repository)',
    },
    {
      name: 'YAML syntax error',
      text: 'apiVersion: notation.nirmata.io/v1alpha1\nkind: TrustPolicy\nmetadata: {name: x\n',
      expected: 'bad.yaml: not valid YAML in document 1',
    },
  ];
  test.each(cases)('$name', ({ text, expected }) => {
    const snapshot = snapshotOf({ 'bad.yaml': text });
    const errors = snapshot.issues.filter((i) => i.severity === 'error').map(formatIssue);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toContain(expected);
    expect(snapshot.trustPolicies.has('tp-a')).toBe(false);
  });
});

test('valid resources load beside invalid ones; other kinds are ignored with a warning', () => {
  const other = 'apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: check-images\n';
  const snapshot = snapshotOf({
    'a.yaml': `${validPolicy}---\n${validStore}---\n${other}`,
    'b.yaml': trustPolicyYaml({ name: 'tp-b', level: 'bogus' }),
  });
  expect([...snapshot.trustPolicies.keys()]).toEqual(['tp-a']);
  expect([...snapshot.trustStores.keys()]).toEqual(['ca:tp-a-ts']);
  expect(snapshot.issues.map(formatIssue)).toEqual([
    'a.yaml: document 3: ignored: not a notation.nirmata.io/v1alpha1 TrustPolicy or TrustStore (apiVersion "kyverno.io/v1", kind "ClusterPolicy")',
    'b.yaml: document 1 (TrustPolicy "tp-b"): spec.trustPolicies[0].signatureVerification.level: Invalid option: expected one of "strict"|"permissive"|"audit"|"skip"',
  ]);
  const entry = snapshot.trustPolicies.get('tp-a');
  expect(entry?.trustStores.get('ca:tp-a-ts')?.certificates).toHaveLength(1);
  expect(entry?.document).toEqual({
    version: '1.0',
    trustPolicies: [
      {
        name: 'statement',
        registryScopes: ['*'],
        signatureVerification: { level: 'strict' },
        trustStores: ['ca:tp-a-ts'],
        trustedIdentities: ['*'],
      },
    ],
  });
});

test('spec.trustPolicyName is the name requests select; metadata.name is the fallback', () => {
  const snapshot = snapshotOf({
    'a.yaml': trustPolicyYaml({ name: 'resource-a', trustPolicyName: 'tp-team-a', trustStores: ['ca:tp-a-ts'] }),
    'b.yaml': trustPolicyYaml({ name: 'tp-b', trustStores: ['ca:tp-a-ts'] }),
    's.yaml': validStore,
  });
  expect([...snapshot.trustPolicies.keys()].sort()).toEqual(['tp-b', 'tp-team-a']);
});

test('a missing trust store is a warning on the policy, and is part of its content hash', () => {
  const without = snapshotOf({ 'p.yaml': validPolicy });
  expect(without.issues.map(formatIssue)).toEqual([
    'p.yaml: document 1 (TrustPolicy "tp-a"): spec.trustPolicies[0].trustStores[0]: no TrustStore resource provides ca:tp-a-ts; verifications that need it fail until one is added',
  ]);
  expect(without.trustPolicies.get('tp-a')?.missingTrustStores).toEqual(['ca:tp-a-ts']);
  const withStore = snapshotOf({ 'p.yaml': validPolicy, 's.yaml': validStore }, without);
  expect(withStore.trustPolicies.get('tp-a')?.contentHash).not.toBe(without.trustPolicies.get('tp-a')?.contentHash);
  expect(withStore.trustPolicies.get('tp-a')?.generation).toBe(2);
});

test('duplicate names: the first file wins, the later one is reported', () => {
  const snapshot = snapshotOf({
    'a.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', trustStores: ['ca:tp-a-ts'] }),
    'b.yaml': trustPolicyYaml({ name: 'two', trustPolicyName: 'tp', trustStores: ['ca:tp-a-ts'] }),
    's.yaml': `${validStore}---\n${trustStoreYaml({ name: 'tp-a-ts' })}`,
  });
  expect(snapshot.trustPolicies.get('tp')?.resource.name).toBe('one');
  expect(snapshot.issues.map(formatIssue)).toEqual([
    'b.yaml: document 1 (TrustPolicy "two"): ignored: TrustPolicy "one" in a.yaml (document 1) already defines trustPolicyName "tp"; names must be unique',
    's.yaml: document 2 (TrustStore "tp-a-ts"): ignored: TrustStore "tp-a-ts" in s.yaml (document 1) already defines metadata.name "tp-a-ts"; names must be unique',
  ]);
});

describe('duplicate names after load: the resource in use stays, the newcomer is refused (issue 18 bug 4)', () => {
  const inUse = snapshotOf({ 'b.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', level: 'strict' }) });

  test('a new file repeating a trustPolicyName in use does not take over, though it sorts first', () => {
    const next = snapshotOf(
      { 'a.yaml': trustPolicyYaml({ name: 'two', trustPolicyName: 'tp', level: 'skip' }), 'b.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', level: 'strict' }) },
      inUse,
    );
    expect(next.trustPolicies.get('tp')?.resource.name).toBe('one');
    expect(next.trustPolicies.get('tp')?.generation).toBe(1);
    expect(next.issues.filter((i) => i.code === 'DUPLICATE_RESOURCE').map(formatIssue)).toEqual([
      'a.yaml: document 1 (TrustPolicy "two"): ignored: TrustPolicy "one" in b.yaml (document 1) already defines trustPolicyName "tp" and stays in use; names must be unique',
    ]);
  });

  test('a new file repeating a metadata.name in use is refused; the one in use may still be edited', () => {
    const next = snapshotOf(
      { 'a.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', level: 'skip' }), 'b.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', level: 'audit' }) },
      inUse,
    );
    expect(next.trustPolicies.get('tp')?.document.trustPolicies[0]?.signatureVerification.level).toBe('audit');
    expect(next.issues.filter((i) => i.code === 'DUPLICATE_RESOURCE').map(formatIssue)).toEqual([
      'a.yaml: document 1 (TrustPolicy "one"): ignored: TrustPolicy "one" in b.yaml (document 1) already defines metadata.name "one" and stays in use; names must be unique',
    ]);
  });

  test('while the one in use has an invalid edit, its last good version still beats a newcomer', () => {
    const next = snapshotOf(
      { 'a.yaml': trustPolicyYaml({ name: 'two', trustPolicyName: 'tp', level: 'skip' }), 'b.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp', level: 'bogus' }) },
      inUse,
    );
    expect(next.trustPolicies.get('tp')?.resource).toBe(inUse.trustPolicies.get('tp')?.resource);
    expect(next.issues.filter((i) => i.code === 'DUPLICATE_RESOURCE').map(formatIssue)).toEqual([
      'a.yaml: document 1 (TrustPolicy "two"): ignored: TrustPolicy "one" in b.yaml (document 1) already defines trustPolicyName "tp" and stays in use; names must be unique',
    ]);
  });

  test('once the one in use is gone, the other takes the name', () => {
    const refused = snapshotOf({ 'a.yaml': trustPolicyYaml({ name: 'two', trustPolicyName: 'tp', level: 'skip' }), 'b.yaml': trustPolicyYaml({ name: 'one', trustPolicyName: 'tp' }) }, inUse);
    const next = snapshotOf({ 'a.yaml': trustPolicyYaml({ name: 'two', trustPolicyName: 'tp', level: 'skip' }) }, refused);
    expect(next.trustPolicies.get('tp')?.resource.name).toBe('two');
    expect(next.issues.filter((i) => i.code === 'DUPLICATE_RESOURCE')).toEqual([]);
  });
});

describe('content hashes and generations change exactly when what decides the answer changes', () => {
  const base = snapshotOf({
    'p.yaml': validPolicy,
    'q.yaml': trustPolicyYaml({ name: 'tp-q', trustStores: ['ca:other'] }),
    's.yaml': validStore,
    'o.yaml': trustStoreYaml({ name: 'other' }),
  });
  const hashOf = (s: ConfigSnapshot, name: string) => s.trustPolicies.get(name)?.contentHash;

  test('reordering keys and re-indenting PEM changes nothing', () => {
    const reordered = validPolicy.replace("  version: '1.0'\n", '').replace('spec:\n', "spec:\n  version: '1.0'\n");
    const next = snapshotOf(
      { 'p.yaml': reordered, 'q.yaml': trustPolicyYaml({ name: 'tp-q', trustStores: ['ca:other'] }), 's.yaml': validStore, 'o.yaml': trustStoreYaml({ name: 'other' }) },
      base,
    );
    expect(hashOf(next, 'tp-a')).toBe(hashOf(base, 'tp-a'));
    expect(next.trustPolicies.get('tp-a')?.generation).toBe(1);
  });

  test('changing a referenced trust store changes only the policies that reference it', () => {
    const otherCert = readFileSync(join(REPO_ROOT, '../shared/fixtures/notary/notation-e2e/timestamp/globalsignTSARoot.cer'));
    const pem = otherCert.toString('utf8').includes('BEGIN CERTIFICATE')
      ? otherCert.toString('utf8')
      : `-----BEGIN CERTIFICATE-----\n${otherCert.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    const next = snapshotOf(
      { 'p.yaml': validPolicy, 'q.yaml': trustPolicyYaml({ name: 'tp-q', trustStores: ['ca:other'] }), 's.yaml': validStore, 'o.yaml': trustStoreYaml({ name: 'other', pem }) },
      base,
    );
    expect(hashOf(next, 'tp-a')).toBe(hashOf(base, 'tp-a'));
    expect(hashOf(next, 'tp-q')).not.toBe(hashOf(base, 'tp-q'));
    expect(next.trustPolicies.get('tp-a')?.generation).toBe(1);
    expect(next.trustPolicies.get('tp-q')?.generation).toBe(2);
  });

  test('an invalid edit keeps the last good version of that resource only', () => {
    const next = snapshotOf(
      {
        'p.yaml': validPolicy.replace('level: strict', 'level: permissive'),
        'q.yaml': trustPolicyYaml({ name: 'tp-q', level: 'nonsense', trustStores: ['ca:other'] }),
        's.yaml': validStore,
        'o.yaml': trustStoreYaml({ name: 'other' }),
      },
      base,
    );
    expect(next.trustPolicies.get('tp-a')?.document.trustPolicies[0]?.signatureVerification.level).toBe('permissive');
    expect(next.trustPolicies.get('tp-q')?.resource).toBe(base.trustPolicies.get('tp-q')?.resource);
    expect(hashOf(next, 'tp-q')).toBe(hashOf(base, 'tp-q'));
    expect(next.issues.filter((i) => i.severity === 'error').map(formatIssue)).toEqual([
      'q.yaml: document 1 (TrustPolicy "tp-q"): spec.trustPolicies[0].signatureVerification.level: Invalid option: expected one of "strict"|"permissive"|"audit"|"skip"',
    ]);
  });

  test('a file that is not valid YAML keeps everything it defined; a deleted file drops it', () => {
    const broken = snapshotOf(
      { 'p.yaml': validPolicy.slice(0, 60) + '\n  bad: [unclosed', 'q.yaml': trustPolicyYaml({ name: 'tp-q', trustStores: ['ca:other'] }), 's.yaml': validStore, 'o.yaml': trustStoreYaml({ name: 'other' }) },
      base,
    );
    expect(hashOf(broken, 'tp-a')).toBe(hashOf(base, 'tp-a'));
    const deleted = snapshotOf({ 'q.yaml': trustPolicyYaml({ name: 'tp-q', trustStores: ['ca:other'] }), 's.yaml': validStore, 'o.yaml': trustStoreYaml({ name: 'other' }) }, base);
    expect(deleted.trustPolicies.has('tp-a')).toBe(false);
  });
});

test('schemas/*.schema.json are generated from the zod schemas (UPDATE_SCHEMAS=1 rewrites them)', () => {
  for (const [name, schema] of Object.entries(resourceJsonSchemas())) {
    const path = join(REPO_ROOT, 'schemas', `${name}.schema.json`);
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    if (process.env.UPDATE_SCHEMAS === '1') writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
  }
});
