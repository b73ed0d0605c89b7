// `imgverify verify` on an AWS-Signer-shaped signature in an OCI layout: the built-in verifier and the built-in AWS stores in the CLI.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { awsSignerAttributes, awsSignerChain, OciLayoutStore, PROFILE_ARN, pushSignedImage } from '../aws/signer-support.js';

describe('imgverify verify with an AWS Signer trust policy', () => {
  let root: string;
  let layoutPath: string;
  let rootPem: string;

  /** A config dir with seed 000's statement (revocation skipped: the CLI cannot reach AWS here), optionally an aws-signer-ts store. */
  async function configDir(name: string, storePem?: string): Promise<string> {
    const dir = join(root, name);
    await mkdir(dir, { recursive: true });
    if (storePem) {
      await mkdir(join(dir, 'truststore/x509/signingAuthority/aws-signer-ts'), { recursive: true });
      await writeFile(join(dir, 'truststore/x509/signingAuthority/aws-signer-ts/root.pem'), storePem);
    }
    await writeFile(
      join(dir, 'trustpolicy.oci.json'),
      JSON.stringify({
        version: '1.0',
        trustPolicies: [
          {
            name: 'aws-signer-tp',
            registryScopes: ['*'],
            signatureVerification: { level: 'strict', override: { revocation: 'skip' } },
            trustStores: ['signingAuthority:aws-signer-ts', 'signingAuthority:aws-us-gov-signer-ts'],
            trustedIdentities: [PROFILE_ARN],
          },
        ],
      }),
    );
    return dir;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imgverify-verify-aws-'));
    layoutPath = join(root, 'layout');
    const store = await OciLayoutStore.open(layoutPath, { create: true });
    const chain = await awsSignerChain();
    rootPem = chain.root.pem;
    await pushSignedImage(store, 'app', chain, awsSignerAttributes());
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('the configured aws-signer-ts store (test root) wins over the built-in one → verified', async () => {
    const result = await runCli('verify', '--oci-layout', `${layoutPath}:app`, '--config-dir', await configDir('configured', rootPem));
    // notation's warning for a tag, and nothing else.
    expect(result.stderr).toBe('Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:app) because resolved digest may not point to the same signed artifact, as tags are mutable.\n');
    expect(result.code).toBe(0);
  });

  it('without configured stores the built-in AWS roots are used, and they did not issue the test chain → exit 1', async () => {
    const result = await runCli('verify', '--oci-layout', `${layoutPath}:app`, '--config-dir', await configDir('builtin'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\(UNTRUSTED_SIGNER\)/);
  });
});
