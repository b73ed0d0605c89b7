// `imgverify manifest fetch` on OCI layouts and the real registry, with and without Basic auth (and `verify`'s exit code when the registry refuses the password).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runManifestFetch } from '../../src/cli/commands/manifest.js';
import { registryClientFromOptions } from '../../src/cli/options.js';
import { pushImage, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { htpasswdAuthYaml, writeHtpasswd } from '../support/htpasswd.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { runCli } from '../support/cli.js';

const LAYOUT = join(NOTARY_FIXTURES, 'notation-e2e/oci_layout/e2e');
const IMAGE = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

let work: string;
let registry: RegistryServer;
let pushed: { digest: string; size: number; bytes: Uint8Array };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-cli-inspect-'));
  const htpasswd = join(work, 'htpasswd');
  await writeHtpasswd(htpasswd, { carol: 'inspect-pass' });
  registry = await startRegistry({ authYaml: htpasswdAuthYaml(htpasswd) });
  // A trust policy for `verify`: the registry refuses the password before it matters.
  await mkdir(join(work, 'notation'));
  await writeFile(
    join(work, 'notation', 'trustpolicy.oci.json'),
    JSON.stringify({ version: '1.0', trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:none'], trustedIdentities: ['*'] }] }),
  );
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: 'carol', password: 'inspect-pass' }) });
  try {
    const image = await pushImage(client.repository(registry.host, 'private/app'), { tag: 'v1', layers: [new TextEncoder().encode('x')] });
    pushed = { digest: image.descriptor.digest, size: image.bytes.length, bytes: image.bytes };
  } finally {
    await client.close();
  }
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('imgverify manifest fetch', () => {
  test('an OCI layout tag: descriptor lines, then the manifest as stored', async () => {
    const run = await runCli('manifest', 'fetch', '--oci-layout', `${LAYOUT}:v1`);
    const manifest = JSON.parse(await readFile(join(LAYOUT, 'blobs/sha256', IMAGE.slice(7)), 'utf8')) as unknown;
    expect(run).toEqual({
      code: 0,
      stdout: [`Reference:    ${LAYOUT}@${IMAGE}`, `Digest:       ${IMAGE}`, 'MediaType:    application/vnd.oci.image.manifest.v1+json', 'Size:         517', '', JSON.stringify(manifest, null, 2), ''].join('\n'),
      stderr: '',
    });
  });

  test('-o json', async () => {
    const run = await runCli('manifest', 'fetch', '-o', 'json', '--oci-layout', `${LAYOUT}@${IMAGE}`);
    const parsed = JSON.parse(run.stdout) as { reference: string; descriptor: unknown; manifest: { config: { mediaType: string } } };
    expect(parsed.reference).toBe(`${LAYOUT}@${IMAGE}`);
    expect(parsed.descriptor).toEqual({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: IMAGE, size: 517 });
    expect(parsed.manifest.config.mediaType).toBe('application/vnd.notation.config');
  });

  test('a registry behind Basic auth with --username/--password (warns about the command line)', async () => {
    const run = await runCli('manifest', 'fetch', '--plain-http', '-o', 'json', '-u', 'carol', '-p', 'inspect-pass', `${registry.host}/private/app:v1`);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/use --password-stdin/);
    expect(JSON.parse(run.stdout)).toMatchObject({ reference: `${registry.host}/private/app@${pushed.digest}`, descriptor: { digest: pushed.digest, size: pushed.size } });
  });

  test('a registry behind Basic auth with --registry-config', async () => {
    const config = join(work, 'config.json');
    await writeFile(config, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('carol:inspect-pass').toString('base64') } } }));
    const run = await runCli('manifest', 'fetch', '--plain-http', '--registry-config', config, `${registry.host}/private/app:v1`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Digest:       ${pushed.digest}`);
  });

  test('--password-stdin reads the password (trailing newline dropped) and warns about nothing', async () => {
    let stdout = '';
    let stderr = '';
    const warnings: string[] = [];
    const client = registryClientFromOptions({ plainHttp: true, username: 'carol', passwordStdin: true }, { readStdin: () => 'inspect-pass\n', warn: (t) => void warnings.push(t) });
    try {
      const code = await runManifestFetch(`${registry.host}/private/app:v1`, { output: 'text' }, { client, output: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) } });
      expect({ code, stderr, warnings }).toEqual({ code: 0, stderr: '', warnings: [] });
      expect(stdout).toContain(pushed.digest);
    } finally {
      await client.close();
    }
  });

  test('-u NAME without a password: the password is asked for (on a terminal, not echoed) and used', async () => {
    let stdout = '';
    const asked: string[] = [];
    const client = registryClientFromOptions({ plainHttp: true, username: 'carol' }, { promptPassword: (username) => (asked.push(username), 'inspect-pass') });
    try {
      const code = await runManifestFetch(`${registry.host}/private/app:v1`, { output: 'text' }, { client, output: { stdout: (t) => void (stdout += t), stderr: () => undefined } });
      expect({ code, asked }).toEqual({ code: 0, asked: ['carol'] });
      expect(stdout).toContain(pushed.digest);
    } finally {
      await client.close();
    }
  });

  test.each([
    // Credentials missing or refused are configuration to fix (2), not "could not decide" (3).
    { name: 'no credentials', args: (host: string) => ['manifest', 'fetch', '--plain-http', `${host}/private/app:v1`], code: 2, stderr: /requires a username and password.*\(UNAUTHORIZED\)/ },
    { name: 'wrong password', args: (host: string) => ['manifest', 'fetch', '--plain-http', '-u', 'carol', '-p', 'nope-nope', `${host}/private/app:v1`], code: 2, stderr: /rejected the credentials \(HTTP 401\).*\(UNAUTHORIZED\)\n$/ },
    {
      name: 'verify with a wrong password',
      args: (host: string) => ['verify', '--plain-http', '--config-dir', join(work, 'notation'), '-u', 'carol', '-p', 'nope-nope', `${host}/private/app:v1`],
      code: 2,
      stderr: /\nError: resolve .*rejected the credentials \(HTTP 401\); check the username\/password or registry config \(UNAUTHORIZED\)\n$/,
    },
    { name: 'username without password', args: (host: string) => ['manifest', 'fetch', '--plain-http', '-u', 'carol', `${host}/private/app:v1`], code: 2, stderr: /--username carol needs a password and standard input is not a terminal to ask for it: pipe it with --password-stdin/ },
    { name: 'both password flags', args: (host: string) => ['manifest', 'fetch', '--plain-http', '-u', 'carol', '-p', 'x', '--password-stdin', `${host}/private/app:v1`], code: 2, stderr: /exclude each other/ },
    { name: 'HTTPS to a plain-HTTP registry', args: (host: string) => ['manifest', 'fetch', '--timeout', '20', `${host}/private/app:v1`], code: 3, stderr: /REGISTRY_UNAVAILABLE|TIMEOUT/ },
  ])('$name → exit $code', async ({ args, code, stderr }) => {
    const run = await runCli(...args(registry.host));
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(stderr);
    expect(run.stderr).not.toContain('nope-nope');
  });
});
