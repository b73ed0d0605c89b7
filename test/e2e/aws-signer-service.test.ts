// /checkimages for AWS-Signer-shaped signatures in a real docker-registry, with seed 000's trust policy (profile ARNs, both AWS stores) and the Signer double.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignerRevocationStatus } from '../../src/aws/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { kyvernoContainer, post } from '../service/harness.js';
import { awsSignerAttributes, awsSignerChain, JOB_ARN, PROFILE_ARN } from '../aws/signer-support.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { DOUBLE_CREDENTIALS, startSignerDouble, type SignerDouble } from '../support/signer-double.js';

const REVOKED_JOB_ARN = `${JOB_ARN.slice(0, JOB_ARN.lastIndexOf('/'))}/revoked-job`;

describe('imgverify serve with AWS Signer signatures', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  let signer: SignerDouble;
  let service: RunningService;
  let revocation: SignerRevocationStatus;
  let configDir: string;

  beforeAll(async () => {
    [registry, signer] = await Promise.all([startRegistry(), startSignerDouble()]);
    client = new RegistryClient({ plainHttpForLocalhost: true });
    const chain = await awsSignerChain();
    for (const [tag, jobArn] of [['v1', JOB_ARN], ['revoked', REVOKED_JOB_ARN]] as const) {
      const repository = client.repository(registry.host, 'team/app');
      await pushImage(repository, { tag, layers: [new TextEncoder().encode(`aws signer e2e ${tag}`)] });
      await signArtifact(repository, tag, {
        key: createPrivateKey(chain.leaf.privateKeyPem),
        certificateChain: chain.chain,
        signingScheme: 'notary.x509.signingAuthority',
        extendedAttributes: awsSignerAttributes({ jobArn }),
      });
    }
    signer.answer = (call) => ({ revokedEntities: call.jobArn === REVOKED_JOB_ARN ? [REVOKED_JOB_ARN] : [] });
    // Seed 000: the TrustPolicy names both AWS stores; only aws-signer-ts is a resource here (holding the test root),
    // aws-us-gov-signer-ts is the built-in one.
    configDir = await mkdtemp(join(tmpdir(), 'imgverify-aws-e2e-'));
    await writeFile(join(configDir, 'truststore.yaml'), trustStoreYaml({ name: 'aws-signer-ts', type: 'signingAuthority', pem: chain.root.pem }));
    await writeFile(
      join(configDir, 'trustpolicy.yaml'),
      trustPolicyYaml({
        name: 'aws-signer-tp',
        statementName: 'aws-signer-tp',
        trustStores: ['signingAuthority:aws-signer-ts', 'signingAuthority:aws-us-gov-signer-ts'],
        trustedIdentities: [PROFILE_ARN, `${PROFILE_ARN}2`],
      }),
    );
    revocation = new SignerRevocationStatus({ credentials: DOUBLE_CREDENTIALS, endpoints: { aws: signer.url }, maxAttempts: 1 });
    service = await startService({
      configDir,
      noTls: true,
      bindAddress: '127.0.0.1:0',
      metricsBindAddress: '0',
      healthProbeBindAddress: '0',
      defaultTrustPolicy: 'aws-signer-tp',
      logLevel: 'silent',
      awsSigner: { revocation },
    });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    revocation?.close();
    await client?.close();
    await Promise.all([registry?.stop(), signer?.stop()]);
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  it('the built-in gov store is no missing TrustStore', () => {
    expect(service.config.current().issues).toEqual([]);
  });

  it('a signed image → 200 with its digest, after one GetRevocationStatus call', async () => {
    signer.calls.length = 0;
    const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: kyvernoContainer(registry.host, 'team/app', 'v1') } } });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ verified: true });
    expect(signer.calls.map((call) => call.jobArn)).toEqual([JOB_ARN]);
  });

  it('a revoked signing job → 406 with the plugin reason', async () => {
    const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: kyvernoContainer(registry.host, 'team/app', 'revoked') } } });
    expect(answer.status).toBe(406);
    expect(answer.text.trimEnd()).toBe(
      `failed to verify container app: failed to verify image {{${registry.host} app team/app revoked } /spec/containers/0/image}: revocation validation failed. Failure reason: ` +
        `revocation check by verification plugin "com.amazonaws.signer.notation.plugin" failed with reason "Resource(s) ${REVOKED_JOB_ARN} have been revoked." (CERTIFICATE_REVOKED)`,
    );
  });
});
