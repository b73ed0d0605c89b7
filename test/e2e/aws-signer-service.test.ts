// /checkimages for AWS-Signer-shaped signatures in a real docker-registry, with seed 000's trust policy (profile ARNs, both AWS stores) and the Signer double.
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrivateKey } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SIGNER_PLUGIN_NAME, SignerRevocationStatus } from '../../src/aws/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import { startService, type RunningService } from '../../src/service/index.js';
import { trustPolicyYaml, trustStoreYaml } from '../config/manifest-builders.js';
import { kyvernoContainer, post } from '../service/harness.js';
import { awsSignerAttributes, awsSignerChain, JOB_ARN, PROFILE_ARN, PROFILE_VERSION_ARN } from '../aws/signer-support.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { DOUBLE_CREDENTIALS, startSignerDouble, type SignerDouble } from '../support/signer-double.js';

const REVOKED_JOB_ARN = `${JOB_ARN.slice(0, JOB_ARN.lastIndexOf('/'))}/revoked-job`;

describe('imgverify serve with AWS Signer signatures', () => {
  let registry: RegistryServer;
  let client: RegistryClient;
  let signer: SignerDouble;
  let service: RunningService;
  /** The same config, with --awsSignerVerifier=plugin and the AWS plugin double installed in PLUGINS_DIR. */
  let pluginService: RunningService;
  let revocation: SignerRevocationStatus;
  let configDir: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    [registry, signer] = await Promise.all([startRegistry(), startSignerDouble()]);
    client = new RegistryClient({ plainHttpForLocalhost: true });
    const chain = await awsSignerChain();
    for (const [tag, jobArn, pluginMinVersion] of [['v1', JOB_ARN, undefined], ['revoked', REVOKED_JOB_ARN, undefined], ['future', JOB_ARN, '9.0.0']] as const) {
      const repository = client.repository(registry.host, 'team/app');
      await pushImage(repository, { tag, layers: [new TextEncoder().encode(`aws signer e2e ${tag}`)] });
      await signArtifact(repository, tag, {
        key: createPrivateKey(chain.leaf.privateKeyPem),
        certificateChain: chain.chain,
        signingScheme: 'notary.x509.signingAuthority',
        extendedAttributes: awsSignerAttributes({ jobArn, ...(pluginMinVersion ? { pluginMinVersion } : {}) }),
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
      config: { dir: configDir, defaultTrustPolicy: 'aws-signer-tp' },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      registry: { awsSigner: { revocation } },
      logger: pino(
        { level: 'info' },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
            done();
          },
        }),
      ),
    });
    const pluginsDir = join(configDir, 'plugins');
    await mkdir(join(pluginsDir, AWS_SIGNER_PLUGIN_NAME), { recursive: true });
    const executable = join(pluginsDir, AWS_SIGNER_PLUGIN_NAME, `notation-${AWS_SIGNER_PLUGIN_NAME}`);
    await copyFile(join(LOCAL_FIXTURES, 'aws/aws-signer-plugin-double'), executable);
    await chmod(executable, 0o755);
    const pluginConfigFile = join(configDir, 'plugin-config.json');
    await writeFile(pluginConfigFile, JSON.stringify({ 'aws-signer-endpoint-url': signer.url }));
    pluginService = await startService({
      config: { dir: configDir, defaultTrustPolicy: 'aws-signer-tp' },
      tls: { enabled: false },
      listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
      registry: { pluginsDir, pluginConfigFile, awsSignerVerifier: 'plugin' },
      logLevel: 'silent',
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([service?.close(), pluginService?.close()]);
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
    // The operator's log names the signer by its signing profile version ARN, not the certificate subject.
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'image', verdict: 'verified', signature: expect.objectContaining({ signer: PROFILE_VERSION_ARN }) }));
  });

  it('a revoked signing job → 406 with the plugin reason', async () => {
    const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: kyvernoContainer(registry.host, 'team/app', 'revoked') } } });
    expect(answer.status).toBe(406);
    expect(answer.text.trimEnd()).toBe(
      `failed to verify container app: failed to verify image {{${registry.host} app team/app revoked } /spec/containers/0/image}: revocation validation failed. Failure reason: ` +
        `revocation check by verification plugin "com.amazonaws.signer.notation.plugin" failed with reason "Resource(s) ${REVOKED_JOB_ARN} have been revoked." (CERTIFICATE_REVOKED)`,
    );
  });

  it('with --awsSignerVerifier=plugin the installed plugin decides, with the same answers', async () => {
    signer.calls.length = 0;
    const body = (tag: string) => ({ images: { containers: { app: kyvernoContainer(registry.host, 'team/app', tag) } } });
    const good = await post(`${pluginService.url}/checkimages`, body('v1'));
    const revoked = await post(`${pluginService.url}/checkimages`, body('revoked'));
    expect([good.status, revoked.status]).toEqual([200, 406]);
    expect(revoked.text).toContain(`failed with reason "Resource(s) ${REVOKED_JOB_ARN} have been revoked." (CERTIFICATE_REVOKED)`);
    // The plugin double's calls are unsigned: it, not the built-in verifier, asked.
    expect(signer.calls.map((call) => [call.jobArn, call.signed])).toEqual([
      [JOB_ARN, false],
      [REVOKED_JOB_ARN, false],
    ]);
  });

  it('a signature that needs a newer plugin → 406 saying which version', async () => {
    const answer = await post(`${service.url}/checkimages`, { images: { containers: { app: kyvernoContainer(registry.host, 'team/app', 'future') } } });
    expect(answer.status).toBe(406);
    expect(answer.text).toContain(
      `found plugin ${AWS_SIGNER_PLUGIN_NAME} with version 1.0.350 but signature verification needs plugin version greater than or equal to 9.0.0 (PLUGIN_REQUIRED)`,
    );
  });
});
