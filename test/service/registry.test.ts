// The service against a real docker-registry: a client hanging up mid-request, and the registry requests a cached verdict still needs.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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
    config: { dir: config.dir, defaultTrustPolicy: 'tp-registry' },
    tls: { enabled: false },
    listen: { api: '127.0.0.1:0', metrics: '0', health: '0' },
    logLevel: 'silent',
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await signed?.stop();
  await config?.remove();
});

const checkimages = () => `${service.url}/checkimages`;

/** Registry operations the service made so far, by operation. */
async function registryOperations(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { labels, value } of (await service.metrics.registryRequests.get()).values) {
    const operation = String(labels.operation);
    counts[operation] = (counts[operation] ?? 0) + value;
  }
  return counts;
}

async function registryOperationsDuring(run: () => Promise<void>): Promise<Record<string, number>> {
  const before = await registryOperations();
  await run();
  const after = await registryOperations();
  return Object.fromEntries(Object.entries(after).map(([operation, count]) => [operation, count - (before[operation] ?? 0)]).filter(([, count]) => count !== 0));
}

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

describe('registry requests of a cached verdict', () => {
  test('an image given by digest whose verdict is cached needs no registry request', async () => {
    const digest = (await signed.push('team/pinned', 'v1', 'pinned image')).digest;
    await signed.sign('team/pinned', digest);
    const body = { images: { containers: { app: { ...kyvernoContainer(host, 'team/pinned', 'v1'), digest } } } };
    const answers: { status: number; text: string }[] = [];
    const first = await registryOperationsDuring(async () => {
      answers.push(await post(checkimages(), body));
    });
    const second = await registryOperationsDuring(async () => {
      answers.push(await post(checkimages(), body));
    });
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[1]?.text).toBe(answers[0]?.text);
    expect(JSON.parse(answers[1]?.text ?? '{}')).toMatchObject({ digests: { [`${host}/team/pinned@${digest}`]: digest } });
    expect(first).toEqual({ resolve: 1, referrers: 1, fetchManifest: 1, fetchBlob: 1 });
    expect(second).toEqual({});
  });

  test('a tag is resolved on every request: a re-pushed tag answers with its new digest', async () => {
    const body = { images: { containers: { app: kyvernoContainer(host, 'team/moving', 'v1') } } };
    const digestOf = async (): Promise<string> => {
      const answer = await post(checkimages(), body);
      expect(answer.status).toBe(200);
      return (JSON.parse(answer.text) as { digests: Record<string, string> }).digests[`${host}/team/moving:v1`] ?? '';
    };
    const old = (await signed.push('team/moving', 'v1', 'first push')).digest;
    await signed.sign('team/moving', old);
    expect(await digestOf()).toBe(old);
    expect(await registryOperationsDuring(async () => void (await digestOf()))).toEqual({ resolve: 1 });

    const pushedAgain = (await signed.push('team/moving', 'v1', 'second push')).digest;
    await signed.sign('team/moving', pushedAgain);
    expect(pushedAgain).not.toBe(old);
    expect(await digestOf()).toBe(pushedAgain);
  });
});

describe('a container named __proto__ (issue 9 M1) is verified, not dropped', () => {
  test.each(['containers', 'initContainers', 'ephemeralContainers'])('%s: the unsigned __proto__ image fails the request', async (kind) => {
    await signed.push('team/proto-signed', 'v1', 'signed image beside __proto__');
    await signed.sign('team/proto-signed', 'v1');
    await signed.push('team/proto-unsigned', 'v1', 'unsigned image named __proto__');
    const a = JSON.stringify(kyvernoContainer(host, 'team/proto-signed', 'v1'));
    const evil = JSON.stringify(kyvernoContainer(host, 'team/proto-unsigned', 'v1', '/spec/containers/1/image'));
    const answer = await post(checkimages(), `{"images":{"${kind}":{"a":${a},"__proto__":${evil}}}}`);
    expect(answer.status).toBe(406);
    const noun = { containers: 'container ', initContainers: 'init container ', ephemeralContainers: 'ephemeral container: ' }[kind];
    expect(answer.text).toMatch(new RegExp(`^failed to verify ${noun}__proto__: failed to verify image .*team/proto-unsigned.*: no signature is associated with`));
  });
});
