// notation habits the CLI keeps: version, the tag warning, signed user metadata, -v/-d, exit code 3 for
// "could not decide", and errors that name the flag to fix (issue 18).
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/cli/version.js';
import { runCli } from '../support/cli.js';
import { NOTARY_FIXTURES, REPO_ROOT } from '../support/fixtures.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';
const TRUST_POLICY = { version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:signer'], trustedIdentities: ['*'] }] };
/** A port nothing listens on: connections are refused at once. */
const CLOSED_REGISTRY = '127.0.0.1:1';

describe('notation parity of the CLI', () => {
  let root: string;
  let config: string;
  let image: string;
  let signatureDigest: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgverify-cli-parity-'));
    config = join(root, 'notation');
    image = join(root, 'layout');
    await cp(join(E2E, 'oci_layout', 'e2e'), image, { recursive: true });
    expect((await runCli('cert', 'generate-test', '--config-dir', config, '--key-type', 'ec-256', '--trust', 'signer')).code).toBe(0);
    await writeFile(join(config, 'trustpolicy.json'), JSON.stringify(TRUST_POLICY));
    const key = join(config, 'localkeys');
    const signed = await runCli('sign', '--oci-layout', '--key', join(key, 'signer.key'), '--cert', join(key, 'signer.crt'), '-m', 'io.wabbit-networks.buildId=123', '-m', 'team=blue', `${image}@${DIGEST}`);
    expect(signed.code).toBe(0);
    signatureDigest = /Pushed the signature to .*@(sha256:[0-9a-f]{64})/.exec(signed.stdout)?.[1] as string;
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('version and --version', async () => {
    expect(await runCli('version')).toEqual({ code: 0, stdout: `imgverify - verify Notary Project signatures on OCI images.\n\nVersion:          ${VERSION}\nNode.js version:  ${process.version}\n`, stderr: '' });
    expect(await runCli('--version')).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const packageJson = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(packageJson.version);
  });

  it('by digest: notation\'s result line and the signed user metadata table (keys sorted)', async () => {
    const result = await runCli('verify', '--oci-layout', '--config-dir', config, `${image}@${DIGEST}`);
    expect(result).toEqual({
      code: 0,
      stdout: [
        `Successfully verified signature for oci-layout:${image}@${DIGEST}`,
        '',
        'The artifact was signed with the following user metadata.',
        '',
        'KEY                          VALUE   ',
        'io.wabbit-networks.buildId   123     ',
        'team                         blue    ',
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  it('by tag: notation\'s warning on stderr, an empty line before the result', async () => {
    await runCli('copy', '--from-oci-layout', `${image}@${DIGEST}`, '--to-oci-layout', `${image}:v1`);
    const result = await runCli('verify', '--oci-layout', '--config-dir', config, `${image}:v1`);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      'Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:v1) because resolved digest may not point to the same signed artifact, as tags are mutable.\n',
    );
    expect(result.stdout.startsWith(`\nSuccessfully verified signature for oci-layout:${image}@${DIGEST}\n\nThe artifact`)).toBe(true);
  });

  it('-v adds the signature details; -d and -v are accepted by every command', async () => {
    const result = await runCli('verify', '-v', '--oci-layout', '--config-dir', config, `${image}@${DIGEST}`);
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      `Successfully verified signature for oci-layout:${image}@${DIGEST}`,
      expect.stringMatching(new RegExp(`^  signature: ${signatureDigest} \\(application/jose\\+json, notary\\.x509, signed \\d{4}-`)),
      '  signer: C=US, ST=WA, L=Seattle, O=Notary, CN=signer',
      '  trust policy statement: all (strict)',
    ]);
    for (const args of [['discover', '-d', '-v', '--help'], ['cert', 'generate-test', '-d', '--help'], ['manifest', 'fetch', '--verbose', '--help']]) {
      expect((await runCli(...args)).code).toBe(0);
    }
  });

  it('a registry that does not answer: exit 3 (could not decide), not "signature verification failed"', async () => {
    const result = await runCli('verify', '--plain-http', '--config-dir', config, `${CLOSED_REGISTRY}/app@${DIGEST}`);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^Error: resolve 127\.0\.0\.1:1\/app@sha256:[0-9a-f]{64}: ECONNREFUSED: .*\(REGISTRY_UNAVAILABLE\)\n$/);
  });

  it('-d prints the causes under an error', async () => {
    const broken = join(root, 'broken-config.json');
    await writeFile(broken, '{"auths": {');
    const args = ['--registry-config', broken, '--config-dir', config, `${CLOSED_REGISTRY}/app@${DIGEST}`];
    const plain = await runCli('verify', ...args);
    expect(plain).toEqual({ code: 2, stdout: '', stderr: `Error: ${broken} is not valid JSON at line 1, column 12 (CREDENTIALS_UNAVAILABLE)\n` });
    const debug = await runCli('verify', '-d', ...args);
    expect(debug.code).toBe(2);
    expect(debug.stderr).toMatch(new RegExp(`^Error: ${broken} is not valid JSON at line 1, column 12 \\(CREDENTIALS_UNAVAILABLE\\)\n  caused by: .*JSON.*\n$`));
  });

  it('a trust policy that is not JSON: line and column', async () => {
    const broken = join(root, 'broken-policy');
    await cp(config, broken, { recursive: true });
    await writeFile(join(broken, 'trustpolicy.json'), '{\n  "version": "1.0"\n  "trustPolicies": []\n}\n');
    const result = await runCli('verify', '--oci-layout', '--config-dir', broken, `${image}@${DIGEST}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ is not valid JSON at line 3, column 3 \(.*\); fix the syntax \(INVALID_TRUST_POLICY\)\n$/);
  });

  it.each([
    {
      name: 'a path without --oci-layout',
      args: ['verify', '--config-dir', '$CONFIG', './out:v1'],
      stderr: /^Error: invalid reference "\.\/out:v1": .*\. \.\/out is a path: to verify an OCI image layout, add --oci-layout \(USAGE\)\n$/,
    },
    { name: 'a missing --config-dir', args: ['verify', '--config-dir', '$ROOT/missing', `${CLOSED_REGISTRY}/app@${DIGEST}`], stderr: /^Error: --config-dir .*\/missing does not exist or cannot be read \(ENOENT\); pass a notation config dir/ },
    { name: 'a file as --config-dir', args: ['verify', '--config-dir', '$CONFIG/trustpolicy.json', `${CLOSED_REGISTRY}/app@${DIGEST}`], stderr: /^Error: --config-dir .*trustpolicy\.json is not a directory;/ },
    {
      name: 'an unreadable --registry-config, though no registry asks for credentials',
      args: ['verify', '--plain-http', '--registry-config', '$ROOT/nope.json', '--config-dir', '$CONFIG', `${CLOSED_REGISTRY}/app@${DIGEST}`],
      stderr: /^Error: --registry-config .*\/nope\.json cannot be read: ENOENT.* \(USAGE\)\n$/,
    },
  ])('$name → exit 2 naming the fix', async ({ args, stderr }) => {
    const result = await runCli(...args.map((arg) => arg.replace('$CONFIG', config).replace('$ROOT', root)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(stderr);
    expect(result.stderr).not.toContain('signature verification failed');
  });
});
