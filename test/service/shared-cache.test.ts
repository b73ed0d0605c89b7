// Two service instances sharing verdicts through a real redis-server (--cacheBackend), against a
// real docker-registry: one verifies, the other answers from Redis; Redis killed mid-run changes
// no answer, only who verifies.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startService, type RunningService } from '../../src/service/index.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { createTrustConfigDir, kyvernoContainer, post, startSignedRegistry, type SignedRegistry, type TrustConfigDir } from './harness.js';

let signed: SignedRegistry;
let config: TrustConfigDir;
let redis: RedisServer;
let replicas: RunningService[] = [];

beforeAll(async () => {
  [signed, redis] = await Promise.all([startSignedRegistry(), startRedis()]);
  config = await createTrustConfigDir('tp-shared', signed.chain.root.pem);
  for (const tag of ['v1', 'v2']) {
    await signed.push('team/app', tag, `signed image ${tag}`);
    await signed.sign('team/app', tag);
  }
  await signed.push('team/app', 'unsigned', 'an image nobody signed');
  replicas = await Promise.all(
    [0, 1].map(() =>
      startService({
        configDir: config.dir,
        noTls: true,
        bindAddress: '127.0.0.1:0',
        metricsBindAddress: '0',
        healthProbeBindAddress: '0',
        defaultTrustPolicy: 'tp-shared',
        cacheBackend: redis.url,
        processMetrics: false,
        logLevel: 'silent',
      }),
    ),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()));
  await signed?.stop();
  await config?.remove();
  await redis?.stop();
});

async function check(replica: RunningService, tag: string) {
  const body = { images: { containers: { app: kyvernoContainer(signed.registry.host, 'team/app', tag) } } };
  return post(`${replica.url}/checkimages`, body);
}

/** Verifications a replica ran itself (cache misses that reached the verifier). */
async function verificationsRun(replica: RunningService): Promise<number> {
  const metric = await replica.metrics.verificationDuration.get();
  return metric.values.filter((v) => v.metricName?.endsWith('_count')).reduce((sum, v) => sum + v.value, 0);
}

async function backendErrors(replica: RunningService): Promise<number> {
  return (await replica.metrics.cacheBackendErrors.get()).values.reduce((sum, v) => sum + v.value, 0);
}

test('one replica verifies, the other answers from Redis with the same bytes; Redis killed: same answers, each verifies', async () => {
  const [a, b] = replicas as [RunningService, RunningService];

  const signedA = await check(a, 'v1');
  const unsignedA = await check(a, 'unsigned');
  expect([signedA.status, unsignedA.status]).toEqual([200, 406]);
  expect(unsignedA.text).toMatch(/^failed to verify container app: .*no signature is associated with/);
  // The writes are not awaited by the answer: give them a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 100));

  const signedB = await check(b, 'v1');
  const unsignedB = await check(b, 'unsigned');
  expect([signedB.status, signedB.text]).toEqual([200, signedA.text]);
  expect([unsignedB.status, unsignedB.text]).toEqual([406, unsignedA.text]);
  expect([await verificationsRun(a), await verificationsRun(b)]).toEqual([2, 0]);

  await redis.kill();
  const [v1B, v2B, v2A, unsignedAfterB] = [await check(b, 'v1'), await check(b, 'v2'), await check(a, 'v2'), await check(b, 'unsigned')];
  expect([v1B.status, v1B.text]).toEqual([200, signedA.text]);
  expect(v2B.status).toBe(200);
  expect(v2A.text).toBe(v2B.text);
  expect(JSON.parse(v2B.text)).toMatchObject({ verified: true, results: [{ op: 'replace', path: '/spec/containers/0/image' }] });
  expect(unsignedAfterB.status).toBe(406);
  // v1 and unsigned from b's memory; v2 verified by each replica, since Redis could not share it.
  expect([await verificationsRun(a), await verificationsRun(b)]).toEqual([3, 1]);
  expect(await backendErrors(a)).toBeGreaterThan(0);
}, 60_000);
