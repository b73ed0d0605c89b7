// CPU and event-loop delay spent on hostile signatures: 30 distinct 16-certificate P-521/RSA-4096 chains on one image, not anchored or anchored by an appended trusted root.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNotaryPayload, signEnvelope } from '../../../src/notary/envelope/index.js';
import { parseTrustPolicyDocument, type TrustPolicyDocument } from '../../../src/notary/trustpolicy/index.js';
import { MemoryTrustStore } from '../../../src/notary/truststore/index.js';
import { MEDIA_TYPE_JWS } from '../../../src/notary/types.js';
import type { Descriptor } from '../../../src/oci/types.js';
import { compileNotaryPolicy, NotaryImageVerifier, verifyArtifact } from '../../../src/notary/verifier/index.js';
import { classifyVerdict, failureReason } from '../../../src/service/verification.js';
import { cachedKeyPair, generateCertificateChain, type GeneratedChain, type KeyType } from '../../support/pki.js';
import { ArtifactStoreDouble } from './store-double.js';

const TARGET: Descriptor = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'c'.repeat(64)}`, size: 321 };
const REGISTRY = 'registry.example';
const REPOSITORY = `${REGISTRY}/app`;
const SIGNATURES = 30;
const CHAIN_LENGTH = 16;
/** The longest synchronous stretch one hostile image may cause (issue 9, H2). */
const MAX_STALL_MS = 50;

/** Level i of a chain (0 = root): RSA-4096 and P-521 alternating, keys shared by level so only the certificates differ. */
function keyTypeAt(level: number): KeyType {
  return level % 2 === 0 ? 'rsa-4096' : 'ec-521';
}

/** An envelope whose chain is the attacker's 16 certificates, or 15 followed by `appended` (a trusted root, byte for byte). */
async function hostileEnvelope(index: number, appended?: Uint8Array): Promise<Uint8Array> {
  const length = appended ? CHAIN_LENGTH - 1 : CHAIN_LENGTH;
  const keys = await Promise.all(Array.from({ length }, (_, level) => cachedKeyPair(keyTypeAt(level), `untrusted-${level}`)));
  const chain = await generateCertificateChain({
    commonName: `untrusted signer ${index}`,
    root: { keyType: keyTypeAt(0), keys: keys[0] },
    intermediates: Array.from({ length: length - 2 }, (_, i) => ({ keyType: keyTypeAt(i + 1), keys: keys[i + 1] })),
    leaf: { keyType: keyTypeAt(length - 1), keys: keys[length - 1] },
  });
  return signEnvelope({
    mediaType: MEDIA_TYPE_JWS,
    payload: createNotaryPayload(TARGET),
    signingScheme: 'notary.x509',
    signingTime: new Date(),
    privateKey: chain.leaf.privateKey,
    certificateChain: appended ? [...chain.chain, appended] : chain.chain,
  });
}

const turn = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Cost<T> {
  value: T;
  cpuMs: number;
  /** Longest event-loop delay (perf_hooks.monitorEventLoopDelay): wall time, so it also counts time the process was not scheduled. */
  maxStallMs: number;
  /** CPU used by the longest run between two loop turns: the stall the code causes, whatever the machine's load. */
  maxStretchCpuMs: number;
}

/** CPU, the longest event-loop stall, and the CPU of the longest synchronous stretch while `run` runs. */
async function measure<T>(run: () => Promise<T>): Promise<Cost<T>> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The monitor samples from the next loop turn on: a stall in this one would go unseen.
  await turn(2);
  let maxStretchCpuMs = 0;
  let mark = process.cpuUsage();
  const probe = setInterval(() => {
    const used = process.cpuUsage(mark);
    mark = process.cpuUsage();
    maxStretchCpuMs = Math.max(maxStretchCpuMs, (used.user + used.system) / 1000);
  }, 0);
  const before = process.cpuUsage();
  const value = await run();
  const used = process.cpuUsage(before);
  // Two more turns so a stall at the very end is sampled.
  await turn(2);
  await turn(2);
  clearInterval(probe);
  histogram.disable();
  return { value, cpuMs: (used.user + used.system) / 1000, maxStallMs: histogram.max / 1e6, maxStretchCpuMs };
}

/*
 * The bound is asserted on the CPU of the longest stretch: on this shared 2-core machine (load 12
 * while helpers run their tests) the wall-clock delay is several times the work done, so it is
 * measured and printed, and both measures are shown to see a known 80 ms stall.
 */
it('the measurement sees an 80 ms synchronous stretch', async () => {
  const { maxStallMs, maxStretchCpuMs } = await measure(() => {
    const started = process.cpuUsage();
    for (;;) {
      const used = process.cpuUsage(started);
      if (used.user + used.system >= 80_000) break;
    }
    return Promise.resolve();
  });
  expect(maxStallMs).toBeGreaterThan(MAX_STALL_MS);
  expect(maxStretchCpuMs).toBeGreaterThan(MAX_STALL_MS);
});

describe('hostile signatures', () => {
  let trusted: GeneratedChain;
  let trustStore: MemoryTrustStore;
  let trustPolicy: TrustPolicyDocument;
  const statements = [{ name: 'strict', registryScopes: [REPOSITORY], signatureVerification: { level: 'strict' }, trustStores: ['ca:trusted'], trustedIdentities: ['*'] }];

  beforeAll(async () => {
    trusted = await generateCertificateChain({ keyType: 'ec-256', root: { keys: await cachedKeyPair('ec-256', 'trusted-root') } });
    trustStore = MemoryTrustStore.fromBundles([{ type: 'ca', name: 'trusted', caBundle: trusted.root.pem }]);
    trustPolicy = parseTrustPolicyDocument({ version: '1.0', trustPolicies: statements });
    // Warm up: the first verification in a process compiles the parsers; that is not the attacker's doing.
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    store.addSignature(TARGET, MEDIA_TYPE_JWS, await signEnvelope({
      mediaType: MEDIA_TYPE_JWS,
      payload: createNotaryPayload(TARGET),
      signingScheme: 'notary.x509',
      signingTime: new Date(),
      privateKey: trusted.leaf.privateKey,
      certificateChain: trusted.chain,
    }));
    expect((await verifyArtifact(store, TARGET, { trustPolicy, trustStore })).verified).toBe(true);
  }, 300_000);

  it('that cannot chain to the trust store cost under 5 ms of CPU each and never stall the event loop', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    for (let index = 0; index < SIGNATURES; index++) store.addSignature(TARGET, MEDIA_TYPE_JWS, await hostileEnvelope(index));

    const { value: result, cpuMs, maxStallMs, maxStretchCpuMs } = await measure(() => verifyArtifact(store, TARGET, { trustPolicy, trustStore }));
    console.log(
      `untrusted image: ${SIGNATURES} signatures, ${cpuMs.toFixed(1)} ms CPU, ${(cpuMs / SIGNATURES).toFixed(2)} ms per signature, ` +
        `longest stretch ${maxStretchCpuMs.toFixed(1)} ms CPU, longest event-loop delay ${maxStallMs.toFixed(1)} ms`,
    );

    expect(result.verified).toBe(false);
    expect(result.results).toHaveLength(SIGNATURES);
    expect(result.error?.code).toBe('UNTRUSTED_SIGNER');
    expect(cpuMs / SIGNATURES).toBeLessThan(5);
    expect(maxStretchCpuMs).toBeLessThan(MAX_STALL_MS);
  }, 300_000);

  it('anchored by an appended trusted root spend the work budget, which stops the image with a 406 naming it', async () => {
    const store = new ArtifactStoreDouble(REPOSITORY);
    store.addArtifact(TARGET);
    for (let index = 0; index < SIGNATURES; index++) store.addSignature(TARGET, MEDIA_TYPE_JWS, await hostileEnvelope(index, trusted.root.der));
    const verifier = new NotaryImageVerifier({ store: () => store, maxSignatures: SIGNATURES });
    const policy = compileNotaryPolicy({
      name: 'default',
      cacheKey: 'k',
      version: '1.0',
      trustPolicies: statements,
      trustStores: [{ type: 'ca', name: 'trusted', caBundle: trusted.root.pem }],
      source: 'test',
    });
    const image = { registry: REGISTRY, repository: 'app', digest: TARGET.digest, descriptor: TARGET, insecure: false };

    const { value: verdict, cpuMs, maxStallMs, maxStretchCpuMs } = await measure(() => verifier.verify(image, policy, new AbortController().signal));
    console.log(`anchored hostile image: ${cpuMs.toFixed(1)} ms CPU, longest stretch ${maxStretchCpuMs.toFixed(1)} ms CPU, longest event-loop delay ${maxStallMs.toFixed(1)} ms`);

    expect(verdict.verified).toBe(false);
    expect(verdict.error?.code).toBe('WORK_BUDGET_EXCEEDED');
    // 16 certificates per signature: the 19th signature would parse the 301st.
    expect(verdict.error?.message).toBe(
      'verification stopped: the certificatesParsed budget of 300 per image is spent (304 needed so far); the image\'s signatures are not verified',
    );
    expect(failureReason(verdict)).toContain('the certificatesParsed budget of 300 per image is spent');
    expect(classifyVerdict(verdict)).toBe('transient');
    expect(maxStretchCpuMs).toBeLessThan(MAX_STALL_MS);
  }, 300_000);
});
