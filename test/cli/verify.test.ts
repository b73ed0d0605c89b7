// `imgverify verify` on notation's e2e OCI layouts: exit codes, text and JSON output, config dir handling.
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationCacheDir, runVerify, splitLayoutReference, type VerifyCommandOptions } from '../../src/cli/commands/verify.js';
import { notationConfigDir } from '../../src/cli/flags.js';
import { NOTARY_FIXTURES } from '../support/fixtures.js';
import { generateTestCertificate } from '../support/pki.js';

const E2E = join(NOTARY_FIXTURES, 'notation-e2e');
const LAYOUTS = join(E2E, 'oci_layout');
const DIGEST = 'sha256:b8479de3f88fb259a0a9ea82a5b2a052a1ef3c4ebbcfc61482d5ae4c831f8af9';

function defaults(overrides: Partial<VerifyCommandOptions> = {}): VerifyCommandOptions {
  return {
    ociLayout: true,
    userMetadata: [],
    pluginConfig: [],
    signatureScope: 'resolved',
    maxSignatures: '30',
    timeout: '60',
    output: 'text',
    ...overrides,
  };
}

async function run(reference: string, options: VerifyCommandOptions, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runVerify(reference, options, { output: { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) }, env });
  return { code, stdout, stderr };
}

describe('imgverify verify (CLI)', () => {
  let root: string;
  /** One notation config dir per trust policy file, all with ca:e2e = e2e.crt; `other` trusts a different key. */
  const configs = new Map<string, string>();

  async function makeConfig(name: string, policy: string | undefined, certificatePem?: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'truststore/x509/ca/e2e'), { recursive: true });
    if (certificatePem) await writeFile(join(dir, 'truststore/x509/ca/e2e/e2e.crt'), certificatePem);
    else await copyFile(join(E2E, 'localkeys/e2e.crt'), join(dir, 'truststore/x509/ca/e2e/e2e.crt'));
    if (policy) await copyFile(join(E2E, 'trustpolicies', policy), join(dir, 'trustpolicy.json'));
    configs.set(name, dir);
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgverify-cli-verify-'));
    for (const policy of [
      'trustpolicy.json',
      'audit_trustpolicy.json',
      'skip_trustpolicy.json',
      'registry_scope_trustpolicy.json',
      'invalid_format_trustpolicy.json',
      'wildcard_plus_other_registry_scope_trustpolicy.json',
      'multi_statements_with_the_same_name_trustpolicy.json',
    ]) {
      await makeConfig(policy, policy);
    }
    await makeConfig('none', undefined);
    const other = await generateTestCertificate({ commonName: 'e2e' });
    await makeConfig('audit-other', 'audit_trustpolicy.json', other.pem);
    await makeConfig('strict-other', 'trustpolicy.json', other.pem);
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const layout = (name: string, target = 'v1') => `${join(LAYOUTS, name)}:${target}`;

  it.each([
    { name: 'valid signature', layout: 'e2e-valid-signature', config: 'trustpolicy.json', exit: 0, out: /^\nSuccessfully verified signature for oci-layout:.*e2e-valid-signature@sha256:b8479de3/ },
    { name: 'unsigned', layout: 'e2e', config: 'trustpolicy.json', exit: 1, err: /no signature is associated with "oci-layout:.*\/e2e@sha256:b8479de3.*", make sure the artifact was signed successfully \(SIGNATURE_NOT_FOUND\)/ },
    { name: 'invalid signature', layout: 'e2e-invalid-signature', config: 'trustpolicy.json', exit: 1, err: /sha256:321fcc67.*: UNSUPPORTED_SIGNATURE_FORMAT/ },
    { name: 'untrusted signer', layout: 'e2e-valid-signature', config: 'strict-other', exit: 1, err: /UNTRUSTED_SIGNER: signature is not produced by a trusted signer/ },
    { name: 'audit logs an untrusted signer', layout: 'e2e-valid-signature', config: 'audit-other', exit: 0, out: /^\nSuccessfully verified/, err: /^Warning: Always verify .*\nWarning: authenticity was set to "log" and failed with error: signature is not produced by a trusted signer/ },
    { name: 'skip', layout: 'e2e-invalid-signature', config: 'skip_trustpolicy.json', exit: 0, out: /^\nTrust policy is configured to skip signature verification for / },
    { name: 'scope matches', layout: 'e2e-valid-signature', config: 'registry_scope_trustpolicy.json', scope: 'localhost:5000/test-repo', exit: 0, out: /Successfully verified signature for localhost:5000\/test-repo@sha256:b8479de3/ },
    { name: 'no statement for the layout without --scope', layout: 'e2e-valid-signature', config: 'registry_scope_trustpolicy.json', exit: 1, err: /NO_APPLICABLE_TRUST_POLICY/ },
    { name: 'invalid policy document', layout: 'e2e-valid-signature', config: 'invalid_format_trustpolicy.json', exit: 2, err: /INVALID_TRUST_POLICY/ },
    { name: '* mixed with other scopes', layout: 'e2e-valid-signature', config: 'wildcard_plus_other_registry_scope_trustpolicy.json', exit: 2, err: /INVALID_TRUST_POLICY/ },
    { name: 'duplicate statement names', layout: 'e2e-valid-signature', config: 'multi_statements_with_the_same_name_trustpolicy.json', exit: 2, err: /INVALID_TRUST_POLICY/ },
    { name: 'no trust policy', layout: 'e2e-valid-signature', config: 'none', exit: 2, err: /trust policy is not present.*\(INVALID_TRUST_POLICY\)/ },
    { name: 'digest reference', layout: 'e2e-valid-signature', target: DIGEST, config: 'trustpolicy.json', exit: 0, out: /^Successfully verified/ },
    { name: 'unknown tag', layout: 'e2e-valid-signature', target: 'v2', config: 'trustpolicy.json', exit: 1, err: /MANIFEST_NOT_FOUND|NOT_FOUND/ },
  ])('$name → exit $exit', async (c) => {
    const reference = c.target?.startsWith('sha256:') ? `${join(LAYOUTS, c.layout)}@${c.target}` : layout(c.layout, c.target);
    const result = await run(reference, defaults({ configDir: configs.get(c.config), ...(c.scope ? { scope: c.scope } : {}) }));
    expect(result.code).toBe(c.exit);
    if (c.out) expect(result.stdout).toMatch(c.out);
    if (c.err) expect(result.stderr).toMatch(c.err);
    if (c.exit !== 0) expect(result.stdout).toBe('');
  });

  it.each([
    { name: 'bad --user-metadata', options: { userMetadata: ['novalue'] }, err: /--user-metadata expects key=value/ },
    { name: '--max-signatures 0', options: { maxSignatures: '0' }, err: /--max-signatures must be an integer from 1 to 1000/ },
    { name: '--timeout abc', options: { timeout: 'abc' }, err: /--timeout must be an integer/ },
    { name: '--scope without --oci-layout', options: { ociLayout: false, scope: 'a/b' }, err: /--scope only applies with --oci-layout/ },
  ])('$name → exit 2', async ({ options, err }) => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('trustpolicy.json'), ...options }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(err);
  });

  it('a layout reference without tag or digest → exit 2', async () => {
    const result = await run(join(LAYOUTS, 'e2e-valid-signature'), defaults({ configDir: configs.get('trustpolicy.json') }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/PATH@sha256:<digest> or PATH:<tag>/);
  });

  it.each([
    {
      name: 'an envelope of an unknown media type',
      layout: 'e2e-invalid-signature',
      config: 'trustpolicy.json',
      first:
        'Error: signature verification failed: integrity validation failed. Failure reason: signature envelope media type "application/vnd.oci.image.layer.v1.tar" is not supported; Notary signatures are application/jose+json or application/cose (UNSUPPORTED_SIGNATURE_FORMAT)',
    },
    {
      name: 'an untrusted signer',
      layout: 'e2e-valid-signature',
      config: 'strict-other',
      first:
        'Error: signature verification failed: authenticity validation failed. Failure reason: signature is not produced by a trusted signer: no certificate of the chain (root "C=US, ST=WA, L=Seattle, O=Notary, CN=e2e") is in the trust stores named by the trust policy (UNTRUSTED_SIGNER)',
    },
    {
      name: 'no signature (no validation ran: the detail alone)',
      layout: 'e2e',
      config: 'trustpolicy.json',
      first: `Error: signature verification failed: no signature is associated with "oci-layout:${join(LAYOUTS, 'e2e')}@${DIGEST}", make sure the artifact was signed successfully (SIGNATURE_NOT_FOUND)`,
    },
  ])('text output names the failed validation type as notation does: $name', async (c) => {
    const result = await run(`${join(LAYOUTS, c.layout)}@${DIGEST}`, defaults({ configDir: configs.get(c.config) }));
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(c.first);
  });

  it('user metadata the signature lacks → exit 1 USER_METADATA_MISMATCH', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('trustpolicy.json'), userMetadata: ['team=blue'] }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/USER_METADATA_MISMATCH/);
  });

  it('JSON output of a pass', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('trustpolicy.json'), output: 'json' }));
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(json).slice(0, 5)).toEqual(['reference', 'digest', 'verified', 'signature', 'results']);
    expect(json).toMatchObject({
      reference: layout('e2e-valid-signature'),
      digest: DIGEST,
      verified: true,
      level: 'strict',
      signature: {
        signatureDigest: 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f',
        verified: true,
        errors: [],
        signingScheme: 'notary.x509',
        signingTime: expect.stringMatching(/^2023-06-27T/),
        certificateChain: ['C=US, ST=WA, L=Seattle, O=Notary, CN=e2e'],
        revocation: [{ subject: 'C=US, ST=WA, L=Seattle, O=Notary, CN=e2e', status: 'skipped' }],
      },
      results: [{ signatureDigest: 'sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f', verified: true, errors: [] }],
    });
    expect(result.stderr).toBe('');
  });

  it('JSON output of a failure carries each signature\'s errors and the deciding error', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('strict-other'), output: 'json' }));
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      digest: DIGEST,
      verified: false,
      signature: null,
      results: [{ verified: false, errors: [{ code: 'UNTRUSTED_SIGNER', message: expect.stringMatching(/^signature is not produced by a trusted signer/) }] }],
      error: { code: 'UNTRUSTED_SIGNER' },
    });
  });

  it.each([
    { name: 'an untrusted signer', layout: 'e2e-valid-signature', config: 'strict-other' },
    { name: 'an unsigned image', layout: 'e2e', config: 'trustpolicy.json' },
  ])('JSON output of a failure ($name) names no verifiedReference, only the resolvedReference', async (c) => {
    const result = await run(layout(c.layout), defaults({ configDir: configs.get(c.config), output: 'json' }));
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json.verified).toBe(false);
    expect('verifiedReference' in json).toBe(false);
    expect(json.resolvedReference).toBe(`oci-layout:${join(LAYOUTS, c.layout)}@${DIGEST}`);
  });

  it('JSON output of a pass names the verifiedReference and no resolvedReference', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('trustpolicy.json'), output: 'json' }));
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect([json.verified, json.verifiedReference, 'resolvedReference' in json]).toEqual([true, `oci-layout:${join(LAYOUTS, 'e2e-valid-signature')}@${DIGEST}`, false]);
  });

  it('JSON output of a configuration error', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults({ configDir: configs.get('none'), output: 'json' }));
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ verified: false, digest: null, results: [], error: { code: 'INVALID_TRUST_POLICY' } });
  });

  it('the config dir defaults to $NOTATION_DIR', async () => {
    const result = await run(layout('e2e-valid-signature'), defaults(), { NOTATION_DIR: configs.get('trustpolicy.json') });
    expect(result.code).toBe(0);
  });

  it.each([
    { env: { NOTATION_CONFIG: '/c', NOTATION_DIR: '/n', XDG_CONFIG_HOME: '/x' }, platform: 'linux' as const, dir: '/c' },
    { env: { NOTATION_DIR: '/n', XDG_CONFIG_HOME: '/x' }, platform: 'linux' as const, dir: '/n' },
    { env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux' as const, dir: '.notation' },
    { env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux' as const, dir: '/x/notation' },
    { env: {}, platform: 'linux' as const, dir: join(homedir(), '.config', 'notation') },
    { env: {}, platform: 'darwin' as const, dir: join(homedir(), 'Library', 'Application Support', 'notation') },
  ])('notationConfigDir($env, $platform) = $dir', ({ env, platform, dir }) => {
    expect(notationConfigDir(env, platform)).toBe(dir);
  });

  it.each([
    ['/a/b:v1', { path: '/a/b', target: 'v1' }],
    [`/a/b@${DIGEST}`, { path: '/a/b', target: DIGEST }],
    ['relative/dir:tag', { path: 'relative/dir', target: 'tag' }],
    ['/a:b/c:tag', { path: '/a:b/c', target: 'tag' }],
  ])('splitLayoutReference(%s)', (reference, expected) => {
    expect(splitLayoutReference(reference)).toEqual(expected);
  });
});

it('the revocation cache folder follows XDG_CACHE_HOME, as notation cache dirs do', () => {
  expect(revocationCacheDir({ XDG_CACHE_HOME: '/var/cache/u' }, 'linux')).toBe('/var/cache/u/imgverify/revocation');
  expect(revocationCacheDir({}, 'linux')).toBe(join(homedir(), '.cache', 'imgverify', 'revocation'));
  expect(revocationCacheDir({}, 'darwin')).toBe(join(homedir(), 'Library', 'Caches', 'imgverify', 'revocation'));
});
