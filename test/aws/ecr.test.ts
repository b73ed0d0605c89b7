// ECR credentials: anchored hosts only, the token cached until shortly before expiry and refreshed once, actionable errors, Pod Identity through the SDK's chain.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ecrCredentials, parseEcrHost } from '../../src/aws/index.js';
import { chainCredentials, staticCredentials } from '../../src/oci/index.js';
import { startEcrDouble, startPodIdentityDouble, type EcrDouble } from '../support/ecr-double.js';
import { DOUBLE_CREDENTIALS } from '../support/signer-double.js';

const ECR = '123456789012.dkr.ecr.us-west-2.amazonaws.com';

describe('ECR hosts', () => {
  const cases: [string, ReturnType<typeof parseEcrHost>][] = [
    [ECR, { accountId: '123456789012', region: 'us-west-2', fips: false }],
    ['123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', { accountId: '123456789012', region: 'cn-north-1', fips: false }],
    ['123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com', { accountId: '123456789012', region: 'us-gov-west-1', fips: true }],
    ['123456789012.dkr-ecr.eu-west-1.on.aws', { accountId: '123456789012', region: 'eu-west-1', fips: false }],
    ['123456789012.DKR.ECR.US-WEST-2.AMAZONAWS.COM', { accountId: '123456789012', region: 'us-west-2', fips: false }],
    [`${ECR}.evil.io`, undefined],
    [`evil.io/${ECR}`, undefined],
    [`evil-${ECR}`, undefined],
    [`${ECR}:443`, undefined],
    ['12345678901.dkr.ecr.us-west-2.amazonaws.com', undefined],
    ['123456789012.dkr.ecr.us-west-2.amazonaws.com.cn.evil.io', undefined],
    ['123456789012.dkr-ecr.eu-west-1.on.aws.evil.io', undefined],
  ];
  it.each(cases)('%s → %j', (host, expected) => {
    expect(parseEcrHost(host)).toEqual(expected);
  });
});

describe('ecrCredentials against the ECR double', () => {
  let ecr: EcrDouble;
  beforeAll(async () => {
    ecr = await startEcrDouble();
  });
  afterAll(async () => {
    await ecr?.stop();
  });
  const provider = (now?: () => number) => ecrCredentials({ credentials: DOUBLE_CREDENTIALS, endpoints: { aws: ecr.url }, maxAttempts: 1, ...(now ? { now } : {}) });

  it('a lookalike host gets no token and causes no call', async () => {
    ecr.calls.length = 0;
    const credentials = provider();
    for (const host of [`${ECR}.evil.io`, 'evil.io', `x${ECR}`]) expect(await credentials(host)).toBeUndefined();
    expect(ecr.calls).toEqual([]);
  });

  it('one call for concurrent requests; the token is reused, and fetched again once it nears expiry', async () => {
    ecr.calls.length = 0;
    ecr.expiresInSeconds = 3600;
    let clock = Date.now();
    const credentials = provider(() => clock);
    const first = await Promise.all([credentials(ECR), credentials(ECR), credentials(ECR)]);
    expect(first.map((c) => c?.username)).toEqual(['AWS', 'AWS', 'AWS']);
    expect(new Set(first.map((c) => c?.password)).size).toBe(1);
    expect(await credentials(ECR)).toEqual(first[0]);
    expect(ecr.calls).toEqual([{ target: 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken', accessKeyId: 'AKIDDOUBLE', host: ecr.url.replace('http://', '') }]);
    clock += 50 * 60_000; // 10 minutes before expiry: inside the refresh margin
    const refreshed = await credentials(ECR);
    expect(refreshed?.password).not.toBe(first[0]?.password);
    expect(ecr.calls.length).toBe(2);
  });

  it('explicit credentials win over ECR in a chain', async () => {
    ecr.calls.length = 0;
    const chain = chainCredentials(staticCredentials({ username: 'pull', password: 'secret' }, [ECR]), provider());
    expect(await chain(ECR)).toEqual({ username: 'pull', password: 'secret' });
    expect(ecr.calls).toEqual([]);
  });

  it('access denied says which permission to grant', async () => {
    ecr.error = { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform: ecr:GetAuthorizationToken' };
    try {
      await expect(provider()(ECR)).rejects.toMatchObject({
        code: 'CREDENTIALS_UNAVAILABLE',
        message: `ECR GetAuthorizationToken was denied for ${ECR}: allow ecr:GetAuthorizationToken (e.g. attach AmazonEC2ContainerRegistryReadOnly) to the role (not authorized to perform: ecr:GetAuthorizationToken)`,
      });
    } finally {
      ecr.error = undefined;
    }
  });
});

describe('the default credential chain', () => {
  it('EKS Pod Identity: the agent double hands out the credentials that sign the ECR call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgverify-pod-identity-'));
    const ecr = await startEcrDouble();
    const agent = await startPodIdentityDouble('service-account-token', 'AKIDPODIDENTITY');
    try {
      await writeFile(join(dir, 'token'), 'service-account-token');
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']) {
        vi.stubEnv(name, undefined);
      }
      vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'none'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'none'));
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
      vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', `${agent.url}/v1/credentials`);
      vi.stubEnv('AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE', join(dir, 'token'));
      const credential = await ecrCredentials({ endpoints: { aws: ecr.url }, maxAttempts: 1 })(ECR);
      expect(credential?.username).toBe('AWS');
      expect(agent.calls).toBe(1);
      expect(ecr.calls.map((call) => call.accessKeyId)).toEqual(['AKIDPODIDENTITY']);
    } finally {
      vi.unstubAllEnvs();
      await Promise.all([ecr.stop(), agent.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
