// `imgverify config export`: a notation config dir becomes manifests the service loads as they are (same policy, same roots).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FileConfigSource } from '../../src/config/index.js';
import { notaryConfigValidators } from '../../src/service/index.js';
import { runCli } from '../support/cli.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-config-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('trust policy and referenced stores → TrustStore + TrustPolicy manifests that serve loads without errors', async () => {
  const notation = join(dir, 'notation');
  expect((await runCli('cert', 'generate-test', 'Wabbit_Net', '--config-dir', notation, '--key-type', 'ec-256', '--trust')).code).toBe(0);
  const statements = [
    { name: 'wabbit', registryScopes: ['localhost:5000/net-monitor'], signatureVerification: { level: 'strict' }, trustStores: ['ca:Wabbit_Net'], trustedIdentities: ['*'] },
    { name: 'others', registryScopes: ['*'], signatureVerification: { level: 'skip' } },
  ];
  await writeFile(join(notation, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: statements }));
  const run = await runCli('config', 'export', '--config-dir', notation, '--name', 'team-policy');
  expect(run.code).toBe(0);
  const documents = parseAllDocuments(run.stdout).map((document) => document.toJS() as Record<string, unknown>);
  const certificate = await readFile(join(notation, 'localkeys', 'Wabbit_Net.crt'), 'utf8');
  expect(documents).toEqual([
    { apiVersion: 'notation.nirmata.io/v1alpha1', kind: 'TrustStore', metadata: { name: 'ca-wabbit-net' }, spec: { trustStoreName: 'Wabbit_Net', type: 'ca', caBundle: certificate } },
    { apiVersion: 'notation.nirmata.io/v1alpha1', kind: 'TrustPolicy', metadata: { name: 'team-policy' }, spec: { version: '1.0', trustPolicyName: 'team-policy', trustPolicies: statements } },
  ]);

  const manifests = join(dir, 'manifests');
  await mkdir(manifests);
  await writeFile(join(manifests, 'exported.yaml'), run.stdout);
  const source = new FileConfigSource(manifests, { validators: notaryConfigValidators, resyncIntervalMs: 0, pollIntervalMs: 0 });
  try {
    await source.start();
    const snapshot = source.current();
    // The one issue is notation's accepted "skip" on "*", a warning (serve adds that "*" is weaker than "wabbit").
    expect(snapshot.issues.map((issue) => [issue.severity, issue.code, issue.field])).toEqual([['warning', 'WEAK_TRUST_POLICY', 'spec.trustPolicies[1].signatureVerification.level']]);
    expect(snapshot.trustPolicies.get('team-policy')?.missingTrustStores).toEqual([]);
    expect(snapshot.trustPolicies.get('team-policy')?.compileError).toBeUndefined();
  } finally {
    await source.close();
  }
});

test('a store the policy names but the dir lacks is an error naming it', async () => {
  const notation = join(dir, 'broken');
  await mkdir(notation);
  await writeFile(
    join(notation, 'trustpolicy.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'a', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:absent'], trustedIdentities: ['*'] }] }),
  );
  const run = await runCli('config', 'export', '--config-dir', notation);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/trust store "absent" of type "ca" does not exist/);
});
