// `imgverify cert generate-test` writes a notation-style key, certificate and trust store entry.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_OK, EXIT_USAGE } from '../../../src/cli/main.js';
import { parsePrivateKey } from '../../support/pki.js';
import { runCli } from '../../support/cli.js';

let configDir: string;

beforeAll(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'imgverify-cert-'));
});
afterAll(async () => {
  await rm(configDir, { recursive: true, force: true });
});

describe('imgverify cert generate-test', () => {
  it('writes key and self-signed certificate, and the trust store entry with --trust', async () => {
    const result = await runCli('cert', 'generate-test', 'wabbit', '--config-dir', configDir, '--key-type', 'ec-256', '--trust');
    expect(result.code).toBe(EXIT_OK);
    const certPem = await readFile(join(configDir, 'localkeys', 'wabbit.crt'), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toBe('C=US\nST=WA\nL=Seattle\nO=Notary\nCN=wabbit');
    const key = parsePrivateKey(await readFile(join(configDir, 'localkeys', 'wabbit.key')));
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect((await stat(join(configDir, 'localkeys', 'wabbit.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(configDir, 'truststore', 'x509', 'ca', 'wabbit', 'wabbit.crt'), 'utf8')).toBe(certPem);
    expect(result.stdout).toContain('added wabbit.crt to the trust store ca:wabbit');
  });

  it('without --trust leaves the trust store alone', async () => {
    const result = await runCli('cert', 'generate-test', 'plain', '--config-dir', configDir, '--key-type', 'ec-256');
    expect(result.code).toBe(EXIT_OK);
    await expect(stat(join(configDir, 'truststore', 'x509', 'ca', 'plain'))).rejects.toThrow();
  });

  it.each([
    [['cert', 'generate-test', '../evil', '--config-dir', '/tmp/x'], 'INVALID_INPUT'],
    [['cert', 'generate-test', 'ok', '--config-dir', '/tmp/x', '--validity', '0'], 'INVALID_INPUT'],
  ])('rejects bad input %j', async (args, code) => {
    const result = await runCli(...args);
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stderr).toContain(`(${code})`);
  });

  it('rejects a key type notation does not sign with', async () => {
    const result = await runCli('cert', 'generate-test', 'x', '--config-dir', configDir, '--key-type', 'rsa-1024');
    expect(result.code).toBe(EXIT_USAGE);
  });
});
