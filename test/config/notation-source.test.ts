// The notation config dir as the service's configuration (`serve --local`): notation's layout read as one TrustPolicy and its stores, watched, last good kept.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { formatIssue, NotationConfigSource, type ConfigReloadEvent } from '../../src/config/index.js';
import { notaryConfigValidators } from '../../src/service/index.js';
import { E2E_CERT_PEM } from './manifest-builders.js';
import { waitFor } from '../support/ports.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';

let work: string;
let otherRootPem: string;
let source: NotationConfigSource | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-notation-source-'));
  otherRootPem = (await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'notation-source-root') } })).root.pem;
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});
afterEach(async () => {
  await source?.close();
  source = undefined;
});

const statement = (stores: string[]) => ({ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: stores, trustedIdentities: ['*'] });

async function notationDir(name: string, stores: Record<string, string>, policy: unknown, file = 'trustpolicy.oci.json'): Promise<string> {
  const dir = join(work, name);
  for (const [reference, pem] of Object.entries(stores)) {
    const [type, store] = reference.split(':') as [string, string];
    await mkdir(join(dir, 'truststore', 'x509', type, store), { recursive: true });
    await writeFile(join(dir, 'truststore', 'x509', type, store, 'root.pem'), pem);
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), typeof policy === 'string' ? policy : JSON.stringify(policy));
  return dir;
}

async function start(dir: string, pollIntervalMs = 0): Promise<{ source: NotationConfigSource; events: ConfigReloadEvent[] }> {
  const events: ConfigReloadEvent[] = [];
  source = new NotationConfigSource(dir, { trustPolicyName: 'notation', validators: notaryConfigValidators, debounceMs: 20, resyncIntervalMs: 0, pollIntervalMs });
  source.subscribe((event) => events.push(event));
  await source.start();
  return { source, events };
}

test('trustpolicy.oci.json and the stores it names load as TrustPolicy "notation" with its TrustStores, compiled without issues', async () => {
  const dir = await notationDir('plain', { 'ca:team': E2E_CERT_PEM, 'ca:unused': otherRootPem }, { version: '1.0', trustPolicies: [statement(['ca:team'])] });
  const { source } = await start(dir);
  const snapshot = source.current();
  expect(snapshot.issues).toEqual([]);
  const entry = snapshot.trustPolicies.get('notation');
  expect(entry?.compileError).toBeUndefined();
  expect(entry?.compiled).toBeDefined();
  expect([...(entry?.trustStores.keys() ?? [])]).toEqual(['ca:team']);
  // Only what the policy names is read: the unused store is no resource.
  expect([...snapshot.trustStores.keys()]).toEqual(['ca:team']);
  expect(source.description).toBe(`notation:${dir}`);
});

test('trustpolicy.json when there is no trustpolicy.oci.json (notation\'s order)', async () => {
  const dir = await notationDir('legacy', { 'ca:team': E2E_CERT_PEM }, { version: '1.0', trustPolicies: [statement(['ca:team'])] }, 'trustpolicy.json');
  const { source } = await start(dir);
  expect(source.current().trustPolicies.get('notation')?.compiled).toBeDefined();
});

test('a store added and named by an edited policy applies without restart; a broken store keeps its last good version, with the reason', async () => {
  const dir = await notationDir('watched', { 'ca:team': E2E_CERT_PEM }, { version: '1.0', trustPolicies: [statement(['ca:team'])] });
  const { source, events } = await start(dir, 200);
  const first = source.current().generation;

  // What `imgverify cert add --type ca --store other` and `policy import --force` do.
  await mkdir(join(dir, 'truststore', 'x509', 'ca', 'other'), { recursive: true });
  await writeFile(join(dir, 'truststore', 'x509', 'ca', 'other', 'other.pem'), otherRootPem);
  await writeFile(join(dir, 'trustpolicy.oci.json'), JSON.stringify({ version: '1.0', trustPolicies: [statement(['ca:team', 'ca:other'])] }));
  await waitFor(async () => source.current().trustPolicies.get('notation')?.trustStores.has('ca:other') === true, 5_000, 'the edited policy with its new store');
  expect(source.current().generation).toBeGreaterThan(first);
  expect(source.current().issues).toEqual([]);

  const before = source.current().trustStores.get('ca:team')?.contentHash;
  await writeFile(join(dir, 'truststore', 'x509', 'ca', 'team', 'root.pem'), 'not a certificate');
  await waitFor(async () => events.some((event) => event.issues.some((issue) => issue.origin.kind === 'file' && issue.origin.path === 'truststore/x509/ca/team')), 5_000, 'the broken store reported');
  const issue = events.flatMap((event) => event.issues).find((i) => i.origin.kind === 'file' && i.origin.path === 'truststore/x509/ca/team');
  expect(formatIssue(issue!)).toMatch(/^truststore\/x509\/ca\/team: .*trusted certificate file "root\.pem" in trust store "team" of type "ca"/);
  expect(source.current().trustStores.get('ca:team')?.contentHash).toBe(before);
});

test('invalid JSON names line and column and loads nothing; a policy breaking the Notary rules names the field', async () => {
  const broken = await notationDir('broken-json', {}, '{\n  "version": "1.0",\n  "trustPolicies": [,]\n}');
  const { source: unparsed } = await start(broken);
  // As a folder of broken manifests: the service starts, not ready, and says why.
  expect(unparsed.current().trustPolicies.size).toBe(0);
  expect(unparsed.current().issues.map(formatIssue)).toEqual([expect.stringMatching(/^trustpolicy\.oci\.json: is not valid JSON at line 3, column 21 \(/)]);
  await unparsed.close();

  const dir = await notationDir('bad-level', { 'ca:team': E2E_CERT_PEM }, { version: '1.0', trustPolicies: [{ ...statement(['ca:team']), signatureVerification: { level: 'sometimes' } }] });
  await start(dir).catch(() => undefined);
  const issues = source?.current().issues.map(formatIssue) ?? [];
  expect(issues.join('\n')).toMatch(/^trustpolicy\.oci\.json \(TrustPolicy "notation"\): spec\.trustPolicies\[0\]\.signatureVerification\.level: /m);
});

test('a missing dir is a start-up error naming it and how to name another', async () => {
  source = new NotationConfigSource(join(work, 'absent'), { trustPolicyName: 'notation', validators: notaryConfigValidators });
  await expect(source.start()).rejects.toThrow(/notation config dir .*absent does not exist or cannot be read: .*--notation-config/);
});
