// Trust-policy scopes against registry spellings (issue 9 M2): a strict scope cannot be bypassed by writing the registry differently.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { trustStoreYaml } from '../config/manifest-builders.js';
import { post, startSignedRegistry, type SignedRegistry } from './harness.js';

let signed: SignedRegistry;
let service: RunningService;
let configDir: string;
let port: number;
let unsignedDigest: string;
let signedDigest: string;

/** A strict statement for 127.0.0.1:<port>/app and a `*` statement at skip: the issue's bypass set-up. */
function trustPolicy(port: number): string {
  return [
    'apiVersion: notation.nirmata.io/v1alpha1',
    'kind: TrustPolicy',
    'metadata:',
    '  name: tp-scopes',
    'spec:',
    "  version: '1.0'",
    '  trustPolicies:',
    '  - name: strict-app',
    '    registryScopes:',
    `    - 127.0.0.1:${port}/app`,
    '    signatureVerification:',
    '      level: strict',
    '    trustStores:',
    '    - ca:tp-scopes-ts',
    '    trustedIdentities:',
    '    - "*"',
    '  - name: everything-else',
    '    registryScopes:',
    '    - "*"',
    '    signatureVerification:',
    '      level: skip',
    '',
  ].join('\n');
}

beforeAll(async () => {
  signed = await startSignedRegistry();
  port = Number(signed.registry.host.split(':')[1]);
  unsignedDigest = (await signed.push('app', 'unsigned', 'an image nobody signed')).digest;
  signedDigest = (await signed.push('app', 'signed', 'an image with a signature')).digest;
  await signed.sign('app', 'signed');
  configDir = await mkdtemp(join(tmpdir(), 'imgverify-scopes-'));
  await writeFile(join(configDir, 'truststore.yaml'), trustStoreYaml({ name: 'tp-scopes-ts', pem: signed.chain.root.pem }));
  await writeFile(join(configDir, 'trustpolicy.yaml'), trustPolicy(port));
  service = await startService({
    config: { dir: configDir, defaultTrustPolicy: 'tp-scopes' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logLevel: 'silent',
    processMetrics: false,
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

const image = (registry: string, tag: string) => ({
  registry,
  path: 'app',
  name: 'app',
  tag,
  digest: '',
  reference: `${registry}/app:${tag}`,
  referenceWithTag: `${registry}/app:${tag}`,
  jsonPointer: '/spec/containers/0/image',
});

test.each([
  ['the scope as written', () => `127.0.0.1:${port}`],
  ['a zero-padded port', () => `127.0.0.1:0${port}`],
])('%s selects the strict statement: the unsigned image is refused', async (_name, registry) => {
  const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: image(registry(), 'unsigned') } } });
  expect(answer.status).toBe(406);
  expect(answer.text).toContain(`no signature is associated with "${registry()}/app@${unsignedDigest}"`);
});

test('the patch names the registry canonically: 127.0.0.1:0P → 127.0.0.1:P', async () => {
  const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: image(`127.0.0.1:0${port}`, 'signed') } } });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.text)).toMatchObject({
    results: [{ op: 'replace', path: '/spec/containers/0/image', value: `127.0.0.1:${port}/app@${signedDigest}` }],
    digests: { [`127.0.0.1:0${port}/app:signed`]: signedDigest },
  });
});

test('localhost is another host name, not a spelling of 127.0.0.1: it gets "*", and loading the policy warned about exactly that', async () => {
  const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: image(`localhost:${port}`, 'unsigned') } } });
  expect(answer.status).toBe(200);
  const warnings = service.config.current().issues.filter((issue) => issue.code === 'WEAK_TRUST_POLICY');
  expect(warnings.map((w) => [w.severity, w.name, w.field, w.message.split(': an image')[0]])).toEqual([
    [
      'warning',
      'tp-scopes',
      'spec.trustPolicies[1].signatureVerification.level',
      'level "skip" with the global scope "*" turns off verification for every repository without a statement of its own',
    ],
    [
      'warning',
      'tp-scopes',
      'spec.trustPolicies[1].signatureVerification',
      'statement "everything-else" (scope "*", level skip) is weaker than statement "strict-app" (level strict; integrity skip instead of enforce, authenticity skip instead of enforce, authenticTimestamp skip instead of enforce, expiry skip instead of enforce, revocation skip instead of enforce)',
    ],
  ]);
});
