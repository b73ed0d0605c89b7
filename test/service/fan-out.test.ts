// A request's images verified at once (issue 19), bounded per registry host: the registry never sees more requests in
// flight than --registryConcurrency; and under interleaved requests whose tag moves between every resolve, the patch
// always names the digest that was verified. Real docker-registry behind the fault proxy.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { createTrustConfigDir, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from './harness.js';

const IMAGES = 8;
const REGISTRY_CONCURRENCY = 3;
const DELAY_MS = 30;
/** Concurrent requests for the moving tag; the proxy answers its resolves with the signed and the unsigned image in turn. */
const MOVING_REQUESTS = 6;

let signed: SignedRegistry;
let config: TrustConfigDir;
let proxy: FaultProxy;
let service: RunningService;
let signedDigest: string;
let unsignedDigest: string;

beforeAll(async () => {
  signed = await startSignedRegistry();
  config = await createTrustConfigDir('tp-fan', signed.chain.root.pem);
  for (let i = 0; i < IMAGES; i++) {
    await signed.push('team/fan', `i${i}`, `image ${i} of a wide pod`);
    await signed.sign('team/fan', `i${i}`);
  }
  signedDigest = (await signed.push('team/flip', 'signed', 'the signed one')).digest;
  await signed.sign('team/flip', 'signed');
  unsignedDigest = (await signed.push('team/flip', 'unsigned', 'the unsigned one')).digest;
  proxy = await FaultProxy.start(signed.registry.url);
  service = await startService({
    config: { dir: config.dir, defaultTrustPolicy: 'tp-fan' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    registry: { maxRequestsPerRegistry: REGISTRY_CONCURRENCY },
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await proxy?.close();
  await signed?.stop();
  await config?.remove();
});

const checkimages = () => `${service.url}/checkimages`;

test(`${IMAGES} images of one request: the registry sees exactly ${REGISTRY_CONCURRENCY} requests in flight, never more`, async () => {
  proxy.clearRules();
  proxy.add({ path: /^\/v2\/team\/fan\//, fault: { kind: 'delay', ms: DELAY_MS } });
  proxy.resetMaxOpenExchanges();
  const containers = Object.fromEntries(Array.from({ length: IMAGES }, (_, i) => [`c${i}`, kyvernoContainer(proxy.host, 'team/fan', `i${i}`, `/spec/containers/${i}/image`)]));
  const answer = await post(checkimages(), { images: { containers } });
  proxy.clearRules();
  expect(answer.status).toBe(200);
  expect(Object.keys((JSON.parse(answer.text) as { digests: Record<string, string> }).digests)).toHaveLength(IMAGES);
  expect(proxy.maxOpenExchanges).toBe(REGISTRY_CONCURRENCY);
});

test('a tag that moves between every resolve, across interleaved requests: a patch only ever names the verified (signed) digest', async () => {
  proxy.clearRules();
  // Resolves of team/flip:v1 answer signed, unsigned, signed, … in arrival order; any GET by the tag answers the
  // unsigned image, so a verifier that read the tag again (instead of the resolved digest) would be caught.
  for (let i = 0; i < MOVING_REQUESTS; i++) {
    proxy.add({ method: 'HEAD', path: /^\/v2\/team\/flip\/manifests\/v1$/, fault: { kind: 'substitute', path: `/v2/team/flip/manifests/${i % 2 === 0 ? 'signed' : 'unsigned'}` }, times: 1 });
  }
  proxy.add({ method: 'GET', path: /^\/v2\/team\/flip\/manifests\/v1$/, fault: { kind: 'substitute', path: '/v2/team/flip/manifests/unsigned' } });
  proxy.add({ path: /^\/v2\/team\/(flip|fan)\//, fault: { kind: 'delay', ms: DELAY_MS } });
  const request = (n: number) => ({
    images: {
      containers: {
        // Other images beside it, in a different order per request, so the resolves interleave differently.
        ...Object.fromEntries([0, 1, 2].map((k) => [`fan${k}`, kyvernoContainer(proxy.host, 'team/fan', `i${(n + k) % IMAGES}`, `/spec/containers/${k + 1}/image`)])),
        flip: kyvernoContainer(proxy.host, 'team/flip', 'v1'),
      },
    },
  });
  const answers = await Promise.all(Array.from({ length: MOVING_REQUESTS }, (_, n) => post(checkimages(), request(n))));
  proxy.clearRules();
  let passed = 0;
  for (const answer of answers) {
    if (answer.status === 200) {
      passed += 1;
      const body = JSON.parse(answer.text) as { results: { path: string; value: string }[]; digests: Record<string, string> };
      expect(body.digests[`${proxy.host}/team/flip:v1`]).toBe(signedDigest);
      expect(body.results.find((r) => r.path === '/spec/containers/0/image')?.value).toBe(`${proxy.host}/team/flip@${signedDigest}`);
    } else {
      expect(answer.status).toBe(406);
      expect(answer.text).toContain(`team/flip@${unsignedDigest}`);
      expect(answer.text).not.toContain(signedDigest);
    }
  }
  // One resolve of the tag per request: half of them saw the signed image.
  expect(passed).toBe(MOVING_REQUESTS / 2);
});
