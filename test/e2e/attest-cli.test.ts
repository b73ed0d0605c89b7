// `imgverify attest` then `imgverify verify --attestation-type … --conditions …` as a user runs them, against the real docker-registry.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listAttestations } from '../../src/attest/index.js';
import { RegistryClient, pushImage } from '../../src/oci/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import { runCli } from '../support/cli.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/attest');

let registry: RegistryServer;
let client: RegistryClient;
let dir: string;
let image: string;
const files = { key: '', cert: '', config: '' };

beforeAll(async () => {
  [registry, dir] = await Promise.all([startRegistry(), mkdtemp(join(tmpdir(), 'imgverify-attest-cli-'))]);
  const chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'attest signer', leaf: { keys: await cachedKeyPair('ec-256', 'attest-leaf') } });
  client = new RegistryClient({ plainHttp: true });
  const repository = client.repository(registry.host, 'cli/app');
  await pushImage(repository, { tag: 'v1', layers: [new TextEncoder().encode('the app')] });
  await signArtifact(repository, 'v1', { key: chain.leaf.privateKey, certificateChain: chain.chain });
  image = `${registry.host}/cli/app:v1`;
  files.key = join(dir, 'leaf.key');
  files.cert = join(dir, 'chain.pem');
  files.config = join(dir, 'notation');
  await writeFile(files.key, chain.leaf.privateKeyPem);
  await writeFile(files.cert, chain.chainPem);
  await mkdir(join(files.config, 'truststore/x509/ca/attest'), { recursive: true });
  await writeFile(join(files.config, 'truststore/x509/ca/attest/root.pem'), chain.root.pem);
  const statement = { name: 'attest', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:attest'], trustedIdentities: ['*'] };
  await writeFile(join(files.config, 'trustpolicy.json'), JSON.stringify({ version: '1.0', trustPolicies: [statement] }));
}, 60_000);

afterAll(async () => {
  await client?.close();
  await Promise.all([registry?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

const verify = (...args: string[]) => runCli('verify', image, '--plain-http', '--config-dir', files.config, ...args);

test('attest pushes a signed referrer of the type; verify checks it and its conditions', async () => {
  const attested = await runCli('attest', image, '--plain-http', '--type', 'application/vnd.cyclonedx', '--file', join(FIXTURES, '../conditions/sbom-cyclonedx.json'), '--key', files.key, '--cert', files.cert);
  expect(attested.stderr).toBe('');
  expect(attested.code).toBe(0);
  const host = registry.host.replace(/\./g, '\\.');
  expect(attested.stdout).toMatch(
    new RegExp(
      `^Attached application/vnd\\.cyclonedx to ${host}/cli/app@sha256:[0-9a-f]{64}\\nPushed the attestation to ${host}/cli/app@(sha256:[0-9a-f]{64})\\n` +
        `Successfully signed ${host}/cli/app@\\1\\nPushed the signature to ${host}/cli/app@sha256:[0-9a-f]{64}\\n$`,
    ),
  );
  const subject = await client.repository(registry.host, 'cli/app').resolve('v1');
  const [listed] = await listAttestations(client.repository(registry.host, 'cli/app'), subject, 'application/vnd.cyclonedx');
  expect(attested.stdout).toContain(`Pushed the attestation to ${registry.host}/cli/app@${listed?.digest}`);

  const passed = await verify('--attestation-type', 'application/vnd.cyclonedx', '--conditions', join(FIXTURES, 'no-gpl.conditions.yaml'));
  // notation's warning for a tag, and nothing else.
  expect(passed.stderr).toBe('Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:v1) because resolved digest may not point to the same signed artifact, as tags are mutable.\n');
  expect(passed.code).toBe(0);
  expect(passed.stdout).toMatch(new RegExp(`\\nSuccessfully verified attestation application/vnd\\.cyclonedx: ${listed?.digest}\\n$`));
});

test('a YAML payload (media type from the file name) and JSON conditions; a missing type fails with exit 1', async () => {
  const attested = await runCli('attest', image, '--plain-http', '--type', 'vulnerability-scan', '--file', join(FIXTURES, 'vulnerability-scan.yaml'), '--key', files.key, '--cert', files.cert);
  expect(attested.code).toBe(0);
  const result = await verify('--attestation-type', 'vulnerability-scan', '--conditions', join(FIXTURES, 'no-critical.conditions.json'), '--attestation-type', 'sbom/spdx', '-o', 'json');
  expect(result.code).toBe(1);
  const json = JSON.parse(result.stdout) as { verified: boolean; error: { code: string; message: string }; attestations: { type: string; verified: boolean }[] };
  expect(json.verified).toBe(false);
  expect(json.error).toEqual({ code: 'ATTESTATION_NOT_FOUND', message: expect.stringMatching(/^failed to find attestation sbom\/spdx in image .*\/cli\/app@sha256:[0-9a-f]{64}$/) });
  expect(json.attestations.map((a) => [a.type, a.verified])).toEqual([
    ['vulnerability-scan', true],
    ['sbom/spdx', false],
  ]);
});

test.each([
  { name: 'a payload that is not what its media type says', args: ['attest', 'IMAGE', '--type', 't', '--file', join(FIXTURES, 'vulnerability-scan.yaml'), '--media-type', 'application/json', '--key', 'K', '--cert', 'C'], stderr: /is not valid JSON: .*; use --media-type to say how to read it \(USAGE\)\n$/ },
  { name: '--conditions before any --attestation-type', args: ['verify', 'IMAGE', '--conditions', join(FIXTURES, 'no-gpl.conditions.yaml')], stderr: /--conditions applies to the --attestation-type before it/ },
])('exit 2: $name', async ({ args, stderr }) => {
  const result = await runCli(...args.map((a) => (a === 'IMAGE' ? image : a === 'K' ? files.key : a === 'C' ? files.cert : a)), '--plain-http');
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(stderr);
});
