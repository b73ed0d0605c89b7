// Signature candidates fetched ahead (issue 19): manifests and envelopes of up to SIGNATURE_PREFETCH candidates in
// flight at once, never more, while the signatures are still verified in the spec's order and the first pass wins.
// Real docker-registry behind the fault proxy, which delays every fetch and counts the fetches in flight.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { signArtifact } from '../../../src/notary/signer.js';
import { parseTrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { ARTIFACT_TYPE_NOTARY_SIGNATURE } from '../../../src/notary/types.js';
import { SIGNATURE_PREFETCH } from '../../../src/notary/verifier/constants.js';
import { verifyImage } from '../../../src/notary/verifier/index.js';
import { newestFirst, pushImage, RegistryClient } from '../../../src/oci/index.js';
import { FaultProxy } from '../../support/fault-proxy.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain } from '../../support/pki.js';
import { startRegistry, type RegistryServer } from '../../support/registry.js';

const UNTRUSTED_SIGNATURES = 6;
const DELAY_MS = 40;

let registry: RegistryServer;
let proxy: FaultProxy;
let pusher: RegistryClient;
let trusted: GeneratedChain;
let stranger: GeneratedChain;
let trustStore: MemoryTrustStore;

const trustPolicy = parseTrustPolicyDocument({
  version: '1.0',
  trustPolicies: [{ name: 'prefetch', registryScopes: ['*'], signatureVerification: { level: 'strict', override: { revocation: 'skip' } }, trustStores: ['ca:test'], trustedIdentities: ['*'] }],
});

beforeAll(async () => {
  registry = await startRegistry();
  pusher = new RegistryClient({ plainHttpForLocalhost: true });
  const leaf = await cachedKeyPair('ec-256', 'prefetch-leaf');
  trusted = await generateCertificateChain({ keyType: 'ec-256', commonName: 'prefetch signer', root: { keys: await cachedKeyPair('ec-256', 'prefetch-root') }, leaf: { keys: leaf } });
  stranger = await generateCertificateChain({ keyType: 'ec-256', commonName: 'stranger', root: { keys: await cachedKeyPair('ec-256', 'prefetch-other-root') }, leaf: { keys: leaf } });
  trustStore = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'test', caBundle: trusted.root.pem }]);
  proxy = await FaultProxy.start(registry.url);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await pusher?.close();
  await registry?.stop();
});

/** `repo:v1` signed by the stranger UNTRUSTED_SIGNATURES times, and by the trusted signer when asked; its signatures newest first. */
async function image(repo: string, withTrusted: boolean): Promise<{ reference: string; order: string[]; trustedSignature?: string }> {
  const store = pusher.repository(registry.host, repo);
  const { descriptor } = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode(`layer of ${repo}`)] });
  let trustedSignature: string | undefined;
  if (withTrusted) {
    trustedSignature = (await signArtifact(store, 'v1', { key: trusted.leaf.privateKey, certificateChain: trusted.chain })).signatureManifest.digest;
  }
  for (let i = 0; i < UNTRUSTED_SIGNATURES; i++) {
    await signArtifact(store, 'v1', { key: stranger.leaf.privateKey, certificateChain: stranger.chain, userMetadata: { n: String(i) } });
  }
  const order = newestFirst(await store.referrers(descriptor, ARTIFACT_TYPE_NOTARY_SIGNATURE)).map((d) => d.digest);
  return { reference: `${proxy.host}/${repo}:v1`, order, ...(trustedSignature ? { trustedSignature } : {}) };
}

async function verifyThroughProxy(reference: string) {
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  proxy.clearRules();
  proxy.add({ method: 'GET', path: /\/(manifests\/sha256:|blobs\/)/, fault: { kind: 'delay', ms: DELAY_MS } });
  proxy.resetMaxOpenExchanges();
  try {
    return await verifyImage(reference, { trustPolicy, trustStore, registry: client });
  } finally {
    proxy.clearRules();
    await client.close();
  }
}

test(`${UNTRUSTED_SIGNATURES} untrusted signatures: all tried in newest-first order, at most ${SIGNATURE_PREFETCH} fetches in flight and exactly that many at once`, async () => {
  const { reference, order } = await image('all-untrusted', false);
  const result = await verifyThroughProxy(reference);
  expect(result.verified).toBe(false);
  expect(result.results.map((r) => r.signatureDigest)).toEqual(order);
  expect(result.results.every((r) => r.errors.at(-1)?.code === 'UNTRUSTED_SIGNER')).toBe(true);
  expect(proxy.maxOpenExchanges).toBe(SIGNATURE_PREFETCH);
});

test('a trusted signature among untrusted ones: verified in order up to it, the first pass wins, nothing after it counted', async () => {
  const { reference, order, trustedSignature } = await image('one-trusted', true);
  const result = await verifyThroughProxy(reference);
  const position = order.indexOf(trustedSignature as string);
  expect(result.verified).toBe(true);
  expect(result.signature?.signatureDigest).toBe(trustedSignature);
  expect(result.results.map((r) => r.signatureDigest)).toEqual(order.slice(0, position + 1));
  expect(proxy.maxOpenExchanges).toBeLessThanOrEqual(SIGNATURE_PREFETCH);
});

test('by digest (the CLI\'s verify, a fresh client): the signature listing goes out while the HEAD is unanswered, and the digest verified is the HEAD\'s', async () => {
  const { reference, trustedSignature } = await image('by-digest', true);
  const digest = (await pusher.repository(registry.host, 'by-digest').resolve('v1')).digest;
  const byDigest = reference.replace(/:v1$/, `@${digest}`);
  const client = new RegistryClient({ plainHttpForLocalhost: true });
  const controller = new AbortController();
  proxy.clearRules();
  const head = proxy.add({ method: 'HEAD', path: /\/manifests\/sha256:/, fault: { kind: 'stall' }, times: 1 });
  // The Referrers API probe or the referrers tag index, whichever the listing asks first; passed through as is.
  const listing = proxy.add({ method: 'GET', path: /\/(referrers\/|manifests\/sha256-)/, fault: { kind: 'delay', ms: 0 }, times: 1 });
  try {
    const pending = verifyImage(byDigest, { trustPolicy, trustStore, registry: client, signal: controller.signal });
    await head.firstHit;
    const seen = await Promise.race([listing.firstHit.then(() => 'listing'), new Promise((resolve) => setTimeout(() => resolve('nothing within 2 s'), 2000))]);
    expect(seen).toBe('listing');
    controller.abort();
    expect((await pending).error?.code).toBe('VERIFICATION_TIMEOUT');
    // Unstalled: verified at the digest the HEAD answered, by the trusted signature.
    proxy.clearRules();
    const result = await verifyImage(byDigest, { trustPolicy, trustStore, registry: client });
    expect(result.verified).toBe(true);
    expect(result.digest).toBe(digest);
    expect(result.signature?.signatureDigest).toBe(trustedSignature);
  } finally {
    controller.abort();
    proxy.clearRules();
    await client.close();
  }
});
