// `serve --local`: the service verifies with the notation config dir the CLI verifies with — one trust setup, as kyverno-notation-aws's --local.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runVerify } from '../../src/cli/commands/verify.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { kyvernoContainer, post, startSignedRegistry, type SignedRegistry } from './harness.js';

let work: string;
let signed: SignedRegistry;
let service: RunningService | undefined;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-serve-local-'));
  signed = await startSignedRegistry();
});
afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await rm(work, { recursive: true, force: true });
});

test('a signed image verifies through the CLI and /checkimages from one notation dir; requests naming no policy get the dir\'s', async () => {
  const notation = join(work, 'notation');
  await mkdir(join(notation, 'truststore', 'x509', 'ca', 'team'), { recursive: true });
  await writeFile(join(notation, 'truststore', 'x509', 'ca', 'team', 'root.crt'), signed.chain.root.pem);
  const scope = `${signed.registry.host}/app`;
  await writeFile(
    join(notation, 'trustpolicy.oci.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'team', registryScopes: [scope], signatureVerification: { level: 'strict' }, trustStores: ['ca:team'], trustedIdentities: ['*'] }] }),
  );
  const image = await signed.push('app', 'v1', 'local notation config');
  await signed.sign('app', image.digest);
  await signed.push('app', 'unsigned', 'nobody signed this');

  const text = { stdout: '', stderr: '' };
  const output = { stdout: (t: string) => void (text.stdout += t), stderr: (t: string) => void (text.stderr += t) };
  const cliOptions = { configDir: notation, userMetadata: [], pluginConfig: [], signatureScope: 'resolved' as const, maxSignatures: '10', timeout: '20', output: 'text' as const, revocationCache: false as const };
  expect(await runVerify(`${scope}@${image.digest}`, cliOptions, { registry: signed.client, output, env: {} })).toBe(0);
  expect(text.stdout).toBe(`Successfully verified signature for ${scope}@${image.digest}\n`);

  service = await startService({
    config: { notationDir: notation },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logger: pino({ level: 'silent' }),
    processMetrics: false,
  });
  expect(service.config.description).toBe(`notation:${notation}`);
  const verified = await post(`${service.url}/checkimages`, { images: { containers: { c: kyvernoContainer(signed.registry.host, 'app', 'v1') } } });
  expect(verified.status).toBe(200);
  expect(JSON.parse(verified.text)).toMatchObject({ verified: true, message: 'verified 1 image with trust policy notation', digests: { [`${scope}:v1`]: image.digest } });

  // Seed 000's curl, literally: `-d` (form content type), no jsonPointer, no trustPolicy.
  const seed = await post(
    `${service.url}/checkimages`,
    `{"images": {"containers":{"test":{"registry":"${signed.registry.host}","path":"app","name":"app","tag":"v1"}}}}`,
    { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  );
  expect([seed.status, JSON.parse(seed.text)]).toEqual([200, { verified: true, message: 'verified 1 image with trust policy notation', results: [], digests: { [`${scope}:v1`]: image.digest } }]);

  const unsigned = await post(`${service.url}/checkimages`, { images: { containers: { c: kyvernoContainer(signed.registry.host, 'app', 'unsigned') } } });
  expect(unsigned.status).toBe(406);
  expect(unsigned.text).toMatch(/^failed to verify container c: .*no signature is associated with/);
});
