// The built-in AWS Signer verifier's pure parts: the certificate hash chain on a fixed chain, request checks, identity rules, built-in roots.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AWS_SIGNER_ROOT_PEM,
  AWS_SIGNER_TRUST_STORES,
  AWS_US_GOV_SIGNER_ROOT_PEM,
  AwsSignerVerifier,
  certificateHashes,
  parseArn,
  partitionOfRegion,
  verifySignerIdentity,
} from '../../src/aws/index.js';
import { FallbackTrustStore, FileTrustStore, MemoryTrustStore, type VerifySignatureRequest } from '../../src/notary/index.js';
import { parseCertificateBundle } from '../../src/pki/index.js';
import { SHARED_FIXTURES } from '../support/fixtures.js';
import { PROFILE_ARN, PROFILE_VERSION_ARN } from './signer-support.js';

const COMMERCIAL_ROOT = join(SHARED_FIXTURES, 'aws-signer/aws-signer-notation-root.crt');
const GOV_ROOT = join(SHARED_FIXTURES, 'aws-signer/aws-us-gov-signer-notation-root.crt');

/** SHA-384 of each root's TBSCertificate, computed with openssl (asn1parse -strparse 4 | dgst -sha384). */
const COMMERCIAL_TBS_SHA384 = '163b39eb810821441b047ddf99b17fec3db7c40fc0e5fcd4fd69818dd8e953d4752d210c9e6f6382eff98edc0a2771ea';
const GOV_TBS_SHA384 = 'a093e006e0cc9b668cf6488c3922d616327fa41e93633e0d281952f3b3cdb1f096b6347a670744747373a4d4451f4329';

async function der(path: string): Promise<Uint8Array> {
  const [certificate] = parseCertificateBundle(await readFile(path, 'utf8'));
  return new Uint8Array(certificate!.rawData);
}

describe('CertificateHashes', () => {
  it('pairs each certificate hash with the next one, the last with itself', async () => {
    expect(certificateHashes([await der(COMMERCIAL_ROOT), await der(GOV_ROOT)])).toEqual([COMMERCIAL_TBS_SHA384 + GOV_TBS_SHA384, GOV_TBS_SHA384 + GOV_TBS_SHA384]);
    expect(certificateHashes([await der(GOV_ROOT)])).toEqual([GOV_TBS_SHA384 + GOV_TBS_SHA384]);
  });

  it('a certificate that does not parse is the plugin error', () => {
    expect(() => certificateHashes([new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])])).toThrow(
      expect.objectContaining({ code: 'AWS_SIGNER_INVALID_REQUEST', message: 'unable to parse certificates in certificate chain.' }),
    );
  });
});

describe('verify-signature request checks, in the plugin order', () => {
  const base = (): VerifySignatureRequest => ({
    contractVersion: '1.0',
    signature: {
      criticalAttributes: {
        contentType: 'application/vnd.cncf.notary.payload.v1+json',
        signingScheme: 'notary.x509.signingAuthority',
        authenticSigningTime: '2026-01-02T03:04:05Z',
        extendedAttributes: { 'com.amazonaws.signer.signingProfileVersion': PROFILE_VERSION_ARN, 'com.amazonaws.signer.signingJob': 'arn:aws:signer:us-west-2:1:/signing-jobs/1' },
      },
      unprocessedAttributes: ['com.amazonaws.signer.signingProfileVersion', 'com.amazonaws.signer.signingJob'],
      certificateChain: [],
    },
    trustPolicy: { trustedIdentities: [PROFILE_ARN], signatureVerification: ['SIGNATURE_VERIFIER.TRUSTED_IDENTITY'] },
  });
  const cases: { name: string; change: (r: VerifySignatureRequest) => void; message: string }[] = [
    { name: 'contract version', change: (r) => (r.contractVersion = '2.0'), message: '"2.0" is not a supported notary plugin contract version' },
    {
      name: 'wildcard before capabilities',
      change: (r) => {
        r.trustPolicy.trustedIdentities = ['*'];
        r.trustPolicy.signatureVerification.push('unsupported');
      },
      message: 'The AWSSigner plugin does not support wildcard identity in the trust policy.',
    },
    { name: 'capability', change: (r) => r.trustPolicy.signatureVerification.push('unsupported'), message: "'unsupported' is not a supported plugin capability" },
    { name: 'authenticSigningTime', change: (r) => delete r.signature.criticalAttributes.authenticSigningTime, message: 'missing authenticSigningTime' },
    { name: 'signing scheme', change: (r) => (r.signature.criticalAttributes.signingScheme = 'notary.x509'), message: "'notary.x509' signing scheme is not supported" },
  ];
  it.each(cases)('$name', async (c) => {
    const request = base();
    c.change(request);
    await expect(new AwsSignerVerifier().verifySignature(request)).rejects.toMatchObject({ code: 'AWS_SIGNER_INVALID_REQUEST', message: c.message });
  });

  it('the signing scheme compares case-insensitively; both Signer attributes are processed without revocation', async () => {
    const request = base();
    request.signature.criticalAttributes.signingScheme = 'Notary.X509.SigningAuthority';
    expect(await new AwsSignerVerifier().verifySignature(request)).toEqual({
      verificationResults: { 'SIGNATURE_VERIFIER.TRUSTED_IDENTITY': { success: true, reason: `Signature publisher matched "${PROFILE_ARN}" trusted identity.` } },
      processedAttributes: ['com.amazonaws.signer.signingProfileVersion', 'com.amazonaws.signer.signingJob'],
    });
  });
});

describe('trusted identity ARNs', () => {
  const aliased = 'arn:aws:signer:us-west-2:123456789012:/aliased-signing-profiles/prod/v1';
  const cases: { identities: string[]; profileVersionArn?: string; success: boolean }[] = [
    { identities: [aliased], profileVersionArn: aliased.toUpperCase().replace('ARN:AWS:SIGNER', 'arn:aws:signer').replace('/ALIASED-SIGNING-PROFILES/', '/aliased-signing-profiles/'), success: true },
    { identities: [aliased], success: false },
    { identities: ['arn:aws:dynamodb:us-west-2:123456789012:/signing-profiles/kyvernodemo'], success: false },
    { identities: ['arn:aws:signer:us-west-2:123456789012:/signing-profiles'], success: false },
    { identities: [`${PROFILE_VERSION_ARN}/extra`], success: false },
    { identities: ['not an arn', PROFILE_ARN], success: true },
  ];
  it.each(cases)('$identities → $success', (c) => {
    expect(verifySignerIdentity(c.identities, { profileVersionArn: c.profileVersionArn ?? PROFILE_VERSION_ARN }).success).toBe(c.success);
  });

  it('parses ARNs as Go arn.Parse does', () => {
    expect(parseArn('arn:aws-us-gov:signer:us-gov-west-1:1:/signing-jobs/a:b')).toEqual({ partition: 'aws-us-gov', service: 'signer', region: 'us-gov-west-1', accountId: '1', resource: '/signing-jobs/a:b' });
    expect(parseArn('ARN:aws:signer:r:1:/x')).toBeUndefined();
    expect(parseArn('arn:aws:signer:r:1')).toBeUndefined();
  });
});

describe('Signer endpoints by partition', () => {
  it.each([
    ['us-west-2', 'aws', 'https://signer.us-west-2.amazonaws.com/'],
    ['us-gov-west-1', 'aws-us-gov', 'https://signer.us-gov-west-1.amazonaws.com/'],
    ['cn-north-1', 'aws-cn', 'https://signer.cn-north-1.amazonaws.com.cn/'],
  ])('%s is in %s and the SDK resolves %s (before its data- host prefix)', async (region, partition, url) => {
    expect(partitionOfRegion(region)).toBe(partition);
    const { SignerClient } = await import('@aws-sdk/client-signer');
    const client = new SignerClient({ region });
    expect(client.config.endpointProvider({ Region: region }).url.href).toBe(url);
    client.destroy();
  });
});

describe('built-in AWS Signer trust stores', () => {
  it('hold the published roots byte for byte', async () => {
    expect(AWS_SIGNER_ROOT_PEM).toBe(await readFile(COMMERCIAL_ROOT, 'utf8'));
    expect(AWS_US_GOV_SIGNER_ROOT_PEM).toBe(await readFile(GOV_ROOT, 'utf8'));
    const builtin = MemoryTrustStore.fromBundles(AWS_SIGNER_TRUST_STORES);
    expect((await builtin.getCertificates('signingAuthority', 'aws-signer-ts')).map((c) => c.subject)).toEqual([
      'C=US, O=AWS, OU=Cryptography, ST=WA, CN=AWS Signer Code Signing Root CA G1',
    ]);
  });

  it('answer only for names the configuration lacks; a configured store wins, even an invalid one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'imgverify-aws-ts-'));
    try {
      const files = new FileTrustStore(dir);
      const store = new FallbackTrustStore(files, MemoryTrustStore.onFirstUse(AWS_SIGNER_TRUST_STORES));
      expect((await store.getCertificates('signingAuthority', 'aws-us-gov-signer-ts')).map((c) => c.subject)).toEqual([
        'C=US, O=AWS, OU=Cryptography, ST=WA, CN=AWS Signer Code Signing GovCloud (US) Root CA G1',
      ]);
      await mkdir(files.storePath('signingAuthority', 'aws-signer-ts'), { recursive: true });
      await expect(store.getCertificates('signingAuthority', 'aws-signer-ts')).rejects.toMatchObject({ code: 'INVALID_TRUST_STORE' });
      await writeFile(join(files.storePath('signingAuthority', 'aws-signer-ts'), 'gov.pem'), AWS_US_GOV_SIGNER_ROOT_PEM);
      expect((await store.getCertificates('signingAuthority', 'aws-signer-ts')).map((c) => c.subject)).toEqual([
        'C=US, O=AWS, OU=Cryptography, ST=WA, CN=AWS Signer Code Signing GovCloud (US) Root CA G1',
      ]);
      await expect(store.getCertificates('ca', 'aws-signer-ts')).rejects.toMatchObject({ code: 'INVALID_TRUST_STORE' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
