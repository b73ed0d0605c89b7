// CPU spent on signatures whose chains cannot lead to the trust store: 30 distinct 16-certificate P-521/RSA-4096 chains on one image.
import { describe, expect, it } from 'vitest';
import { createNotaryPayload, signEnvelope } from '../../../src/notary/envelope/index.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_JWS } from '../../../src/notary/types.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { verifyArtifact } from '../../../src/notary/verifier/index.js';
import { cachedKeyPair, generateCertificateChain, type KeyType } from '../../support/pki.js';
import { ArtifactStoreDouble } from './store-double.js';

const TARGET: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 321 };
const REPOSITORY = 'registry.example/app';
const SIGNATURES = 30;
const CHAIN_LENGTH = 16;

/** Level i of a chain (0 = root): RSA-4096 and P-521 alternating, keys shared by level so only the certificates differ. */
function keyTypeAt(level: number): KeyType {
  return level % 2 === 0 ? 'rsa-4096' : 'ec-521';
}

async function hostileEnvelope(index: number): Promise<Uint8Array> {
  const keys = await Promise.all(Array.from({ length: CHAIN_LENGTH }, (_, level) => cachedKeyPair(keyTypeAt(level), `untrusted-${level}`)));
  const chain = await generateCertificateChain({
    commonName: `untrusted signer ${index}`,
    root: { keyType: keyTypeAt(0), keys: keys[0] },
    intermediates: Array.from({ length: CHAIN_LENGTH - 2 }, (_, i) => ({ keyType: keyTypeAt(i + 1), keys: keys[i + 1] })),
    leaf: { keyType: keyTypeAt(CHAIN_LENGTH - 1), keys: keys[CHAIN_LENGTH - 1] },
  });
  return signEnvelope({
    mediaType: MEDIA_TYPE_JWS,
    payload: createNotaryPayload(TARGET),
    signingScheme: 'notary.x509',
    signingTime: new Date(),
    privateKey: chain.leaf.privateKey,
    certificateChain: chain.chain,
  });
}

describe('signatures that cannot chain to the trust store', () => {
  it('cost under 5 ms of CPU each', async () => {
    const trusted = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'trusted-root') } });
    const trustStore = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'trusted', caBundle: trusted.root.pem }]);
    const trustPolicy = parseTrustPolicyDocument({
      version: '1.0',
      trustPolicies: [{ name: 'strict', registryScopes: [REPOSITORY], signatureVerification: { level: 'strict' }, trustStores: ['ca:trusted'], trustedIdentities: ['*'] }],
    });
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    for (let index = 0; index < SIGNATURES; index++) store.addSignature(TARGET, MEDIA_TYPE_JWS, await hostileEnvelope(index));

    const before = process.cpuUsage();
    const result = await verifyArtifact(store, TARGET, { trustPolicy, trustStore });
    const used = process.cpuUsage(before);
    const cpuMs = (used.user + used.system) / 1000;
    console.log(`untrusted image: ${SIGNATURES} signatures, ${cpuMs.toFixed(1)} ms CPU, ${(cpuMs / SIGNATURES).toFixed(2)} ms per signature`);

    expect(result.verified).toBe(false);
    expect(result.results).toHaveLength(SIGNATURES);
    expect(result.error?.code).toBe('UNTRUSTED_SIGNER');
    expect(cpuMs / SIGNATURES).toBeLessThan(5);
  }, 300_000);
});
