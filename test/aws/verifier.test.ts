// The built-in AWS Signer verifier through the whole Notary verifier: trusted identities, request checks and revocation, against the Signer double.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SIGNER_TRUST_STORE, AWS_US_GOV_SIGNER_TRUST_STORE, AwsSignerVerifier, certificateHashes, SignerRevocationStatus } from '../../src/aws/index.js';
import { BuiltinPlugins, MemoryTrustStore, parseTrustPolicyDocument, verifyImage, type VerificationLevelName } from '../../src/notary/index.js';
import type { GeneratedChain } from '../support/pki.js';
import { DOUBLE_CREDENTIALS, startSignerDouble, type SignerDouble } from '../support/signer-double.js';
import {
  ALIAS_ARN,
  awsSignerAttributes,
  awsSignerChain,
  GOV_JOB_ARN,
  GOV_PROFILE_ARN,
  GOV_PROFILE_VERSION_ARN,
  JOB_ARN,
  OciLayoutStore,
  PROFILE_ARN,
  PROFILE_VERSION_ARN,
  pushSignedImage,
  type SignerAttributes,
} from './signer-support.js';

const PLUGIN_FAILED = 'failed to verify with plugin com.amazonaws.signer.notation.plugin: ';

describe('AWS Signer signatures, verified by the built-in verifier', () => {
  let dir: string;
  let store: OciLayoutStore;
  let chain: GeneratedChain;
  let signer: SignerDouble;
  let gov: SignerDouble;
  let revocation: SignerRevocationStatus;
  const signed = new Map<string, string>();

  async function sign(tag: string, attributes: SignerAttributes = {}): Promise<void> {
    signed.set(tag, (await pushSignedImage(store, tag, chain, awsSignerAttributes(attributes))).digest);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imgverify-aws-'));
    store = await OciLayoutStore.open(join(dir, 'layout'), { create: true });
    chain = await awsSignerChain();
    await sign('plain');
    await sign('alias', { aliasArn: ALIAS_ARN });
    await sign('no-job', { jobArn: '' });
    await sign('bad-profile', { profileVersionArn: 42 });
    await sign('gov', { profileVersionArn: GOV_PROFILE_VERSION_ARN, jobArn: GOV_JOB_ARN });
    signer = await startSignerDouble();
    gov = await startSignerDouble();
  });
  afterAll(async () => {
    revocation?.close();
    await Promise.all([signer?.stop(), gov?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  function verify(tag: string, trustedIdentities: string[], level: VerificationLevelName = 'strict', override: Record<string, string> = {}, cacheTtlMs = 0) {
    revocation?.close();
    revocation = new SignerRevocationStatus({ credentials: DOUBLE_CREDENTIALS, endpoints: { aws: signer.url, 'aws-us-gov': gov.url }, cacheTtlMs, timeoutMs: 1_500, maxAttempts: 1 });
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [
        {
          name: 'aws-signer-tp',
          registryScopes: ['*'],
          signatureVerification: { level, override },
          // The configured store named aws-signer-ts holds the test root and wins over the built-in one.
          trustStores: [`signingAuthority:${AWS_SIGNER_TRUST_STORE}`, `signingAuthority:${AWS_US_GOV_SIGNER_TRUST_STORE}`],
          trustedIdentities,
        },
      ],
    });
    return verifyImage(`registry.example/aws:${tag}`, {
      store,
      scope: 'registry.example/aws',
      trustPolicy,
      trustStore: MemoryTrustStore.fromBundles([
        { type: 'signingAuthority', name: AWS_SIGNER_TRUST_STORE, caBundle: chain.root.pem },
        { type: 'signingAuthority', name: AWS_US_GOV_SIGNER_TRUST_STORE, caBundle: chain.root.pem },
      ]),
      plugins: new BuiltinPlugins([new AwsSignerVerifier({ revocation })]),
    });
  }

  const identityCases: { name: string; tag: string; identities: string[]; code?: string; message?: string }[] = [
    { name: 'signing-profile ARN matches every version', tag: 'plain', identities: [PROFILE_ARN] },
    { name: 'signing-profile ARN, profile name in another case', tag: 'plain', identities: [PROFILE_ARN.replace('kyvernodemo', 'KyvernoDemo')] },
    {
      name: 'resource type in another case is not a signing-profile ARN (the plugin compares the prefix case-sensitively)',
      tag: 'plain',
      identities: [PROFILE_ARN.replace('/signing-profiles/', '/Signing-Profiles/')],
      code: 'UNTRUSTED_IDENTITY',
      message: `trusted identity verification by plugin "com.amazonaws.signer.notation.plugin" failed with reason "Signature publisher doesn't match any trusted identities."`,
    },
    { name: 'profile-version ARN matches exactly', tag: 'plain', identities: [PROFILE_VERSION_ARN] },
    { name: 'alias ARN matches the alias attribute', tag: 'alias', identities: [ALIAS_ARN] },
    { name: 'x509.subject identities are ignored; the profile ARN decides', tag: 'plain', identities: ['x509.subject: C=US, ST=WA, L=Seattle, O=AWS Signer, CN=AWS Signer', PROFILE_ARN] },
    {
      name: 'another profile → untrusted',
      tag: 'plain',
      identities: [`${PROFILE_ARN}2`, `${PROFILE_ARN}/otherversion`],
      code: 'UNTRUSTED_IDENTITY',
      message: `trusted identity verification by plugin "com.amazonaws.signer.notation.plugin" failed with reason "Signature publisher doesn't match any trusted identities."`,
    },
    {
      name: 'alias ARN without an alias attribute → untrusted',
      tag: 'plain',
      identities: [ALIAS_ARN],
      code: 'UNTRUSTED_IDENTITY',
      message: `trusted identity verification by plugin "com.amazonaws.signer.notation.plugin" failed with reason "Signature publisher doesn't match any trusted identities."`,
    },
    { name: 'wildcard refused', tag: 'plain', identities: ['*'], code: 'AWS_SIGNER_INVALID_REQUEST', message: `${PLUGIN_FAILED}The AWSSigner plugin does not support wildcard identity in the trust policy.` },
    { name: 'no job attribute', tag: 'no-job', identities: [PROFILE_ARN], code: 'AWS_SIGNER_INVALID_REQUEST', message: `${PLUGIN_FAILED}unable to parse attribute "com.amazonaws.signer.signingJob".` },
    {
      name: 'profile version that is not a string',
      tag: 'bad-profile',
      identities: [PROFILE_ARN],
      code: 'AWS_SIGNER_INVALID_REQUEST',
      message: `${PLUGIN_FAILED}unable to parse attribute "com.amazonaws.signer.signingProfileVersion".`,
    },
  ];

  it.each(identityCases)('$name', async (c) => {
    signer.answer = () => ({ revokedEntities: [] });
    const result = await verify(c.tag, c.identities);
    expect(result.error && { code: result.error.code, message: result.error.message }).toEqual(c.code ? { code: c.code, message: c.message } : undefined);
    expect(result.verified).toBe(c.code === undefined);
  });

  it('sends GetRevocationStatus with the job, the profile version, the signing time and the chain hashes, signed with SigV4', async () => {
    signer.calls.length = 0;
    const result = await verify('plain', [PROFILE_ARN]);
    expect(result.verified).toBe(true);
    expect(signer.calls).toEqual([
      {
        signatureTimestamp: result.signature?.authenticSigningTime?.replace('.000Z', 'Z'),
        platformId: 'Notation-OCI-SHA384-ECDSA',
        profileVersionArn: PROFILE_VERSION_ARN,
        jobArn: JOB_ARN,
        certificateHashes: certificateHashes(chain.chain),
        signed: true,
      },
    ]);
  });

  const revokedCases: { name: string; revoked: string[]; reason: string }[] = [
    { name: 'revoked job', revoked: [JOB_ARN], reason: `Resource(s) ${JOB_ARN} have been revoked.` },
    { name: 'revoked profile', revoked: [PROFILE_VERSION_ARN, JOB_ARN], reason: `Resource(s) ${PROFILE_VERSION_ARN}, ${JOB_ARN} have been revoked.` },
    { name: 'revoked certificate', revoked: ['0123abcd'], reason: 'Certificate(s) have been revoked.' },
    { name: 'revoked job and certificate', revoked: ['0123abcd', JOB_ARN], reason: `Resource(s) ${JOB_ARN} have been revoked.Certificate(s) have been revoked.` },
  ];

  it.each(revokedCases)('$name → CERTIFICATE_REVOKED with the plugin reason', async (c) => {
    signer.answer = () => ({ revokedEntities: c.revoked });
    const result = await verify('plain', [PROFILE_ARN]);
    expect(result.verified).toBe(false);
    expect(result.error).toEqual({
      code: 'CERTIFICATE_REVOKED',
      message: `revocation check by verification plugin "com.amazonaws.signer.notation.plugin" failed with reason "${c.reason}"`,
    });
  });

  const downCases: { level: VerificationLevelName; override?: Record<string, string>; verified: boolean; calls: number }[] = [
    { level: 'strict', verified: false, calls: 1 },
    { level: 'strict', override: { revocation: 'log' }, verified: true, calls: 1 },
    { level: 'strict', override: { revocation: 'skip' }, verified: true, calls: 0 },
  ];

  it.each(downCases)('Signer endpoint failing, revocation $override: verified $verified after $calls calls', async (c) => {
    signer.calls.length = 0;
    signer.answer = () => ({ status: 403, type: 'AccessDeniedException', message: 'User is not authorized to perform: signer:GetRevocationStatus' });
    const result = await verify('plain', [PROFILE_ARN], c.level, c.override);
    expect(result.verified).toBe(c.verified);
    expect(signer.calls.length).toBe(c.calls);
    const logged = result.results[0]?.errors.map((e) => e.message) ?? [];
    if (c.calls > 0) {
      expect(logged).toEqual([
        'revocation check by verification plugin "com.amazonaws.signer.notation.plugin" failed with reason "GetRevocationStatus call failed with error: operation error Signer: GetRevocationStatus, https response error StatusCode: 403, AccessDeniedException: User is not authorized to perform: signer:GetRevocationStatus"',
      ]);
    } else {
      expect(logged).toEqual([]);
    }
  });

  it('a Signer endpoint that does not answer is bounded by the timeout and fails under enforce', async () => {
    signer.answer = () => ({ hangMs: 5_000 });
    const started = performance.now();
    const result = await verify('plain', [PROFILE_ARN]);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('CERTIFICATE_REVOKED');
    expect(result.error?.message).toMatch(/GetRevocationStatus call failed with error: /);
  });

  it('a GovCloud ARN goes to the GovCloud endpoint', async () => {
    signer.calls.length = 0;
    gov.calls.length = 0;
    gov.answer = () => ({ revokedEntities: [] });
    const result = await verify('gov', [GOV_PROFILE_ARN]);
    expect(result.verified).toBe(true);
    expect(signer.calls).toEqual([]);
    expect(gov.calls.map((call) => [call.profileVersionArn, call.jobArn])).toEqual([[GOV_PROFILE_VERSION_ARN, GOV_JOB_ARN]]);
  });

  it('answers are cached per job, profile version and chain; failures are not', async () => {
    signer.calls.length = 0;
    signer.answer = () => ({ status: 500, type: 'InternalServiceErrorException', message: 'down' });
    revocation?.close();
    const cached = new SignerRevocationStatus({ credentials: DOUBLE_CREDENTIALS, endpoints: { aws: signer.url }, maxAttempts: 1 });
    const request = { profileVersionArn: PROFILE_VERSION_ARN, jobArn: JOB_ARN, certificateHashes: certificateHashes(chain.chain), signatureTimestamp: new Date('2026-01-02T03:04:05Z') };
    await expect(cached.revokedEntities(request)).rejects.toThrow();
    signer.answer = () => ({ revokedEntities: [JOB_ARN] });
    expect(await cached.revokedEntities(request)).toEqual([JOB_ARN]);
    expect(await cached.revokedEntities(request)).toEqual([JOB_ARN]);
    expect(await cached.revokedEntities({ ...request, jobArn: `${JOB_ARN}x` })).toEqual([JOB_ARN]);
    expect(signer.calls.map((call) => call.jobArn)).toEqual([JOB_ARN, JOB_ARN, `${JOB_ARN}x`]);
    cached.close();
  });
});
