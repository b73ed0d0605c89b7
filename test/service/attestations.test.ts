// /checkimages with attestations (issue 13), against the real docker-registry: seed 000's request shape, signed SBOMs and their conditions.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ANNOTATION_CREATED, pushArtifact } from '../../src/oci/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { createTrustConfigDir, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from './harness.js';

const CYCLONEDX = 'application/vnd.cyclonedx';
const SBOM = 'sbom/cyclone-dx';
const SARIF = 'application/sarif+json';
const NO_GPL = { key: '\\{{ element.components[].licenses[].expression }}', operator: 'AllNotIn', value: ['GPL-2.0', 'GPL-3.0'] };
const NO_GPL_WITH_MESSAGE = { ...NO_GPL, message: 'GPL licences are not allowed' };

let signed: SignedRegistry;
let config: TrustConfigDir;
let service: RunningService;
let host: string;

const fixture = (name: string) => readFile(join(import.meta.dirname, '../fixtures/attest', name));

/** Push `file` as a referrer of `repository:tag` of artifact type `type` (as `oras attach`), signed (as `notation sign`) unless told otherwise. */
async function attach(repository: string, tag: string, type: string, file: string, options: { sign?: boolean; created?: string } = {}): Promise<string> {
  const store = signed.client.repository(host, repository);
  const subject = await store.resolve(tag);
  const pushed = await pushArtifact(store, {
    artifactType: type,
    subject,
    blobs: [{ mediaType: 'application/vnd.cyclonedx+json', bytes: await fixture(file) }],
    annotations: { [ANNOTATION_CREATED]: options.created ?? '2026-11-30T10:00:00Z' },
  });
  if (options.sign ?? true) await signed.sign(repository, pushed.descriptor.digest);
  return pushed.descriptor.digest;
}

async function image(repository: string): Promise<string> {
  const digest = (await signed.push(repository, 'v1', `image ${repository}`)).digest;
  await signed.sign(repository, 'v1');
  return digest;
}

/** Seed 000's `attestations`, verbatim but for the registry: escaped keys, `*` and a repository wildcard. */
const seedAttestations = () => [
  {
    imageReference: '*',
    type: [
      { name: SBOM, conditions: { all: [{ key: '\\{{creationInfo.licenseListVersion}}', operator: 'Equals', value: '3.17', message: 'invalid license version' }] } },
      { name: SARIF, conditions: { all: [NO_GPL] } },
    ],
  },
  { imageReference: `${host}/team/kyverno-demo*`, type: [{ name: CYCLONEDX, conditions: { all: [NO_GPL] } }] },
];

const check = (containers: Record<string, ReturnType<typeof kyvernoContainer>>, attestations: unknown) =>
  post(`${service.url}/checkimages`, { images: { containers }, attestations });

beforeAll(async () => {
  signed = await startSignedRegistry();
  host = signed.registry.host;
  config = await createTrustConfigDir('tp-attest', signed.chain.root.pem);
  await image('team/kyverno-demo');
  for (const type of [SBOM, SARIF, CYCLONEDX]) await attach('team/kyverno-demo', 'v1', type, '../conditions/sbom-cyclonedx.json');
  await image('team/gpl');
  await attach('team/gpl', 'v1', CYCLONEDX, '../conditions/sbom-cyclonedx-gpl.json');
  await image('team/unsigned-sbom');
  await attach('team/unsigned-sbom', 'v1', CYCLONEDX, '../conditions/sbom-cyclonedx.json', { sign: false });
  await image('team/no-sbom');
  await image('team/newest');
  await attach('team/newest', 'v1', CYCLONEDX, '../conditions/sbom-cyclonedx-gpl.json', { created: '2026-01-01T00:00:00Z' });
  await attach('team/newest', 'v1', CYCLONEDX, '../conditions/sbom-cyclonedx.json', { created: '2026-06-01T00:00:00Z' });
  await attach('team/newest', 'v1', CYCLONEDX, '../conditions/sbom-cyclonedx-gpl.json', { created: '2026-09-01T00:00:00Z', sign: false });
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-attest' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await config?.remove();
});

const failure = (name: string, repository: string) =>
  `failed to verify container ${name}: failed to verify image {{${host} ${repository.split('/').pop() ?? ''} ${repository} v1 } /spec/containers/0/image}: `;

describe('seed 000 request shape', () => {
  test('an image whose signed SBOM and report pass every condition → 200 with its digest', async () => {
    const answer = await check({ demo: kyvernoContainer(host, 'team/kyverno-demo', 'v1') }, seedAttestations());
    expect(answer.text).toMatch(/"verified": true/);
    expect(answer.status).toBe(200);
  });

  test('imageReference selects: an image the wildcard does not select needs only the "*" types', async () => {
    const attestations = [{ imageReference: `${host}/team/kyverno-demo*`, type: [{ name: CYCLONEDX, conditions: { all: [NO_GPL] } }] }];
    const answer = await check({ demo: kyvernoContainer(host, 'team/kyverno-demo', 'v1'), other: kyvernoContainer(host, 'team/no-sbom', 'v1', '/spec/containers/1/image') }, attestations);
    expect(answer.status).toBe(200);
    // The same entry with "*" selects both, and the image without the type fails.
    const all = await check({ other: kyvernoContainer(host, 'team/no-sbom', 'v1') }, [{ ...attestations[0], imageReference: '*' }]);
    expect(all.status).toBe(406);
    expect(all.text).toMatch(/failed to find attestation application\/vnd\.cyclonedx in image /);
  });
});

describe('406 reasons name the type and say why', () => {
  test("a GPL licence fails the condition: the condition's message", async () => {
    const answer = await check({ gpl: kyvernoContainer(host, 'team/gpl', 'v1') }, [{ imageReference: '*', type: [{ name: CYCLONEDX, conditions: { all: [NO_GPL_WITH_MESSAGE] } }] }]);
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(
      new RegExp(`^${escape(failure('gpl', 'team/gpl'))}attestation application/vnd\\.cyclonedx of ${escape(host)}/team/gpl@sha256:[0-9a-f]{64} \\(sha256:[0-9a-f]{64}\\): failed to evaluate conditions: .*GPL licences are not allowed`),
    );
  });

  test('an SBOM that is not signed does not count: "not signed by a trusted signer"', async () => {
    const answer = await check({ app: kyvernoContainer(host, 'team/unsigned-sbom', 'v1') }, [{ imageReference: '*', type: [{ name: CYCLONEDX }] }]);
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(
      new RegExp(`^${escape(failure('app', 'team/unsigned-sbom'))}attestation application/vnd\\.cyclonedx of .* is not signed by a trusted signer: the newest one failed with: no signature is associated with "${escape(host)}/team/unsigned-sbom@sha256:[0-9a-f]{64}"`),
    );
  });

  test('a missing type: "failed to find attestation <type>" (the peer\'s words)', async () => {
    const answer = await check({ app: kyvernoContainer(host, 'team/no-sbom', 'v1') }, [{ imageReference: '*', type: [{ name: CYCLONEDX }] }]);
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(new RegExp(`^${escape(failure('app', 'team/no-sbom'))}failed to find attestation application/vnd\\.cyclonedx in image ${escape(host)}/team/no-sbom@sha256:[0-9a-f]{64}\\n$`));
  });

  test('two types required, one missing: the missing one is named', async () => {
    const answer = await check({ gpl: kyvernoContainer(host, 'team/gpl', 'v1') }, [{ imageReference: '*', type: [{ name: CYCLONEDX }, { name: SBOM }] }]);
    expect(answer.status).toBe(406);
    expect(answer.text).toMatch(/: failed to find attestation sbom\/cyclone-dx in image /);
  });
});

test('the newest attestation whose signature passes decides: a newer unsigned one is ignored, an older one is not consulted', async () => {
  const attestations = [{ imageReference: '*', type: [{ name: CYCLONEDX, conditions: { all: [NO_GPL_WITH_MESSAGE] } }] }];
  const answer = await check({ app: kyvernoContainer(host, 'team/newest', 'v1') }, attestations);
  expect(answer.status).toBe(200);
});

test('attestation outcomes are cached by image, artifact, policy and conditions: a repeat lists referrers but reads nothing else', async () => {
  const counts = async () => {
    const counted: Record<string, number> = {};
    for (const { labels, value } of (await service.metrics.registryRequests.get()).values) counted[String(labels.operation)] = (counted[String(labels.operation)] ?? 0) + value;
    return counted;
  };
  const attestations = [{ imageReference: '*', type: [{ name: CYCLONEDX, conditions: { all: [{ ...NO_GPL, message: 'cache test' }] } }] }];
  const containers = { demo: kyvernoContainer(host, 'team/kyverno-demo', 'v1') };
  expect((await check(containers, attestations)).status).toBe(200);
  const before = await counts();
  expect((await check(containers, attestations)).status).toBe(200);
  const after = await counts();
  const delta = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
  expect(delta).toEqual({ resolve: 1, referrers: 1 });
  // Other conditions are another key: the artifact is read again.
  const changed = [{ imageReference: '*', type: [{ name: CYCLONEDX, conditions: { all: [{ ...NO_GPL, message: 'other conditions' }] } }] }];
  expect((await check(containers, changed)).status).toBe(200);
  expect((await counts()).fetchBlob ?? 0).toBeGreaterThan(after.fetchBlob ?? 0);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
