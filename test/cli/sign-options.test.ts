// sign's notation habits: --force-referrers-tag keeps the tag index where the Referrers API is served (registry double), an encrypted key says how to decrypt it, a chain file is read by pki's PEM parser.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCli } from '../support/cli.js';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';

let dir: string;
let keyPath: string;
let certPath: string;
let registry: ReferrersRegistryDouble;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-sign-options-'));
  const chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'sign-options') } });
  keyPath = join(dir, 'key.pem');
  certPath = join(dir, 'chain.pem');
  await writeFile(keyPath, chain.leaf.privateKeyPem, { mode: 0o600 });
  await writeFile(certPath, chain.chainPem);
  registry = await startReferrersRegistryDouble();
});
afterAll(async () => {
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function pushed(repository: string): Promise<string> {
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  try {
    return (await pushImage(client.repository(registry.host, repository), { tag: 'v1', layers: [new TextEncoder().encode(repository)] })).descriptor.digest;
  } finally {
    await client.close();
  }
}

const tagIndexPuts = (repository: string, digest: string) =>
  registry.requests.filter((r) => r.method === 'PUT' && r.path === `/v2/${repository}/manifests/${digest.replace(':', '-')}`).length;

test('--force-referrers-tag: the referrers tag index is written although the registry serves the Referrers API; without it, not', async () => {
  const plain = await pushed('team/plain');
  expect((await runCli('sign', `${registry.host}/team/plain@${plain}`, '--key', keyPath, '--cert', certPath)).code).toBe(0);
  expect(tagIndexPuts('team/plain', plain)).toBe(0);
  const forced = await pushed('team/forced');
  const run = await runCli('sign', `${registry.host}/team/forced@${forced}`, '--key', keyPath, '--cert', certPath, '--force-referrers-tag');
  expect(run.code).toBe(0);
  expect(tagIndexPuts('team/forced', forced)).toBe(1);
});

test('an encrypted key file: the error says how to decrypt it', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const encrypted = join(dir, 'encrypted.pem');
  await writeFile(encrypted, privateKey);
  const run = await runCli('sign', './nowhere:v1', '--oci-layout', '--key', encrypted, '--cert', certPath);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(
    `Error: ${encrypted} is an encrypted private key; imgverify reads unencrypted keys only: decrypt it with \`openssl pkey -in ${encrypted} -out key.pem\` (it asks for the passphrase), keep key.pem private (chmod 600) and pass --key key.pem (INVALID_INPUT)\n`,
  );
});

test('a chain file is read by pki\'s one PEM parser: a key block in it is refused with INVALID_INPUT', async () => {
  const combined = join(dir, 'combined.pem');
  await writeFile(combined, `${await readFile(keyPath, 'utf8')}${await readFile(certPath, 'utf8')}`);
  const run = await runCli('sign', './nowhere:v1', '--oci-layout', '--key', keyPath, '--cert', combined);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(`Error: ${combined} holds a PEM "PRIVATE KEY" block; only "CERTIFICATE" blocks are allowed (INVALID_INPUT)\n`);
});
