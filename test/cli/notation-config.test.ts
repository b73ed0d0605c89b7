// notation's config dir commands, with its flags and output: cert add/ls/show/delete, generate-test's signingkeys.json and `sign --key NAME`, policy import/show.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCertDelete } from '../../src/cli/commands/truststore.js';
import { runPolicyImport } from '../../src/cli/commands/policy.js';
import { OciLayoutStore, pushImage } from '../../src/oci/index.js';
import { runCli } from '../support/cli.js';

let dir: string;
let configDir: string;
let certFile: string;

const POLICY = {
  version: '1.0',
  trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:wabbit'], trustedIdentities: ['*'] }],
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imgverify-notation-config-'));
  configDir = join(dir, 'notation');
  // A certificate to add, made by generate-test in a config dir of its own.
  expect((await runCli('cert', 'generate-test', 'wabbit', '--config-dir', join(dir, 'source'), '--key-type', 'ec-256')).code).toBe(0);
  certFile = join(dir, 'source', 'localkeys', 'wabbit.crt');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const output = () => {
  const text = { stdout: '', stderr: '' };
  return { text, output: { stdout: (t: string) => void (text.stdout += t), stderr: (t: string) => void (text.stderr += t) } };
};
const answer = (line: string) => Readable.from([Buffer.from(line)]);

describe('imgverify cert add | ls | show | delete', () => {
  it('add copies into truststore/x509/<type>/<store>/, lists, shows and deletes as notation', async () => {
    const cli = (...args: string[]) => runCli('cert', ...args, '--config-dir', configDir);
    const added = await cli('add', '--type', 'ca', '--store', 'wabbit', certFile);
    expect(added).toEqual({ code: 0, stdout: `Successfully added following certificates to named store wabbit of type ca:\n${certFile}\n`, stderr: '' });
    expect(await readFile(join(configDir, 'truststore/x509/ca/wabbit/wabbit.crt'))).toEqual(await readFile(certFile));
    expect((await cli('add', '-t', 'tsa', '-s', 'stamps', certFile)).code).toBe(0);

    const again = await cli('add', '--type', 'ca', '--store', 'wabbit', certFile, join(dir, 'missing.pem'));
    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain(`Failed to add following certificates to named store wabbit of type ca:\n${certFile}, with error "certificate already exists in the Trust Store"\n${join(dir, 'missing.pem')}, with error "ENOENT`);

    const listed = await cli('ls');
    expect(listed.stdout).toBe('STORE TYPE   STORE NAME   CERTIFICATE   \nca           wabbit       wabbit.crt    \ntsa          stamps       wabbit.crt    \n');
    expect((await cli('list', '--type', 'tsa')).stdout).toBe('STORE TYPE   STORE NAME   CERTIFICATE   \ntsa          stamps       wabbit.crt    \n');
    expect((await cli('ls', '--store', 'nothing')).stdout).toBe('');

    const x509 = new X509Certificate(await readFile(certFile));
    const shown = await cli('show', '--type', 'ca', '--store', 'wabbit', 'wabbit.crt');
    const time = (date: string) => `${new Date(date).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
    expect(shown.stdout).toBe(
      [
        'Certificate details',
        '-'.repeat(80),
        'Issuer: CN=wabbit,O=Notary,L=Seattle,ST=WA,C=US',
        'Subject: CN=wabbit,O=Notary,L=Seattle,ST=WA,C=US',
        `Valid from: ${time(x509.validFrom)}`,
        `Valid to: ${time(x509.validTo)}`,
        `IsCA: ${x509.ca}`,
        `SHA256 Thumbprint: ${x509.fingerprint256.replaceAll(':', '').toLowerCase()}`,
        '',
      ].join('\n'),
    );
    const escape = await cli('show', '--type', 'ca', '--store', 'wabbit', '../../tsa/stamps/wabbit.crt');
    expect(escape.code).toBe(2);
    expect(escape.stderr).toContain('must be a file name, not a path');
    expect((await cli('show', '--type', 'nope', '--store', 'wabbit', 'wabbit.crt')).stderr).toBe('Error: unsupported store type: nope (USAGE)\n');

    const deleted = await cli('delete', '--type', 'ca', '--store', 'wabbit', 'wabbit.crt', '-y');
    expect(deleted.stdout).toBe('Successfully deleted wabbit.crt from trust store wabbit of type ca\n');
    // The store directory goes with its last certificate, as in notation.
    await expect(stat(join(configDir, 'truststore/x509/ca/wabbit'))).rejects.toThrow();
  });

  it('delete asks first: only y/yes deletes', async () => {
    const options = { type: 'tsa', store: 'stamps', configDir, all: true };
    const no = output();
    expect(await runCertDelete(undefined, options, { output: no.output, stdin: answer('n\n') })).toBe(0);
    expect(no.text.stdout).toBe('Are you sure you want to delete all certificates in "stamps" of type "tsa"? [y/N] Operation cancelled.\n');
    expect(await readdir(join(configDir, 'truststore/x509/tsa/stamps'))).toEqual(['wabbit.crt']);
    const yes = output();
    expect(await runCertDelete(undefined, options, { output: yes.output, stdin: answer('YES\n') })).toBe(0);
    expect(yes.text.stdout).toBe(`Are you sure you want to delete all certificates in "stamps" of type "tsa"? [y/N] Successfully deleted ${join(configDir, 'truststore/x509/tsa/stamps')}\n`);
    await expect(stat(join(configDir, 'truststore/x509/tsa/stamps'))).rejects.toThrow();
  });
});

describe('generate-test writes signingkeys.json; sign --key NAME resolves through it', () => {
  it('the key list as notation-go writes it, and signing by name (or the default key) verifies', async () => {
    const keysDir = join(dir, 'keys');
    expect((await runCli('cert', 'generate-test', 'alpha', '--config-dir', keysDir, '--key-type', 'ec-256', '--trust', '--default')).stdout).toMatch(
      /alpha: added to the key list\nalpha: marked as default signing key\n$/,
    );
    expect((await runCli('cert', 'generate-test', 'beta', '--config-dir', keysDir, '--key-type', 'ec-256')).code).toBe(0);
    const local = (name: string, ext: string) => join(keysDir, 'localkeys', `${name}.${ext}`);
    expect(await readFile(join(keysDir, 'signingkeys.json'), 'utf8')).toBe(
      `${JSON.stringify({ default: 'alpha', keys: [{ name: 'alpha', keyPath: local('alpha', 'key'), certPath: local('alpha', 'crt') }, { name: 'beta', keyPath: local('beta', 'key'), certPath: local('beta', 'crt') }] }, null, 4)}\n`,
    );
    expect((await stat(join(keysDir, 'signingkeys.json'))).mode & 0o777).toBe(0o600);

    const layout = join(dir, 'layout');
    const image = await pushImage(await OciLayoutStore.open(layout, { create: true }), { tag: 'v1', layers: [new Uint8Array([1])] });
    await writeFile(join(keysDir, 'trustpolicy.oci.json'), JSON.stringify({ ...POLICY, trustPolicies: [{ ...POLICY.trustPolicies[0], trustStores: ['ca:alpha'] }] }));
    const saved = process.env.NOTATION_DIR;
    process.env.NOTATION_DIR = keysDir;
    try {
      const missing = await runCli('sign', `${layout}@${image.descriptor.digest}`, '--oci-layout', '--key', 'gamma');
      expect([missing.code, missing.stderr]).toEqual([2, 'Error: signing key gamma not found (USAGE)\n']);
      // No --key: the default key (alpha), which the policy trusts.
      expect((await runCli('sign', `${layout}@${image.descriptor.digest}`, '--oci-layout')).code).toBe(0);
      expect((await runCli('verify', `${layout}:v1`, '--oci-layout', '--config-dir', keysDir)).code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.NOTATION_DIR;
      else process.env.NOTATION_DIR = saved;
    }
  });
});

describe('imgverify policy import | show', () => {
  it('imports a valid policy, refuses an invalid one, asks before overwriting unless --force, shows it as stored', async () => {
    const policyDir = join(dir, 'policy');
    const file = join(dir, 'policy.json');
    const text = JSON.stringify(POLICY, null, 2);
    await writeFile(file, text);
    const none = await runCli('policy', 'show', '--config-dir', policyDir);
    expect([none.code, none.stderr]).toEqual([2, 'Error: failed to show OCI trust policy as it does not exist.\nYou can import one using `imgverify policy import <path-to-policy.json>` (USAGE)\n']);

    const imported = await runCli('policy', 'import', file, '--config-dir', policyDir);
    expect(imported).toEqual({ code: 0, stdout: `Successfully imported OCI trust policy configuration to ${join(policyDir, 'trustpolicy.oci.json')}.\n`, stderr: '' });
    expect((await runCli('policy', 'show', '--config-dir', policyDir)).stdout).toBe(text);

    const bad = join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify({ version: '2.0', trustPolicies: [] }));
    const refused = await runCli('policy', 'import', bad, '--config-dir', policyDir, '--force');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error: failed to validate OCI trust policy configuration: .*version/);

    const declined = output();
    expect(await runPolicyImport(file, { configDir: policyDir }, { output: declined.output, stdin: answer('\n') })).toBe(0);
    expect(declined.text.stdout).toBe('The OCI trust policy configuration already exists, do you want to overwrite it? [y/N] Operation cancelled.\n');
    const forced = await runCli('policy', 'import', file, '--config-dir', policyDir, '--force');
    expect(forced.stderr).toBe('Warning: existing OCI trust policy configuration will be overwritten\n');
    expect(forced.code).toBe(0);
  });
});
