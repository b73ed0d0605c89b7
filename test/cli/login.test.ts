// `imgverify login | logout` against a real docker-registry with htpasswd auth: checked first, then kept in the Docker config that later commands read; `-u` without a password outside a terminal says what to pass.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runLogin } from '../../src/cli/commands/login.js';
import { pushImage, RegistryClient, staticCredentials } from '../../src/oci/index.js';
import { htpasswdAuthYaml, writeHtpasswd } from '../support/htpasswd.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { runCli } from '../support/cli.js';

let work: string;
let registry: RegistryServer;
let digest: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-cli-login-'));
  const htpasswd = join(work, 'htpasswd');
  await writeHtpasswd(htpasswd, { dave: 'login-pass' });
  registry = await startRegistry({ authYaml: htpasswdAuthYaml(htpasswd) });
  const client = new RegistryClient({ plainHttpForLocalhost: true, credentials: staticCredentials({ username: 'dave', password: 'login-pass' }) });
  try {
    digest = (await pushImage(client.repository(registry.host, 'private/app'), { tag: 'v1', layers: [new Uint8Array([9])] })).descriptor.digest;
  } finally {
    await client.close();
  }
});
afterAll(async () => {
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

const capture = () => {
  const text = { stdout: '', stderr: '' };
  return { text, output: { stdout: (t: string) => void (text.stdout += t), stderr: (t: string) => void (text.stderr += t) } };
};

test('login checks the credentials, keeps them in the Docker config (other fields kept), inspect uses them, logout removes them', async () => {
  const config = join(work, 'docker', 'config.json');
  // A wrong password is refused by the registry, and nothing is written.
  const rejected = capture();
  expect(await runLogin(registry.host, { username: 'dave', passwordStdin: true, registryConfig: config }, { output: rejected.output, readStdin: () => 'nope\n' })).toBe(1); // refused credentials are login's definite answer (notation: 1), not verify's "could not decide" (3)
  expect(rejected.text.stderr).toMatch(/rejected the credentials \(HTTP 401\).*\(UNAUTHORIZED\)\n$/);
  await expect(stat(config)).rejects.toThrow();

  await mkdir(join(work, 'docker'));
  await writeFile(config, JSON.stringify({ auths: { 'other.example': { auth: 'eDp5' } }, psFormat: 'table' }));
  const ok = capture();
  expect(await runLogin(registry.host, { username: 'dave', passwordStdin: true, registryConfig: config }, { output: ok.output, readStdin: () => 'login-pass\n' })).toBe(0);
  expect(ok.text.stdout).toBe('Login Succeeded\n');
  expect(ok.text.stderr).toContain(`WARNING! Your credentials are stored unencrypted in '${config}'.`);
  expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({
    auths: { 'other.example': { auth: 'eDp5' }, [registry.host]: { auth: Buffer.from('dave:login-pass').toString('base64') } },
    psFormat: 'table',
  });
  expect((await stat(config)).mode & 0o777).toBe(0o600);
  const inspected = await runCli('manifest', 'fetch', `${registry.host}/private/app:v1`, '--registry-config', config, '--plain-http', '-o', 'json');
  expect(inspected.code).toBe(0);
  expect(JSON.parse(inspected.stdout)).toMatchObject({ descriptor: { digest } });

  const out = await runCli('logout', registry.host, '--registry-config', config);
  expect(out).toEqual({ code: 0, stdout: 'Logout Succeeded\n', stderr: '' });
  expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({ auths: { 'other.example': { auth: 'eDp5' } }, psFormat: 'table' });
});

test('a config whose credential helper owns the registry is not written behind its back', async () => {
  const config = join(work, 'helper.json');
  await writeFile(config, JSON.stringify({ credHelpers: { [registry.host]: 'pass' } }));
  const result = capture();
  expect(await runLogin(registry.host, { username: 'dave', passwordStdin: true, registryConfig: config }, { output: result.output, readStdin: () => 'login-pass' })).toBe(2);
  expect(result.text.stderr).toContain('credential helper docker-credential-pass');
  expect(JSON.parse(await readFile(config, 'utf8'))).toEqual({ credHelpers: { [registry.host]: 'pass' } });
});

test('-u NAME without a password: asked on a terminal; outside one, the error says what to pass', async () => {
  const result = await runCli('manifest', 'fetch', `${registry.host}/private/app:v1`, '-u', 'dave');
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    'Error: --username dave needs a password and standard input is not a terminal to ask for it: pipe it with --password-stdin (or give --password) (USAGE)\n',
  );
  const prompted = capture();
  const questions: string[] = [];
  const prompt = (question: string, secret: boolean) => (questions.push(`${question}${secret}`), question === 'Username: ' ? 'dave' : 'login-pass');
  expect(await runLogin(registry.host, { registryConfig: join(work, 'prompted.json') }, { output: prompted.output, prompt })).toBe(0);
  expect(questions).toEqual(['Username: false', 'Password: true']);
});
