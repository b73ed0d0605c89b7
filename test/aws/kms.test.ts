// awskms:// keys: the URI forms cosign and Kyverno accept, GetPublicKey through the real SDK against a KMS double.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsError, awsKmsPublicKeys, parseAwsKmsUri } from '../../src/aws/index.js';
import { toPem } from '../../src/pki/index.js';
import { startKmsDouble, type KmsDouble } from '../support/kms-double.js';

describe('parseAwsKmsUri', () => {
  it.each([
    ['awskms:///1234abcd-12ab-34cd-56ef-1234567890ab', 'eu-west-1', { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', region: 'eu-west-1' }],
    ['awskms:///alias/cosign', 'eu-west-1', { keyId: 'alias/cosign', region: 'eu-west-1' }],
    ['awskms:///arn:aws:kms:us-east-2:123456789012:key/abcd', undefined, { keyId: 'arn:aws:kms:us-east-2:123456789012:key/abcd', region: 'us-east-2' }],
    ['awskms:///arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/x', 'eu-west-1', { keyId: 'arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/x', region: 'us-gov-west-1' }],
  ])('%s', (uri, region, expected) => {
    expect(parseAwsKmsUri(uri, region)).toEqual(expected);
  });

  it.each([
    ['awskms://kms.attacker.example/alias/cosign', 'awskms://kms.attacker.example/alias/cosign: a KMS endpoint in the key (kms.attacker.example) is not supported: AWS credentials go only to AWS\'s own endpoints'],
    ['awskms:///alias/cosign', 'awskms:///alias/cosign: the KMS key\'s region is unknown; give its ARN or set AWS_REGION'],
    ['gcpkms://projects/p', '"gcpkms://projects/p" is not an awskms:// key (awskms:///<key id, alias/<name> or ARN>)'],
  ])('%s is refused', (uri, message) => {
    expect(() => parseAwsKmsUri(uri, undefined)).toThrow(new AwsError('AWS_KMS_INVALID_KEY', message));
  });
});

describe('awsKmsPublicKeys ← KMS double', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let kms: KmsDouble;
  beforeAll(async () => {
    kms = await startKmsDouble({ 'alias/cosign': key.publicKey });
  });
  afterAll(() => kms?.stop());
  const read = () => awsKmsPublicKeys({ region: 'us-east-1', endpoints: { aws: kms.url }, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 });

  it('GetPublicKey gives the key as PEM', async () => {
    expect(await read()('awskms:///alias/cosign', new AbortController().signal)).toBe(toPem('PUBLIC KEY', new Uint8Array(key.publicKey.export({ format: 'der', type: 'spki' }))));
    expect(kms.asked).toEqual(['alias/cosign']);
  });

  it('a key KMS does not have is AWS_KMS_KEY_UNAVAILABLE with KMS\'s words', async () => {
    await expect(read()('awskms:///alias/missing', new AbortController().signal)).rejects.toThrow(
      new AwsError('AWS_KMS_KEY_UNAVAILABLE', "awskms:///alias/missing: KMS GetPublicKey in us-east-1 failed (NotFoundException: Key 'alias/missing' does not exist)"),
    );
  });
});
