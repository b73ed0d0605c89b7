// Throughput of 1 vs 2 service processes sharing one real redis-server (--cacheBackend): cold (every
// image verified once across the fleet) and warm (verdicts already in Redis), and the 2/1 ratios.
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { DemoImage } from '../../src/demo/index.js';
import { startRedis } from '../../src/demo/redis-process.js';
import { checkImagesBody, mapConcurrent } from './fixtures.js';
import { runLoad, SequentialClient } from './load.js';
import { ratio, round } from './stats.js';
import type { Target, TargetSpec } from './target.js';

export interface SharedCacheOptions {
  /** Distinct signed images verified in the cold run (each exactly once, across the processes). */
  images: number;
  imagesPerRequest: number;
  /** Concurrent clients (cold) and autocannon connections (warm), in all: split across the processes. */
  connections: number;
  warmDurationSeconds: number;
  warmWarmupSeconds: number;
}

export interface SharedCacheRow {
  processes: number;
  /** Images verified per second while nothing was cached (requests spread round-robin). */
  cold_images_per_s: number;
  cold_requests: number;
  /** /checkimages requests per second with every verdict in Redis (and, after the first, in memory). */
  warm_rps: number;
  warm_p50_ms: number;
  warm_p99_ms: number;
  /** Verifications the processes ran during the warm run: 0 when Redis shared every verdict. */
  warm_verifications: number;
  /** Redis commands that failed or took longer than 50 ms over the whole configuration: each one an image verified instead of shared. */
  cache_backend_errors: number;
  failures: number;
}

export interface SharedCacheResult {
  redis: string;
  /** 1-minute load average before and after: on a busy machine the ratios say little. */
  load_average_start: number;
  load_average_end: number;
  images: number;
  images_per_request: number;
  connections: number;
  one_process: SharedCacheRow;
  two_processes: SharedCacheRow;
  /** two_processes / one_process. */
  cold_ratio: number;
  warm_ratio: number;
}

async function redisVersion(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(process.env.IMGVERIFY_REDIS_BIN ?? 'redis-server', ['--version'], { timeout: 10_000 });
    return stdout.trim();
  } catch (err) {
    return `unknown (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** One configuration: `processes` fresh service processes on an empty Redis, cold then warm. */
async function measure(
  processes: number,
  images: readonly DemoImage[],
  options: SharedCacheOptions,
  redisUrl: string,
  flush: () => Promise<void>,
  start: (spec: TargetSpec) => Promise<Target>,
  configDir: string,
): Promise<SharedCacheRow> {
  await flush();
  const targets: Target[] = [];
  const clients: SequentialClient[] = [];
  try {
    for (let i = 0; i < processes; i++) targets.push(await start({ kind: 'service', configDir, cacheEnabled: true, cacheBackend: redisUrl }));
    // Each client talks to one process; requests go out round-robin across clients.
    for (let i = 0; i < options.connections; i++) clients.push(new SequentialClient((targets[i % processes] as Target).url));
    const batches: DemoImage[][] = [];
    for (let offset = 0; offset < images.length; offset += options.imagesPerRequest) batches.push(images.slice(offset, offset + options.imagesPerRequest));
    let failures = 0;
    let next = 0;
    const started = performance.now();
    await mapConcurrent(clients.length, clients.length, async (clientIndex) => {
      const client = clients[clientIndex] as SequentialClient;
      while (next < batches.length) {
        const batch = batches[next++] as DemoImage[];
        const res = await client.post(checkImagesBody(batch));
        if (res.status !== 200 || batch.some((image) => !res.body.includes(image.digest))) failures += 1;
      }
    });
    const coldSeconds = (performance.now() - started) / 1000;

    // Warm: every process answers the same request, whose verdicts one of them put in Redis above.
    const body = checkImagesBody(images.slice(0, options.imagesPerRequest));
    const perProcess = Math.max(1, Math.floor(options.connections / processes));
    if (options.warmWarmupSeconds > 0) {
      await Promise.all(targets.map((t) => runLoad({ url: t.url, body, connections: perProcess, durationSeconds: options.warmWarmupSeconds })));
    }
    const verifications = async () => (await Promise.all(targets.map(async (t) => (await t.stats()).verifications))).reduce((a, b) => a + b, 0);
    const before = await verifications();
    const loads = await Promise.all(targets.map((t) => runLoad({ url: t.url, body, connections: perProcess, durationSeconds: options.warmDurationSeconds })));
    const after = await verifications();
    const backendErrors = (await Promise.all(targets.map(async (t) => (await t.stats()).cacheBackendErrors))).reduce((a, b) => a + b, 0);
    const weighted = (pick: (l: (typeof loads)[number]) => number) =>
      loads.reduce((total, load) => total + pick(load) * load.responses, 0) / Math.max(1, loads.reduce((n, load) => n + load.responses, 0));
    return {
      processes,
      cold_images_per_s: round(images.length / coldSeconds, 1),
      cold_requests: batches.length,
      warm_rps: round(loads.reduce((total, load) => total + load.rps, 0), 1),
      warm_p50_ms: round(weighted((l) => l.p50Ms)),
      warm_p99_ms: round(Math.max(...loads.map((l) => l.p99Ms))),
      warm_verifications: after - before,
      cache_backend_errors: backendErrors,
      failures: failures + loads.reduce((total, load) => total + load.failures, 0),
    };
  } finally {
    for (const client of clients) await client.close().catch(() => undefined);
    for (const target of targets) await target.close().catch(() => undefined);
  }
}

export async function measureSharedCache(
  images: readonly DemoImage[],
  configDir: string,
  options: SharedCacheOptions,
  start: (spec: TargetSpec) => Promise<Target>,
  log: (line: string) => void,
): Promise<SharedCacheResult> {
  const loadStart = loadavg()[0] ?? 0;
  const redis = await startRedis();
  const admin = new Redis(redis.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  admin.on('error', () => undefined);
  const flush = async () => {
    await admin.flushall();
  };
  try {
    const used = images.slice(0, options.images);
    log(`shared cache: ${used.length} images, ${options.connections} connections, 1 then 2 service processes on one redis-server`);
    const one = await measure(1, used, options, redis.url, flush, start, configDir);
    log(`shared cache, 1 process: cold ${one.cold_images_per_s} images/s, warm ${one.warm_rps} req/s`);
    const two = await measure(2, used, options, redis.url, flush, start, configDir);
    log(`shared cache, 2 processes: cold ${two.cold_images_per_s} images/s, warm ${two.warm_rps} req/s`);
    return {
      redis: await redisVersion(),
      load_average_start: round(loadStart, 2),
      load_average_end: round(loadavg()[0] ?? 0, 2),
      images: used.length,
      images_per_request: options.imagesPerRequest,
      connections: options.connections,
      one_process: one,
      two_processes: two,
      cold_ratio: ratio(two.cold_images_per_s, one.cold_images_per_s),
      warm_ratio: ratio(two.warm_rps, one.warm_rps),
    };
  } finally {
    admin.disconnect();
    await redis.stop();
  }
}
