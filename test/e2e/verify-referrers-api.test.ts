// Verification through the OCI 1.1 Referrers API (an in-process registry double): discovery, tampered content, registry faults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, pushImage, type Descriptor } from '../../src/oci/index.js';
import { signArtifact } from '../../src/notary/signer.js';
import { parseTrustPolicyDocument } from '../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../src/notary/truststore/index.js';
import { verifyImage, type VerifyImageOptions } from '../../src/notary/verifier/index.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../support/pki.js';
import { startReferrersRegistryDouble, type ReferrersRegistryDouble } from '../support/referrers-registry-double.js';

describe('verify through the Referrers API', () => {
  let registry: ReferrersRegistryDouble;
  let client: RegistryClient;
  let chain: GeneratedChain;
  let options: VerifyImageOptions;

  beforeAll(async () => {
    registry = await startReferrersRegistryDouble({ pageSize: 2 });
    client = new RegistryClient({ plainHttp: true, retry: { maxRetries: 0 } });
    chain = await generateCertificateChain({ keyType: 'ec-256', leaf: { keys: await cachedKeyPair('ec-256', 'referrers-leaf') } });
    options = {
      registry: client,
      trustStore: MemoryTrustStore.fromBundles([{ type: 'ca', name: 'test', caBundle: chain.root.pem }]),
      trustPolicy: parseTrustPolicyDocument({
        version: '1.0',
        trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
      }),
    };
  });
  afterAll(async () => {
    await registry?.stop();
  });

  async function signedImage(repo: string, signatures: number): Promise<{ descriptor: Descriptor; envelopes: Descriptor[] }> {
    const repository = client.repository(registry.host, repo);
    const image = await pushImage(repository, { tag: 'v1', layers: [new TextEncoder().encode(repo)] });
    const envelopes: Descriptor[] = [];
    for (let i = 0; i < signatures; i++) {
      const signed = await signArtifact(repository, 'v1', { key: chain.leaf.privateKey, certificateChain: chain.chain, signatureFormat: i % 2 ? 'cose' : 'jws' });
      envelopes.push(signed.envelope);
    }
    return { descriptor: image.descriptor, envelopes };
  }

  it('finds signatures with the Referrers API (paginated) and verifies', async () => {
    const { descriptor } = await signedImage('api/app', 3);
    const result = await verifyImage(`${registry.host}/api/app:v1`, options);
    expect(result.error).toBeUndefined();
    expect(result.verified).toBe(true);
    expect(result.digest).toBe(descriptor.digest);
    expect(registry.requests.some((r) => r.path.includes(`/v2/api/app/referrers/${descriptor.digest}`))).toBe(true);
  });

  it('an envelope served with other bytes than its digest fails closed (DIGEST_MISMATCH)', async () => {
    const { envelopes } = await signedImage('api/tampered', 1);
    registry.tamper('api/tampered', (envelopes[0] as Descriptor).digest, new TextEncoder().encode('{"payload":"x"}'));
    const result = await verifyImage(`${registry.host}/api/tampered:v1`, options);
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('DIGEST_MISMATCH');
  });

  it('a registry that fails the referrers listing fails closed', async () => {
    await signedImage('api/faulty', 1);
    registry.addFault({ pathIncludes: '/v2/api/faulty/referrers/', status: 503, times: 10 });
    const result = await verifyImage(`${registry.host}/api/faulty:v1`, options);
    expect(result.verified).toBe(false);
    expect(result.error?.code).toBe('REGISTRY_UNAVAILABLE');
  });
});
