// AWS-Signer-shaped test signatures: a test root CA issuing root → intermediate → leaf chains, and signatures with AWS Signer's attributes.
import { createPrivateKey } from 'node:crypto';
import { OciLayoutStore, pushImage, type ArtifactStore, type Descriptor } from '../../src/oci/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import type { ExtendedAttribute } from '../../src/notary/types.js';
import { ATTRIBUTE_SIGNING_JOB, ATTRIBUTE_SIGNING_PROFILE_ALIAS, ATTRIBUTE_SIGNING_PROFILE_VERSION, AWS_SIGNER_PLUGIN_NAME } from '../../src/aws/index.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';

export const ACCOUNT = '123456789012';
export const PROFILE_ARN = `arn:aws:signer:us-west-2:${ACCOUNT}:/signing-profiles/kyvernodemo`;
export const PROFILE_VERSION_ARN = `${PROFILE_ARN}/a1b2c3d4e5`;
export const JOB_ARN = `arn:aws:signer:us-west-2:${ACCOUNT}:/signing-jobs/97af3947-e7b2-4533-8d9d-6741156f0b79`;
export const ALIAS_ARN = `arn:aws:signer:us-west-2:${ACCOUNT}:/aliases/prod`;
export const GOV_PROFILE_ARN = `arn:aws-us-gov:signer:us-gov-west-1:${ACCOUNT}:/signing-profiles/govdemo`;
export const GOV_PROFILE_VERSION_ARN = `${GOV_PROFILE_ARN}/f6e5d4c3b2`;
export const GOV_JOB_ARN = `arn:aws-us-gov:signer:us-gov-west-1:${ACCOUNT}:/signing-jobs/0d5c1e6f-2a3b-4c5d-8e9f-a0b1c2d3e4f5`;

/** A chain shaped like AWS Signer's (ECDSA P-384 root → regional intermediate → signing leaf), from a test root. */
export async function awsSignerChain(slot = 'aws'): Promise<GeneratedChain> {
  return generateCertificateChain({
    keyType: 'ec-384',
    root: { subject: 'C=US, O=AWS, OU=Cryptography, ST=WA, CN=imgverify test AWS Signer Code Signing Root CA G1', keys: await cachedKeyPair('ec-384', `${slot}-root`) },
    intermediate: { subject: 'C=US, O=AWS, OU=Cryptography, ST=WA, CN=imgverify test AWS Signer us-west-2 Code Signing CA G1', keys: await cachedKeyPair('ec-384', `${slot}-intermediate`) },
    leaf: { subject: 'C=US, ST=WA, L=Seattle, O=AWS Signer, CN=AWS Signer', keys: await cachedKeyPair('ec-384', `${slot}-leaf`) },
  });
}

export interface SignerAttributes {
  profileVersionArn?: string | number;
  jobArn?: string;
  aliasArn?: string;
  pluginMinVersion?: string;
}

/** The extended critical attributes AWS Signer signs (a `profileVersionArn` of another type tests the parse error). */
export function awsSignerAttributes(options: SignerAttributes = {}): ExtendedAttribute[] {
  const attributes: ExtendedAttribute[] = [
    { key: 'io.cncf.notary.verificationPlugin', critical: true, value: AWS_SIGNER_PLUGIN_NAME },
    { key: 'io.cncf.notary.verificationPluginMinVersion', critical: true, value: options.pluginMinVersion ?? '1.0.298' },
    { key: ATTRIBUTE_SIGNING_PROFILE_VERSION, critical: true, value: options.profileVersionArn ?? PROFILE_VERSION_ARN },
  ];
  if (options.jobArn !== '') attributes.push({ key: ATTRIBUTE_SIGNING_JOB, critical: true, value: options.jobArn ?? JOB_ARN });
  if (options.aliasArn) attributes.push({ key: ATTRIBUTE_SIGNING_PROFILE_ALIAS, critical: true, value: options.aliasArn });
  return attributes;
}

/** Push an image to `store` and sign it as AWS Signer would (signingAuthority scheme, JWS); returns the signed descriptor. */
export async function pushSignedImage(store: ArtifactStore, tag: string, chain: GeneratedChain, attributes: ExtendedAttribute[]): Promise<Descriptor> {
  const image = await pushImage(store, { tag, layers: [new TextEncoder().encode(`aws signer ${tag}`)] });
  await signArtifact(store, image.descriptor.digest, {
    key: createPrivateKey(chain.leaf.privateKeyPem),
    certificateChain: chain.chain,
    signingScheme: 'notary.x509.signingAuthority',
    extendedAttributes: attributes,
  });
  return image.descriptor;
}

export { OciLayoutStore };
