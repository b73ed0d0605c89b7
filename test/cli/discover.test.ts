// `imgverify discover` against the real registry (tag schema), the Referrers API double and OCI layouts.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyGraph, OciLayoutStore, pushImage, RegistryClient } from '../../src/oci/index.js';
import { pushArtifact } from '../../src/oci/push.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { runCli } from '../support/cli.js';

const LAYOUTS = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');
const IMAGE = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const SIGNATURE = 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f';
const SIGNATURE_TYPE = 'application/vnd.cncf.notary.signature';
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

let registry: RegistryServer;
let double: ReferrersRegistryDouble;
let client: RegistryClient;

beforeAll(async () => {
  [registry, double] = await Promise.all([startRegistry(), startReferrersRegistryDouble({ pageSize: 1 })]);
  client = new RegistryClient({ plainHttpForLocalhost: true });
  await copyGraph(await OciLayoutStore.open(join(LAYOUTS, 'e2e-valid-signature')), client.repository(registry.host, 'e2e'), 'v1', { recursive: true });
});
afterAll(async () => {
  await client?.close();
  await Promise.all([registry?.stop(), double?.stop()]);
});

describe('imgverify discover', () => {
  test('shows the signature referrer of e2e-valid-signature in the registry (tag-schema fallback)', async () => {
    const run = await runCli('discover', '--plain-http', `${registry.host}/e2e:v1`);
    expect(run).toEqual({
      code: 0,
      stdout: [`${registry.host}/e2e@${IMAGE}`, `└── ${SIGNATURE_TYPE}`, `    └── ${SIGNATURE}`, ''].join('\n'),
      stderr: '',
    });
  });

  test('-o json lists nodes with reference, media type, digest, size, artifact type and annotations', async () => {
    const run = await runCli('discover', '--plain-http', '-o', 'json', `${registry.host}/e2e@${IMAGE}`);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      reference: `${registry.host}/e2e@${IMAGE}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: IMAGE,
      size: 517,
      manifests: [
        {
          reference: `${registry.host}/e2e@${SIGNATURE}`,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: SIGNATURE,
          size: 728,
          artifactType: SIGNATURE_TYPE,
          annotations: {
            'io.cncf.notary.x509chain.thumbprint#S256': '["e38aea13f2b051f7183cca64a51ee676f4d4456f41d9fecf15eb367efc7343b9"]',
            'org.opencontainers.image.created': '2023-06-27T05:30:33Z',
          },
          manifests: [],
        },
      ],
    });
  });

  test.each([
    { layout: 'e2e-valid-signature', lines: [`└── ${SIGNATURE_TYPE}`, `    └── ${SIGNATURE}`] },
    { layout: 'e2e-invalid-signature', lines: [`└── ${SIGNATURE_TYPE}`, '    └── sha256:321fcc674d6771dd0e5bd21e599f2df3a482de99a400fd3a3fe371221b97a9c9'] },
    { layout: 'e2e', lines: [] as string[] },
  ])('--oci-layout $layout', async ({ layout, lines }) => {
    const path = join(LAYOUTS, layout);
    const run = await runCli('discover', '--oci-layout', `${path}:v1`);
    expect(run.stdout).toBe([`${path}@${IMAGE}`, ...lines, ''].join('\n'));
  });

  test('nested referrers and several artifact types over the Referrers API (one referrer per page)', async () => {
    const repo = client.repository(double.host, 'app');
    const image = await pushImage(repo, { tag: 'v1', layers: [text('app')] });
    const sbom = await pushArtifact(repo, { artifactType: 'application/spdx+json', subject: image.descriptor, blobs: [{ mediaType: 'application/spdx+json', bytes: text('{}') }] });
    const sbomSignature = await pushArtifact(repo, { artifactType: SIGNATURE_TYPE, subject: sbom.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text('{"s":1}') }] });
    const signature = await pushArtifact(repo, { artifactType: SIGNATURE_TYPE, subject: image.descriptor, blobs: [{ mediaType: 'application/jose+json', bytes: text('{"s":2}') }] });
    const run = await runCli('discover', '--plain-http', `${double.host}/app:v1`);
    expect(run.code).toBe(0);
    // The double lists referrers by digest; group order follows the first appearance.
    const [first, second] = [sbom, signature].sort((a, b) => a.descriptor.digest.localeCompare(b.descriptor.digest));
    const block = (node: typeof sbom): string[] =>
      node === sbom
        ? ['application/spdx+json', `    └── ${sbom.descriptor.digest}`, `        └── ${SIGNATURE_TYPE}`, `            └── ${sbomSignature.descriptor.digest}`]
        : [SIGNATURE_TYPE, `    └── ${signature.descriptor.digest}`];
    const [a, ...aRest] = block(first!);
    const [b, ...bRest] = block(second!);
    expect(run.stdout).toBe(
      [`${double.host}/app@${image.descriptor.digest}`, `├── ${a}`, ...aRest.map((l) => `│${l.slice(1)}`), `└── ${b}`, ...bRest, ''].join('\n'),
    );
    const filtered = await runCli('discover', '--plain-http', '--artifact-type', 'application/spdx+json', '--depth', '1', `${double.host}/app:v1`);
    expect(filtered.stdout).toBe([`${double.host}/app@${image.descriptor.digest}`, '└── application/spdx+json', `    └── ${sbom.descriptor.digest}`, ''].join('\n'));
  });

  test.each([
    { args: ['discover', 'Not/A/Ref'], code: 2, stderr: /INVALID_REFERENCE/ },
    { args: ['discover', '--oci-layout', '/nonexistent/layout:v1'], code: 2, stderr: /INVALID_LAYOUT/ },
    { args: ['discover', '--oci-layout', join(LAYOUTS, 'e2e')], code: 2, stderr: /name a tag or digest/ },
    { args: ['discover', '--depth', '0', '--oci-layout', join(LAYOUTS, 'e2e') + ':v1'], code: 2, stderr: /--depth must be/ },
    { args: ['discover', '--oci-layout', join(LAYOUTS, 'e2e') + ':nope'], code: 1, stderr: /MANIFEST_NOT_FOUND/ },
  ])('$args → exit $code', async ({ args, code, stderr }) => {
    const run = await runCli(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(stderr);
    expect(run.stdout).toBe('');
  });
});
