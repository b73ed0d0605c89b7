// `imgverify verify` as a user runs it (the whole program via main()) against images signed in the real docker-registry.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RegistryClient, pushImage } from '../../src/oci/index.js';
import { pushIndex } from '../../src/oci/push.js';
import { signArtifact } from '../../src/notary/signer.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { runCli } from '../support/cli.js';

describe('imgverify verify <registry reference>', () => {
  let registry: RegistryServer;
  let configDir: string;
  let signedDigest: string;
  let unsignedDigest: string;
  let indexDigest: string;
  let amd64Digest: string;

  beforeAll(async () => {
    [registry, configDir] = await Promise.all([startRegistry(), mkdtemp(join(tmpdir(), 'imgverify-verify-cli-'))]);
    const chain = await generateCertificateChain({ keyType: 'ec-256', commonName: 'cli signer', leaf: { keys: await cachedKeyPair('ec-256', 'cli-leaf') } });
    const client = new RegistryClient({ plainHttp: true });
    const repository = client.repository(registry.host, 'cli/app');
    signedDigest = (await pushImage(repository, { tag: 'signed', layers: [new TextEncoder().encode('signed')] })).descriptor.digest;
    unsignedDigest = (await pushImage(repository, { tag: 'unsigned', layers: [new TextEncoder().encode('unsigned')] })).descriptor.digest;
    await signArtifact(repository, 'signed', { key: chain.leaf.privateKey, certificateChain: chain.chain, userMetadata: { team: 'blue' } });
    // A multi-arch image whose index is signed (notation's default), platform manifests not.
    const amd64 = await pushImage(repository, { layers: [new TextEncoder().encode('amd64')], platform: { os: 'linux', architecture: 'amd64' } });
    const arm = await pushImage(repository, { layers: [new TextEncoder().encode('arm')], platform: { os: 'linux', architecture: 'arm', variant: 'v7' } });
    indexDigest = (await pushIndex(repository, { tag: 'multiarch', manifests: [amd64.descriptor, arm.descriptor] })).descriptor.digest;
    amd64Digest = amd64.descriptor.digest;
    await signArtifact(repository, 'multiarch', { key: chain.leaf.privateKey, certificateChain: chain.chain, signatureFormat: 'cose' });
    // notation's config dir layout: trustpolicy.json + truststore/x509/ca/<name>/.
    await mkdir(join(configDir, 'truststore/x509/ca/cli'), { recursive: true });
    await writeFile(join(configDir, 'truststore/x509/ca/cli/root.pem'), chain.root.pem);
    await writeFile(
      join(configDir, 'trustpolicy.json'),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'cli',
            registryScopes: [`${registry.host}/cli/app`],
            signatureVerification: { level: 'strict' },
            trustStores: ['ca:cli'],
            trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary, CN=cli signer'],
          },
        ],
      }),
    );
  });
  afterAll(async () => {
    await Promise.all([registry?.stop(), configDir && rm(configDir, { recursive: true, force: true })]);
  });

  it('a signed tag verifies: exit 0, the digest verified and the signature that passed', async () => {
    const result = await runCli('verify', '-v', `${registry.host}/cli/app:signed`, '--plain-http', '--config-dir', configDir);
    expect(result.stderr).toBe(
      'Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:signed) because resolved digest may not point to the same signed artifact, as tags are mutable.\n',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^\\nSuccessfully verified signature for ${registry.host}/cli/app@${signedDigest}\\n  signature: sha256:[0-9a-f]{64} \\(application/jose\\+json, notary\\.x509, signed `));
  });

  it('JSON output and required user metadata', async () => {
    const result = await runCli('verify', `${registry.host}/cli/app:signed`, '--plain-http', '--config-dir', configDir, '-m', 'team=blue', '--output', 'json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { reference: string; digest: string; verified: boolean; signature: { userMetadata: Record<string, string> } };
    expect(json).toMatchObject({ reference: `${registry.host}/cli/app:signed`, digest: signedDigest, verified: true, signature: { userMetadata: { team: 'blue' } } });
  });

  it('the config dir defaults to $NOTATION_DIR', async () => {
    vi.stubEnv('NOTATION_DIR', configDir);
    try {
      expect((await runCli('verify', `${registry.host}/cli/app:signed`, '--plain-http')).code).toBe(0);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([
    { name: 'unsigned image', args: ['unsigned'], code: 1, err: /no signature is associated with ".*\/cli\/app@sha256:[0-9a-f]{64}", make sure the artifact was signed successfully \(SIGNATURE_NOT_FOUND\)/ },
    { name: 'metadata not signed', args: ['signed', '-m', 'team=red'], code: 1, err: /USER_METADATA_MISMATCH/ },
    { name: 'unknown tag', args: ['missing'], code: 1, err: /MANIFEST_NOT_FOUND/ },
    { name: 'invalid reference', args: ['UPPER CASE'], code: 2, err: /INVALID_REFERENCE/ },
    { name: 'password without username', args: ['signed', '--password', 'x'], code: 2, err: /a password needs --username too/ },
    { name: 'bad output format', args: ['signed', '--output', 'yaml'], code: 2, err: /Allowed choices are text, json/ },
  ])('$name → exit $code', async ({ args, code, err }) => {
    const [target, ...rest] = args as [string, ...string[]];
    const reference = target.includes(' ') ? target : `${registry.host}/cli/app:${target}`;
    const result = await runCli('verify', reference, '--plain-http', '--config-dir', configDir, ...rest);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(err);
    expect(result.stdout).toBe('');
  });

  it.each([
    { name: 'the index', args: [], code: 0, out: () => `for ${registry.host}/cli/app@${indexDigest}` },
    { name: 'a platform manifest, resolved scope', args: ['--platform', 'linux/amd64'], code: 1, err: () => `no signature is associated with "${registry.host}/cli/app@${amd64Digest}"` },
    {
      name: 'a platform manifest, index-or-platform scope',
      args: ['--platform', 'linux/amd64', '--signature-scope', 'index-or-platform'],
      code: 0,
      out: () => `for ${registry.host}/cli/app@${amd64Digest}\n  signature: sha256:`,
      also: () => `  signed artifact: ${indexDigest}`,
    },
    { name: 'a platform with a variant', args: ['--platform', 'linux/arm/v7', '--signature-scope', 'index-or-platform'], code: 0, out: () => 'Successfully verified' },
    { name: 'a malformed platform', args: ['--platform', 'linux'], code: 2, err: () => 'invalid platform "linux": expected os/arch[/variant]' },
  ])('multi-arch: $name → exit $code', async (c) => {
    const result = await runCli('verify', '-v', `${registry.host}/cli/app:multiarch`, '--plain-http', '--config-dir', configDir, ...c.args);
    expect(result.code).toBe(c.code);
    if (c.out) expect(result.stdout).toContain(c.out());
    if (c.also) expect(result.stdout).toContain(c.also());
    if (c.err) expect(result.stderr).toContain(c.err());
  });

  it('the unsigned image error names the resolved digest', async () => {
    const result = await runCli('verify', `${registry.host}/cli/app:unsigned`, '--plain-http', '--config-dir', configDir);
    expect(result.stderr).toContain(`no signature is associated with "${registry.host}/cli/app@${unsignedDigest}", make sure the artifact was signed successfully`);
  });
});
