// Auth against the real docker-registry: htpasswd Basic auth, and token auth with a token-server
// double (Bearer challenge, scopes, token caching, refresh-token grant), credentials from config.json.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  dockerConfigCredentials,
  OciError,
  pushImage,
  RegistryClient,
  staticCredentials,
  type CredentialProvider,
} from '../../src/oci/index.js';
import { htpasswdAuthYaml, writeHtpasswd } from '../support/htpasswd.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { startTokenServerDouble, type TokenServerDouble } from '../support/token-server-double.js';
import { rejectionOf } from '../support/errors.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'imgverify-auth-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function clientWith(credentials?: CredentialProvider): RegistryClient {
  return new RegistryClient({ plainHttpForLocalhost: true, retry: { maxRetries: 0 }, ...(credentials ? { credentials } : {}) });
}

describe('htpasswd Basic auth', () => {
  let registry: RegistryServer;
  beforeAll(async () => {
    const file = join(work, 'htpasswd');
    await writeHtpasswd(file, { alice: 's3cret-pass' });
    registry = await startRegistry({ authYaml: htpasswdAuthYaml(file) });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  test('explicit username/password push and pull', async () => {
    const client = clientWith(staticCredentials({ username: 'alice', password: 's3cret-pass' }));
    try {
      const repo = client.repository(registry.host, 'private/app');
      const image = await pushImage(repo, { tag: 'v1', layers: [text('secret layer')] });
      expect((await repo.resolve('v1')).digest).toBe(image.descriptor.digest);
      expect(new TextDecoder().decode(await repo.fetchBlob(image.layers[0]!))).toBe('secret layer');
    } finally {
      await client.close();
    }
  });

  test.each([
    { name: 'anonymous', credentials: undefined, message: /requires a username and password/ },
    { name: 'wrong password', credentials: staticCredentials({ username: 'alice', password: 'wrong-password' }), message: /rejected the credentials/ },
  ])('$name → UNAUTHORIZED without echoing secrets', async ({ credentials, message }) => {
    const client = clientWith(credentials);
    try {
      const error = await rejectionOf(OciError, client.repository(registry.host, 'private/app').resolve('v1'));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('wrong-password');
    } finally {
      await client.close();
    }
  });

  test('config.json `auths` with base64 auth and with username/password', async () => {
    for (const entry of [{ auth: Buffer.from('alice:s3cret-pass').toString('base64') }, { username: 'alice', password: 's3cret-pass' }]) {
      const config = join(work, `config-${Object.keys(entry)[0]}.json`);
      await writeFile(config, JSON.stringify({ auths: { [`http://${registry.host}`]: entry } }));
      const client = clientWith(dockerConfigCredentials(config));
      try {
        expect((await client.repository(registry.host, 'private/app').resolve('v1')).mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
      } finally {
        await client.close();
      }
    }
  });
});

describe('token auth (docker-registry + token server double)', () => {
  let tokens: TokenServerDouble;
  let registry: RegistryServer;
  beforeAll(async () => {
    tokens = await startTokenServerDouble(work, { users: { bob: 'hunter2-token' }, refreshTokens: { 'refresh-abc': 'bob' }, anonymousPull: true });
    registry = await startRegistry({ authYaml: tokens.authYaml });
  });
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  test('push with credentials gets a pull,push token; tokens are cached per scope', async () => {
    const client = clientWith(staticCredentials({ username: 'bob', password: 'hunter2-token' }));
    try {
      const repo = client.repository(registry.host, 'team/app');
      const before = tokens.requests.length;
      const image = await pushImage(repo, { tag: 'v1', layers: [text('a'), text('b')] });
      const pushTokens = tokens.requests.slice(before);
      expect(pushTokens.length).toBeGreaterThanOrEqual(1);
      expect(pushTokens.every((r) => r.kind === 'basic' && r.username === 'bob')).toBe(true);
      expect(pushTokens.some((r) => r.scopes.includes('repository:team/app:pull,push'))).toBe(true);
      // Many requests later, no new token for the scopes already held.
      const held = tokens.requests.length;
      await repo.fetchManifest('v1');
      await repo.fetchBlob(image.layers[0]!);
      await repo.fetchBlob(image.layers[1]!);
      const pullTokens = tokens.requests.slice(held);
      expect(pullTokens.length).toBeLessThanOrEqual(1);
      await repo.resolve('v1');
      expect(tokens.requests.length).toBe(held + pullTokens.length);
    } finally {
      await client.close();
    }
  });

  test('a cached token is used until shortly before it expires, then a new one is fetched', async () => {
    tokens.setTokenLifetime(2);
    const client = clientWith(staticCredentials({ username: 'bob', password: 'hunter2-token' }));
    try {
      const repo = client.repository(registry.host, 'team/app');
      const before = tokens.requests.length;
      await repo.resolve('v1');
      await repo.resolve('v1');
      expect(tokens.requests.length - before).toBe(1);
      // Short-lived tokens are kept for half their life: 1 s here.
      await new Promise((r) => setTimeout(r, 1100));
      await repo.resolve('v1');
      expect(tokens.requests.length - before).toBe(2);
    } finally {
      tokens.setTokenLifetime(300);
      await client.close();
    }
  });

  test('anonymous pull gets a pull-only token; anonymous push is UNAUTHORIZED', async () => {
    const client = clientWith();
    try {
      const repo = client.repository(registry.host, 'team/app');
      expect((await repo.resolve('v1')).digest).toMatch(/^sha256:/);
      expect(tokens.requests.at(-1)).toMatchObject({ kind: 'anonymous', scopes: ['repository:team/app:pull'] });
      const error = await rejectionOf(OciError, pushImage(repo, { layers: [text('nope')] }));
      expect(error.code).toBe('UNAUTHORIZED');
    } finally {
      await client.close();
    }
  });

  test('wrong password → UNAUTHORIZED from the token server, password not in the message', async () => {
    const client = clientWith(staticCredentials({ username: 'bob', password: 'not-his-password' }));
    try {
      const error = await rejectionOf(OciError, client.repository(registry.host, 'team/app').resolve('v1'));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(error.message).toMatch(/token server refused the credentials/);
      expect(error.message).not.toContain('not-his-password');
    } finally {
      await client.close();
    }
  });

  test('config.json credHelpers: docker-credential-<name> gives an identity token, exchanged with the refresh-token grant', async () => {
    const bin = join(work, 'bin');
    await mkdir(bin, { recursive: true });
    const helper = join(bin, 'docker-credential-imgverifytest');
    // Answers for our registry only, as real helpers do.
    await writeFile(
      helper,
      `#!/bin/sh\nread server\nif [ "$server" = "${registry.host}" ]; then echo '{"ServerURL":"'"$server"'","Username":"<token>","Secret":"refresh-abc"}'; else echo "credentials not found in native keychain"; exit 1; fi\n`,
    );
    await chmod(helper, 0o755);
    const config = join(work, 'config-helper.json');
    await writeFile(config, JSON.stringify({ credHelpers: { [registry.host]: 'imgverifytest' } }));
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${savedPath ?? ''}`;
    const client = clientWith(dockerConfigCredentials(config));
    try {
      const repo = client.repository(registry.host, 'team/helper');
      await pushImage(repo, { tag: 'v1', layers: [text('via helper')] });
      expect(tokens.requests.at(-1)).toMatchObject({ method: 'POST', kind: 'refresh_token', username: 'bob' });
    } finally {
      process.env.PATH = savedPath;
      await client.close();
    }
  });
});
