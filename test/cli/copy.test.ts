// `imgverify copy` between the upstream notation layouts, the real registry and new layouts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseLayoutReference } from '../../src/cli/options.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { runCli } from '../support/cli.js';
import { layoutBlobFiles } from '../support/layout.js';

const LAYOUTS = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout');
const IMAGE = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

let work: string;
let registry: RegistryServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-cli-copy-'));
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('imgverify copy', () => {
  test.each(['e2e-valid-signature', 'e2e-invalid-signature'])('%s: layout → registry → new layout with -r is byte-identical, signatures included', async (layout) => {
    const up = await runCli('copy', '-r', '--plain-http', '--from-oci-layout', `${join(LAYOUTS, layout)}:v1`, `${registry.host}/notation/${layout}:v1`);
    expect(up).toEqual({
      code: 0,
      stdout: `Copied ${join(LAYOUTS, layout)}:v1 => ${registry.host}/notation/${layout}:v1\nDigest: ${IMAGE}\nCopied 1 manifest(s), 3 blob(s), 1 referrer(s)\n`,
      stderr: '',
    });
    const target = join(work, layout);
    const down = await runCli('copy', '-r', '--plain-http', '-o', 'json', `${registry.host}/notation/${layout}:v1`, '--to-oci-layout', target);
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({
      source: `${registry.host}/notation/${layout}@${IMAGE}`,
      destination: `${target}:v1`,
      digest: IMAGE,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: 517,
      manifests: 1,
      blobs: 3,
      referrers: 1,
    });
    const expected = await layoutBlobFiles(join(LAYOUTS, layout));
    const actual = await layoutBlobFiles(target);
    expect([...actual.keys()]).toEqual([...expected.keys()]);
    for (const [name, bytes] of expected) expect(actual.get(name)?.equals(bytes), name).toBe(true);
    // And the copy verifies like the original: its signature is discoverable in the new layout.
    const discover = await runCli('discover', '--oci-layout', `${target}:v1`);
    expect(discover.stdout).toContain('application/vnd.cncf.notary.signature');
  });

  test('without -r only the image is copied; a digest source keeps no tag unless one is named', async () => {
    const plain = await runCli('copy', '--plain-http', '--from-oci-layout', `${join(LAYOUTS, 'e2e-valid-signature')}@${IMAGE}`, `${registry.host}/plain/app`);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`=> ${registry.host}/plain/app@${IMAGE}`);
    expect(plain.stdout).toContain('0 referrer(s)');
    const tagged = await runCli('copy', '--plain-http', `${registry.host}/plain/app@${IMAGE}`, `${registry.host}/plain/app:copied`);
    expect(tagged.stdout).toContain(`=> ${registry.host}/plain/app:copied`);
    const inspect = await runCli('manifest', 'fetch', '--plain-http', `${registry.host}/plain/app:copied`);
    expect(inspect.stdout).toContain(`Digest:       ${IMAGE}`);
    const discover = await runCli('discover', '--plain-http', `${registry.host}/plain/app:copied`);
    expect(discover.stdout).toBe(`${registry.host}/plain/app@${IMAGE}\n`);
  });

  test('layout → layout under a new tag', async () => {
    const target = join(work, 'retagged');
    const run = await runCli('copy', '-r', '--from-oci-layout', `${join(LAYOUTS, 'e2e-valid-signature')}:v1`, '--to-oci-layout', `${target}:release`);
    expect(run.code).toBe(0);
    const inspect = await runCli('manifest', 'fetch', '--oci-layout', `${target}:release`);
    expect(inspect.stdout).toContain(`Digest:       ${IMAGE}`);
  });

  test("oras's form: the layout flags as booleans, the arguments the layout paths (flags first, last, or both at once)", async () => {
    const source = `${join(LAYOUTS, 'e2e-valid-signature')}:v1`;
    const up = await runCli('copy', '--plain-http', source, `${registry.host}/oras/app:v1`, '--from-oci-layout');
    expect([up.code, up.stdout.split('\n')[0]]).toEqual([0, `Copied ${source} => ${registry.host}/oras/app:v1`]);
    const down = join(work, 'oras-down');
    const fetched = await runCli('copy', '-r', '--plain-http', `${registry.host}/oras/app:v1`, `${down}:v2`, '--to-oci-layout');
    expect(fetched.code).toBe(0);
    expect((await runCli('manifest', 'fetch', '--oci-layout', `${down}:v2`)).stdout).toContain(`Digest:       ${IMAGE}`);
    const both = join(work, 'oras-both');
    const local = await runCli('copy', '-r', '--from-oci-layout', '--to-oci-layout', source, `${both}:v3`);
    expect([local.code, local.stdout.split('\n')[0]]).toEqual([0, `Copied ${source} => ${both}:v3`]);
    expect((await runCli('discover', '--oci-layout', `${both}:v3`)).stdout).toContain('application/vnd.cncf.notary.signature');
  });

  test.each([
    { name: 'no destination', args: () => ['copy', `${registry.host}/a:v1`], code: 2, stderr: /needs a source and a destination/ },
    { name: 'extra argument', args: () => ['copy', '--from-oci-layout', `${LAYOUTS}/e2e:v1`, `${registry.host}/a:v1`, 'extra'], code: 2, stderr: /unexpected extra argument|too many arguments/ },
    { name: 'bad destination reference', args: () => ['copy', '--from-oci-layout', `${LAYOUTS}/e2e:v1`, 'UPPER/Case:v1'], code: 2, stderr: /INVALID_REFERENCE/ },
    { name: 'source layout without a tag', args: () => ['copy', '--from-oci-layout', `${LAYOUTS}/e2e`, '--to-oci-layout', join(work, 'x')], code: 2, stderr: /name what to copy/ },
    { name: 'missing source layout', args: () => ['copy', '--from-oci-layout', '/nonexistent:v1', '--to-oci-layout', join(work, 'y')], code: 2, stderr: /INVALID_LAYOUT/ },
    { name: 'destination digest differs', args: () => ['copy', '--plain-http', '--from-oci-layout', `${LAYOUTS}/e2e:v1`, `${registry.host}/a@sha256:${'0'.repeat(64)}`], code: 2, stderr: /names digest sha256:0+ but the source is/ },
    { name: 'unknown source tag', args: () => ['copy', '--plain-http', `${registry.host}/notation/e2e-valid-signature:nope`, '--to-oci-layout', join(work, 'z')], code: 1, stderr: /MANIFEST_NOT_FOUND/ },
  ])('$name → exit $code', async ({ args, code, stderr }) => {
    const run = await runCli(...args());
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(stderr);
  });
});

test.each([
  { value: 'out', expected: { path: 'out' } },
  { value: './dir/layout:v1', expected: { path: './dir/layout', target: 'v1' } },
  { value: '/abs/lay.out@sha256:abc', expected: { path: '/abs/lay.out', target: 'sha256:abc' } },
  { value: 'host:5000/dir', expected: { path: 'host:5000/dir' } },
  { value: 'C:layout', expected: { path: 'C', target: 'layout' } },
])('parseLayoutReference($value)', ({ value, expected }) => {
  expect(parseLayoutReference(value)).toEqual(expected);
});
