// The built-in AWS Signer verifier and a plugin process speaking the protocol (test double of the AWS plugin) give the same verdicts.
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_SIGNER_PLUGIN_NAME, SignerRevocationStatus, verificationPlugins, type AwsSignerVerifierChoice } from '../../src/aws/index.js';
import { MemoryTrustStore, parseTrustPolicyDocument, PluginDirectory, verifyImage, type VerificationLevelName } from '../../src/notary/index.js';
import { LOCAL_FIXTURES } from '../support/fixtures.js';
import { DOUBLE_CREDENTIALS, startSignerDouble, type SignerDouble } from '../support/signer-double.js';
import { awsSignerAttributes, awsSignerChain, JOB_ARN, OciLayoutStore, PROFILE_ARN, pushSignedImage } from './signer-support.js';

const REVOKED_JOB = `${JOB_ARN}-revoked`;

interface Case {
  name: string;
  tag: string;
  identities: string[];
  revocation?: VerificationLevelName | 'log' | 'skip';
  signerDown?: boolean;
  /** Verified, and the deciding message (for failures the verifier reports from the plugin's results). */
  verified: boolean;
  message?: string;
  /** A request the plugin refuses: both fail, each with the plugin's message at the end. */
  refused?: string;
}

const cases: Case[] = [
  { name: 'trusted profile', tag: 'good', identities: [PROFILE_ARN], verified: true },
  {
    name: 'untrusted profile',
    tag: 'good',
    identities: [`${PROFILE_ARN}2`],
    verified: false,
    message: `trusted identity verification by plugin "${AWS_SIGNER_PLUGIN_NAME}" failed with reason "Signature publisher doesn't match any trusted identities."`,
  },
  {
    name: 'revoked job',
    tag: 'revoked',
    identities: [PROFILE_ARN],
    verified: false,
    message: `revocation check by verification plugin "${AWS_SIGNER_PLUGIN_NAME}" failed with reason "Resource(s) ${REVOKED_JOB} have been revoked."`,
  },
  { name: 'revoked job, revocation skipped', tag: 'revoked', identities: [PROFILE_ARN], revocation: 'skip', verified: true },
  { name: 'Signer down, revocation logged', tag: 'good', identities: [PROFILE_ARN], revocation: 'log', signerDown: true, verified: true },
  { name: 'wildcard', tag: 'good', identities: ['*'], verified: false, refused: 'The AWSSigner plugin does not support wildcard identity in the trust policy.' },
];

describe('built-in verifier and plugin process, same inputs', () => {
  let dir: string;
  let store: OciLayoutStore;
  let signer: SignerDouble;
  let revocation: SignerRevocationStatus;
  let pluginsDir: string;
  let rootPem: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imgverify-aws-parity-'));
    store = await OciLayoutStore.open(join(dir, 'layout'), { create: true });
    const chain = await awsSignerChain();
    rootPem = chain.root.pem;
    await pushSignedImage(store, 'good', chain, awsSignerAttributes());
    await pushSignedImage(store, 'revoked', chain, awsSignerAttributes({ jobArn: REVOKED_JOB }));
    pluginsDir = join(dir, 'plugins');
    await mkdir(join(pluginsDir, AWS_SIGNER_PLUGIN_NAME), { recursive: true });
    const executable = join(pluginsDir, AWS_SIGNER_PLUGIN_NAME, `notation-${AWS_SIGNER_PLUGIN_NAME}`);
    await copyFile(join(LOCAL_FIXTURES, 'aws/aws-signer-plugin-double'), executable);
    await chmod(executable, 0o755);
    signer = await startSignerDouble();
    revocation = new SignerRevocationStatus({ credentials: DOUBLE_CREDENTIALS, endpoints: { aws: signer.url }, maxAttempts: 1, cacheTtlMs: 0 });
  });
  afterAll(async () => {
    revocation?.close();
    await signer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function run(c: Case, choice: AwsSignerVerifierChoice) {
    signer.answer = (call) =>
      c.signerDown ? { status: 503, type: 'ServiceUnavailableException', message: 'down' } : { revokedEntities: call.jobArn === REVOKED_JOB ? [REVOKED_JOB] : [] };
    return verifyImage(`registry.example/aws:${c.tag}`, {
      store,
      scope: 'registry.example/aws',
      trustPolicy: parseTrustPolicyDocument({
        version: '1.0',
        trustPolicies: [
          {
            name: 'aws',
            registryScopes: ['*'],
            signatureVerification: { level: 'strict', ...(c.revocation ? { override: { revocation: c.revocation } } : {}) },
            trustStores: ['signingAuthority:aws-signer-ts'],
            trustedIdentities: c.identities,
          },
        ],
      }),
      trustStore: MemoryTrustStore.fromBundles([{ type: 'signingAuthority', name: 'aws-signer-ts', caBundle: rootPem }]),
      plugins: verificationPlugins(new PluginDirectory(pluginsDir), choice, { revocation }),
      pluginConfig: { 'aws-signer-endpoint-url': signer.url },
    });
  }

  it.each(cases)('$name', async (c) => {
    signer.calls.length = 0;
    const builtin = await run(c, 'builtin');
    const builtinCalls = signer.calls.splice(0);
    const plugin = await run(c, 'plugin');
    const pluginCalls = signer.calls.splice(0);
    for (const result of [builtin, plugin]) {
      expect(result.verified).toBe(c.verified);
      if (c.message !== undefined) expect(result.error?.message).toBe(c.message);
      if (c.refused !== undefined) expect(result.error?.message.endsWith(c.refused)).toBe(true);
    }
    // Which one ran: the built-in verifier signs its calls (SigV4), the plugin double does not; both send the same query.
    expect(builtinCalls.every((call) => call.signed)).toBe(true);
    expect(pluginCalls.every((call) => !call.signed)).toBe(true);
    const query = (calls: typeof builtinCalls) => calls.map(({ signed: _, ...call }) => ({ ...call, signatureTimestamp: new Date(call.signatureTimestamp ?? '').toISOString() }));
    expect(query(pluginCalls)).toEqual(query(builtinCalls));
  });
});
