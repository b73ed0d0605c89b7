// Docker config.json lookups and docker-credential-<name> helpers (real helper processes on PATH).
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { credentialsFromDockerConfig, dockerConfigCredentials, OciError } from '../../src/oci/index.js';
import { runCredentialHelper, type Credential } from '../../src/oci/auth/index.js';
import { rejectionOf } from '../support/errors.js';

let work: string;
let savedPath: string | undefined;

/** Helpers by name: each prints what the shell snippet says for the server URL read on stdin. */
const HELPERS: Record<string, string> = {
  good: `read server; echo '{"ServerURL":"'"$server"'","Username":"user-for-'"$server"'","Secret":"pw"}'`,
  token: `read server; echo '{"Username":"<token>","Secret":"refresh"}'`,
  missing: `read server; echo "credentials not found in native keychain"; exit 1`,
  broken: `read server; echo "oops secret-ish output"; exit 3`,
  garbage: `read server; echo 'not json'`,
  slow: `sleep 5`,
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-creds-'));
  const bin = join(work, 'bin');
  await mkdir(bin);
  for (const [name, body] of Object.entries(HELPERS)) {
    const file = join(bin, `docker-credential-${name}`);
    await writeFile(file, `#!/bin/sh\n${body}\n`);
    await chmod(file, 0o755);
  }
  savedPath = process.env.PATH;
  process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
});
afterAll(async () => {
  process.env.PATH = savedPath;
  await rm(work, { recursive: true, force: true });
});

describe('credential helpers', () => {
  test.each([
    { helper: 'good', registry: 'reg.example:5000', expected: { username: 'user-for-reg.example:5000', password: 'pw' } as Credential | undefined },
    { helper: 'good', registry: 'docker.io', expected: { username: 'user-for-https://index.docker.io/v1/', password: 'pw' } },
    { helper: 'token', registry: 'reg.example', expected: { identityToken: 'refresh' } },
    { helper: 'missing', registry: 'reg.example', expected: undefined },
  ])('$helper for $registry', async ({ helper, registry, expected }) => {
    expect(await runCredentialHelper(helper, registry)).toEqual(expected);
  });

  test.each([
    { helper: 'broken', message: /exited with code 3/ },
    { helper: 'garbage', message: /not \{"Username","Secret"\} JSON/ },
    { helper: 'absent', message: /docker-credential-absent is not on PATH/ },
    { helper: '../evil', message: /not a plain program suffix/ },
  ])('$helper → CREDENTIALS_UNAVAILABLE', async ({ helper, message }) => {
    const error = await rejectionOf(OciError, runCredentialHelper(helper, 'reg.example'));
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('secret-ish');
  });

  test('a helper that hangs is killed after the timeout', async () => {
    const started = Date.now();
    const error = await rejectionOf(OciError, runCredentialHelper('slow', 'reg.example', { timeoutMs: 300 }));
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('config.json lookup order and keys', () => {
  const config = {
    auths: {
      'https://index.docker.io/v1/': { auth: Buffer.from('hub-user:hub-pass').toString('base64') },
      'http://plain.example:5000/v2/': { username: 'u', password: 'p' },
      'store-hint.example': {},
      'token.example': { identitytoken: 'idt' },
    },
    credHelpers: { 'helped.example': 'good' },
  };

  test.each([
    { registry: 'docker.io', expected: { username: 'hub-user', password: 'hub-pass' } as Credential | undefined },
    { registry: 'plain.example:5000', expected: { username: 'u', password: 'p' } },
    { registry: 'token.example', expected: { identityToken: 'idt' } },
    { registry: 'helped.example', expected: { username: 'user-for-helped.example', password: 'pw' } },
    { registry: 'store-hint.example', expected: undefined },
    { registry: 'unknown.example', expected: undefined },
  ])('$registry', async ({ registry, expected }) => {
    expect(await credentialsFromDockerConfig(config)(registry)).toEqual(expected);
  });

  test('credsStore is asked for every registry without a credHelpers entry', async () => {
    const provider = credentialsFromDockerConfig({ credsStore: 'good', auths: { 'x.example': { username: 'file', password: 'file' } } });
    expect(await provider('x.example')).toEqual({ username: 'user-for-x.example', password: 'pw' });
    const fallback = credentialsFromDockerConfig({ credsStore: 'missing', auths: { 'x.example': { username: 'file', password: 'file' } } });
    expect(await fallback('x.example')).toEqual({ username: 'file', password: 'file' });
  });

  test.each([
    { name: 'missing named file', setup: async () => join(work, 'nope.json'), code: 'CREDENTIALS_UNAVAILABLE' },
    { name: 'not JSON', setup: async () => { const f = join(work, 'bad.json'); await writeFile(f, '{'); return f; }, code: 'CREDENTIALS_UNAVAILABLE' },
    { name: 'auth not user:pass', setup: async () => { const f = join(work, 'bad-auth.json'); await writeFile(f, JSON.stringify({ auths: { 'a.example': { auth: Buffer.from('nocolon').toString('base64') } } })); return f; }, code: 'CREDENTIALS_UNAVAILABLE' },
  ])('$name → $code', async ({ setup, code }) => {
    const path = await setup();
    expect((await rejectionOf(OciError, dockerConfigCredentials(path)('a.example'))).code).toBe(code);
  });

  test('no default config file means anonymous', async () => {
    const saved = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = join(work, 'no-such-dir');
    try {
      expect(await dockerConfigCredentials()('a.example')).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = saved;
    }
  });
});
