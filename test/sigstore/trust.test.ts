// Trusted roots: the embedded public-good root (read offline from @sigstore/tuf's seeds) and trusted_root.json files, good and bad.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { tufSeed } from '../../src/sigstore/tuf.js';
import { loadTrustedRoot, logKeyFromPem, SigstoreError } from '../../src/sigstore/index.js';
import { writeTufRepository } from '../support/tuf-repository.js';

const temporary: string[] = [];
const temporaryDir = async (prefix: string): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};
afterAll(() => Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true }))));

describe('loadTrustedRoot', () => {
  test('embedded: the public-good Rekor, CT logs, Fulcio CAs and TSA, by log ID', async () => {
    const trust = await loadTrustedRoot({ kind: 'embedded' });
    expect(trust.origin).toBe('embedded public-good root');
    // rekor.sigstore.dev's log ID is the SHA-256 of its key's DER (the value cosign prints).
    expect(trust.tlogs.get('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d')?.[0]?.baseUrl).toBe('https://rekor.sigstore.dev');
    expect(trust.tlogs.size).toBe(2);
    expect(trust.ctlogs.size).toBe(2);
    expect(trust.fulcio.map((ca) => ca.uri)).toEqual(['https://fulcio.sigstore.dev', 'https://fulcio.sigstore.dev']);
    expect(trust.timestampAuthorities).toHaveLength(1);
    expect(trust.trustMaterial.tlogs).toHaveLength(2);
  });

  const bad = [
    { name: 'not JSON', text: '{', message: /is not JSON/ },
    { name: 'another media type', text: '{"mediaType":"application/json"}', message: /has media type "application\/json"/ },
    { name: 'a key that is not a key', text: JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [{ baseUrl: 'x', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: 'AAAA', keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2021-01-01T00:00:00Z' } }, logId: { keyId: 'AAAA' } }], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] }), message: /cannot be used/ },
    { name: 'a log key without validFor.start', text: JSON.stringify({ mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1', tlogs: [], certificateAuthorities: [], ctlogs: [{ publicKey: { rawBytes: 'AAAA' } }], timestampAuthorities: [] }), message: /ctlogs\[0\] has no validFor.start/ },
  ];
  test.each(bad)('file: $name → TRUSTED_ROOT_INVALID', async ({ text, message }) => {
    const dir = await temporaryDir('imgverify-root-');
    const path = join(dir, 'trusted_root.json');
    await writeFile(path, text);
    const error = await loadTrustedRoot({ kind: 'file', path }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SigstoreError);
    expect(error).toMatchObject({ code: 'TRUSTED_ROOT_INVALID', message: expect.stringMatching(message) as unknown });
  });

  test('file: missing → TRUSTED_ROOT_INVALID naming the path', async () => {
    await expect(loadTrustedRoot({ kind: 'file', path: '/nonexistent/trusted_root.json' })).rejects.toMatchObject({
      code: 'TRUSTED_ROOT_INVALID',
      message: expect.stringContaining('/nonexistent/trusted_root.json') as unknown,
    });
  });
});

test('logKeyFromPem: the log ID is the SHA-256 of the key DER; anything but one PUBLIC KEY block is refused', async () => {
  const trust = await loadTrustedRoot({ kind: 'embedded' });
  const rekor = trust.tlogs.get('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d')?.[0];
  const pem = rekor?.publicKey.export({ type: 'spki', format: 'pem' }).toString() ?? '';
  expect(logKeyFromPem(pem).logId).toBe('c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d');
  expect(() => logKeyFromPem(pem.replaceAll('PUBLIC KEY', 'CERTIFICATE'))).toThrow(expect.objectContaining({ code: 'TRUSTED_ROOT_INVALID' }));
});

describe('loadTrustedRoot from a local TUF directory mirror (no network)', () => {
  const embedded = () => loadTrustedRoot({ kind: 'embedded' });
  const setup = async (options: { tamper?: boolean; expires?: string } = {}) => {
    const dir = await temporaryDir('imgverify-tuf-test-');
    const text = Buffer.from(publicGoodSeed(), 'base64').toString('utf8');
    const repository = await writeTufRepository(join(dir, 'repository'), text, options);
    return { ...repository, cachePath: join(dir, 'cache') };
  };

  test('the repository\'s trusted_root.json, verified by the TUF client', async () => {
    const { directory, rootPath, cachePath } = await setup();
    const trust = await loadTrustedRoot({ kind: 'tuf', mirror: directory, rootPath, cachePath });
    expect(trust.origin).toBe(`TUF mirror ${directory}`);
    expect([...trust.tlogs.keys()]).toEqual([...(await embedded()).tlogs.keys()]);
  });

  test.each([
    { name: 'a target changed after signing', options: { tamper: true }, message: /trusted_root.json|length|hash/i },
    { name: 'expired metadata', options: { expires: '2001-01-01T00:00:00Z' }, message: /expired/i },
  ])('$name → TRUSTED_ROOT_INVALID', async ({ options, message }) => {
    const { directory, rootPath, cachePath } = await setup(options);
    await expect(loadTrustedRoot({ kind: 'tuf', mirror: directory, rootPath, cachePath })).rejects.toMatchObject({ code: 'TRUSTED_ROOT_INVALID', message: expect.stringMatching(message) as unknown });
  });

  test('a root the repository is not signed by → TRUSTED_ROOT_INVALID', async () => {
    const { directory, cachePath } = await setup();
    const other = await setup();
    await expect(loadTrustedRoot({ kind: 'tuf', mirror: directory, rootPath: other.rootPath, cachePath })).rejects.toMatchObject({ code: 'TRUSTED_ROOT_INVALID' });
  });

  test('neither a URL nor a directory → TRUSTED_ROOT_INVALID', async () => {
    await expect(loadTrustedRoot({ kind: 'tuf', mirror: '/nonexistent/mirror' })).rejects.toMatchObject({ code: 'TRUSTED_ROOT_INVALID' });
  });
});

function publicGoodSeed(): string {
  return tufSeed().targets['trusted_root.json'] ?? '';
}
