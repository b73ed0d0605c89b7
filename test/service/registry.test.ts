// The service against a real docker-registry: a client hanging up mid-request.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { waitFor } from '../support/ports.js';
import { createTrustConfigDir, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from './harness.js';

/** Images of the request the client gives up on: more than the service verifies at once (8). */
const HANG_UP_IMAGES = 20;
/** When the client hangs up: after the service has started on the images, before it can finish them. */
const HANG_UP_AFTER_MS = 30;

let signed: SignedRegistry;
let config: TrustConfigDir;
let service: RunningService;
let host: string;

beforeAll(async () => {
  signed = await startSignedRegistry();
  host = signed.registry.host;
  config = await createTrustConfigDir('tp-registry', signed.chain.root.pem);
  for (let i = 0; i < HANG_UP_IMAGES; i++) {
    await signed.push('team/many', `i${i}`, `image ${i} of a pod the client gives up on`);
    await signed.sign('team/many', `i${i}`);
  }
  service = await startService({
    configDir: config.dir,
    noTls: true,
    bindAddress: '127.0.0.1:0',
    metricsBindAddress: '0',
    healthProbeBindAddress: '0',
    defaultTrustPolicy: 'tp-registry',
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await config?.remove();
});

const checkimages = () => `${service.url}/checkimages`;

async function hungUpVerifications(): Promise<number> {
  const values = (await service.metrics.verifications.get()).values;
  return values.filter(({ labels }) => labels.code === 'VERIFICATION_TIMEOUT').reduce((sum, { value }) => sum + value, 0);
}

test(`a client that hangs up mid-request (${HANG_UP_IMAGES} images) does not crash the service; the next request is answered`, async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const containers = Object.fromEntries(
      Array.from({ length: HANG_UP_IMAGES }, (_, i) => [`c${i}`, kyvernoContainer(host, 'team/many', `i${i}`, `/spec/containers/${i}/image`)]),
    );
    const client = new AbortController();
    setTimeout(() => client.abort(), HANG_UP_AFTER_MS);
    await expect(post(checkimages(), { images: { containers } }, { signal: client.signal })).rejects.toMatchObject({ name: 'AbortError' });
    // The service notices the hang-up and stops the images it had not finished.
    await waitFor(async () => (await hungUpVerifications()) > 0, 5_000, 'the service to stop the images of the request');

    const next = await post(checkimages(), { images: { containers: { app: kyvernoContainer(host, 'team/many', 'i0') } } });
    expect(next.status).toBe(200);
    // Rejections left unhandled surface within a few turns of the event loop.
    await sleep(50);
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
