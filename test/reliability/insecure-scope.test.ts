// `--allowInsecureRegistry` affects only what it names (issue 14), end to end: two real docker-registry instances
// serving TLS with a certificate nobody trusts, on this machine's first non-loopback IPv4 address (loopback
// registries are plain HTTP by design, so TLS rules need another address). A request's `insecure: true` reaches the
// registry the flag names and no other; with the flag off both stay refused; `true` allows both. Each refusal is
// the TLS error's code on time, with the probe (the other registry, or the named one) served meanwhile.
// A verdict the cache keeps for a digest reached with insecure: true never answers that digest asked over verified TLS.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signArtifact } from '../../src/notary/index.js';
import { pushImage, RegistryClient } from '../../src/oci/index.js';
import { issueServingCa, issueServingPair, startService, type RunningService } from '../../src/service/index.js';
import { captureLogs, type CapturedLogger } from '../kube/cluster.js';
import { createTrustConfigDir, goIndented, kyvernoContainer, post, type TrustConfigDir } from '../service/harness.js';
import { cachedKeyPair, generateCertificateChain } from '../support/pki.js';
import { waitFor } from '../support/ports.js';
import { startRegistry, type RegistryServer } from '../support/registry.js';
import { bracketed, notHeldUp } from '../support/timing.js';

/** The first IPv4 address that is not the loopback one, if the machine has any. */
const address = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry?.family === 'IPv4' && !entry.internal)?.address;

const REQUEST_TIMEOUT_MS = 5000;
const REPOSITORY = 'rel/insecure';

let work: string;
let config: TrustConfigDir;
/** `named` is the registry --allowInsecureRegistry lists; `other` is not. */
const registries: { named?: RegistryServer; other?: RegistryServer } = {};
const digests: { named?: string; other?: string } = {};
/** `cached` is `named` with the verdict cache on. */
const services: Record<'off' | 'named' | 'all' | 'cached', { service?: RunningService; log?: CapturedLogger }> = { off: {}, named: {}, all: {}, cached: {} };
const tally = { verified: 0, refusedTls: 0, probeMaxMs: 0, baselineMaxMs: 0, headroomMinMs: Infinity };

describe.skipIf(address === undefined)(`--allowInsecureRegistry on TLS registries at ${address ?? '(no non-loopback IPv4 address: skipped)'}`, () => {
  beforeAll(async () => {
    const host = address as string;
    work = await mkdtemp(join(tmpdir(), 'imgverify-insecure-scope-'));
    // A private CA nobody trusts issues each registry's certificate for the address.
    const ca = await issueServingCa(new Date());
    const start = async (name: 'named' | 'other') => {
      const pair = await issueServingPair(ca, [host], new Date());
      const tls = { certificatePath: join(work, `${name}.crt`), keyPath: join(work, `${name}.key`) };
      await writeFile(tls.certificatePath, pair.cert);
      await writeFile(tls.keyPath, pair.key);
      registries[name] = await startRegistry({ tls, address: host });
    };
    const [chain] = await Promise.all([
      generateCertificateChain({ keyType: 'ec-256', intermediate: true, commonName: 'imgverify insecure scope signer', leaf: { keys: await cachedKeyPair('ec-256', 'service-leaf') } }),
      start('named'),
      start('other'),
    ]);
    const pusher = new RegistryClient({ insecure: true });
    for (const name of ['named', 'other'] as const) {
      const store = pusher.repository(registries[name]!.host, REPOSITORY);
      const image = await pushImage(store, { tag: 'v1', layers: [new TextEncoder().encode(`the ${name} registry's image`)] });
      digests[name] = image.descriptor.digest;
      await signArtifact(store, image.descriptor.digest, { key: chain.leaf.privateKey, certificateChain: chain.chain });
    }
    await pusher.close();
    config = await createTrustConfigDir('tp-insecure', chain.root.pem);
    const allow = { off: false, named: [registries.named!.host], all: true, cached: [registries.named!.host] } as const;
    for (const mode of ['off', 'named', 'all', 'cached'] as const) {
      const log = captureLogs();
      services[mode] = {
        log,
        service: await startService({
          config: { dir: config.dir, defaultTrustPolicy: 'tp-insecure' },
          tls: { enabled: false },
          listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
          limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS },
          cache: { enabled: mode === 'cached' },
          registry: { allowInsecure: allow[mode] },
          logger: log.logger,
          processMetrics: false,
        }),
      };
    }
  }, 90_000);

  afterAll(async () => {
    console.log(
      JSON.stringify({ suite: 'insecure-scope', address, ...tally, probeMaxMs: Math.round(tally.probeMaxMs), baselineMaxMs: Math.round(tally.baselineMaxMs), headroomMinMs: Math.round(tally.headroomMinMs) }),
    );
    for (const { service } of Object.values(services)) await service?.close();
    await Promise.all([registries.named?.stop(), registries.other?.stop()]);
    await config?.remove();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const request = (mode: keyof typeof services, name: 'named' | 'other', insecure: boolean, container = 'app') =>
    post(`${services[mode].service!.url}/checkimages`, {
      images: { containers: { [container]: kyvernoContainer(registries[name]!.host, REPOSITORY, 'v1') } },
      ...(insecure ? { insecure: true } : {}),
    });

  function verified(name: 'named' | 'other'): string {
    const host = registries[name]!.host;
    return goIndented({
      verified: true,
      message: 'verified 1 image with trust policy tp-insecure',
      results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${host}/${REPOSITORY}@${digests[name]}` }],
      digests: { [`${host}/${REPOSITORY}:v1`]: digests[name] },
    });
  }

  /** What Kyverno reads when TLS verification refuses the registry's certificate (Node's code for a CA it does not know). */
  function refusedTls(name: 'named' | 'other'): string {
    const host = registries[name]!.host;
    return (
      `failed to verify container app: failed to verify image {{${host} insecure ${REPOSITORY} v1 } /spec/containers/0/image}: ` +
      `failed to resolve digest: resolve ${host}/${REPOSITORY}:v1: TLS failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a plain-HTTP registry use --plain-http, for a self-signed certificate --insecure\n`
    );
  }

  // [service's --allowInsecureRegistry, registry asked, request's insecure, 200 or the TLS refusal]
  test.each([
    ['a list naming one registry', 'named', 'named', true, 200],
    ['a list naming one registry', 'named', 'other', true, 406],
    ['a list naming one registry', 'named', 'named', false, 406],
    ['false', 'off', 'named', true, 406],
    ['false', 'off', 'other', true, 406],
    ['true', 'all', 'named', true, 200],
    ['true', 'all', 'other', true, 200],
    ['true', 'all', 'other', false, 406],
  ] as const)('--allowInsecureRegistry %s: the %s service asked for the %s registry, insecure %s → %i', async (_flag, mode, name, insecure, status) => {
    // The probe: the same service asked for a registry it verifies (or, where it verifies none, the same refusal).
    const probeName = mode === 'named' ? 'named' : name;
    // Its latency alone, just before and just after: what the bounds below are multiples of (test/support/timing.ts).
    const timedProbe = async () => {
      const at = performance.now();
      await request(mode, probeName, mode !== 'off', 'probe');
      return performance.now() - at;
    };
    const {
      outcome: { answer, probe, elapsed },
      baselineMs,
    } = await bracketed(timedProbe, async () => {
      const started = performance.now();
      const [answer, probe] = await Promise.all([
        request(mode, name, insecure),
        request(mode, probeName, mode !== 'off', 'probe').then((a) => ({ ...a, latency: performance.now() - started })),
      ]);
      return { answer, probe, elapsed: performance.now() - started };
    });
    expect({ status: answer.status, text: answer.text }).toEqual({ status, text: status === 200 ? verified(name) : refusedTls(name) });
    expect(probe.status).toBe(mode === 'off' ? 406 : 200);
    // Refused (or verified) as fast as the probe alone, the probe not held up by the refusal.
    tally.baselineMaxMs = Math.max(tally.baselineMaxMs, baselineMs);
    tally.headroomMinMs = Math.min(tally.headroomMinMs, notHeldUp(baselineMs) - elapsed, notHeldUp(baselineMs) - probe.latency);
    expect(elapsed).toBeLessThan(notHeldUp(baselineMs));
    expect(probe.latency).toBeLessThan(notHeldUp(baselineMs));
    tally[status === 200 ? 'verified' : 'refusedTls'] += 1;
    tally.probeMaxMs = Math.max(tally.probeMaxMs, probe.latency);
    // The request's per-image log line names the stable code of the refusal.
    const line = services[mode].log!.records().findLast((entry) => entry.msg === 'image' && entry.container === 'app');
    expect(line).toMatchObject(status === 200 ? { verdict: 'verified' } : { verdict: 'failed', code: 'REGISTRY_UNAVAILABLE' });
    await waitFor(async () => services[mode].service!.cache.inFlight === 0, notHeldUp(baselineMs), 'the verification to let go');
  }, 20_000);

  test('a verdict cached for a digest asked with insecure: true never answers the same digest asked over verified TLS', async () => {
    const { service, log } = services.cached;
    const host = registries.named!.host;
    const digest = digests.named as string;
    const ask = (insecure: boolean) =>
      post(`${service!.url}/checkimages`, { images: { containers: { app: { ...kyvernoContainer(host, REPOSITORY, 'v1'), digest } } }, ...(insecure ? { insecure: true } : {}) });
    const cacheOf = () => log!.records().findLast((entry) => entry.msg === 'image' && entry.container === 'app');
    const pinned = goIndented({
      verified: true,
      message: 'verified 1 image with trust policy tp-insecure',
      results: [{ op: 'replace', path: '/spec/containers/0/image', value: `${host}/${REPOSITORY}@${digest}` }],
      digests: { [`${host}/${REPOSITORY}@${digest}`]: digest },
    });
    const first = await ask(true);
    expect({ status: first.status, text: first.text, cache: cacheOf()?.cache }).toEqual({ status: 200, text: pinned, cache: 'miss' });
    const secure = await ask(false);
    expect({ status: secure.status, text: secure.text }).toEqual({
      status: 406,
      text:
        `failed to verify container app: failed to verify image {{${host} insecure ${REPOSITORY} v1 ${digest}} /spec/containers/0/image}: ` +
        `failed to resolve digest: resolve ${host}/${REPOSITORY}@${digest}: TLS failed (UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a plain-HTTP registry use --plain-http, for a self-signed certificate --insecure\n`,
    });
    expect(cacheOf()).toMatchObject({ verdict: 'failed', code: 'REGISTRY_UNAVAILABLE' });
    // The insecure verdict is still cached for what decided it.
    const again = await ask(true);
    expect({ status: again.status, text: again.text, cache: cacheOf()?.cache }).toEqual({ status: 200, text: pinned, cache: 'hit' });
  });
});
